-- information_schema.tables: lake tables are BASE TABLEs.
CREATE MACRO lakegate_information_schema.tables(dbname) AS TABLE
SELECT CAST(dbname AS VARCHAR) AS table_catalog, CAST(r.nspname AS VARCHAR) AS table_schema,
       CAST(r.relname AS VARCHAR) AS table_name,
       CASE r.relkind WHEN 'v' THEN 'VIEW' ELSE 'BASE TABLE' END AS table_type,
       CAST(NULL AS VARCHAR) AS self_referencing_column_name, CAST(NULL AS VARCHAR) AS reference_generation,
       CAST(NULL AS VARCHAR) AS user_defined_type_catalog, CAST(NULL AS VARCHAR) AS user_defined_type_schema,
       CAST(NULL AS VARCHAR) AS user_defined_type_name, 'NO' AS is_insertable_into, 'NO' AS is_typed,
       CAST(NULL AS VARCHAR) AS commit_action
FROM lakegate_pg_catalog.lakegate_relations r;
