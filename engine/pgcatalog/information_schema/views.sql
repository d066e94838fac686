-- information_schema.views: the layer's own views.
CREATE MACRO lakegate_information_schema.views(dbname) AS TABLE
SELECT CAST(dbname AS VARCHAR) AS table_catalog, CAST(r.nspname AS VARCHAR) AS table_schema,
       CAST(r.relname AS VARCHAR) AS table_name, CAST(NULL AS VARCHAR) AS view_definition,
       'NONE' AS check_option, 'NO' AS is_updatable, 'NO' AS is_insertable_into,
       'NO' AS is_trigger_updatable, 'NO' AS is_trigger_deletable, 'NO' AS is_trigger_insertable_into
FROM lakegate_pg_catalog.lakegate_relations r WHERE r.relkind = 'v';
