-- information_schema.schemata. Relations of information_schema are table
-- macros of the database name, which the pgcatalog rewrite passes.
CREATE MACRO lakegate_information_schema.schemata(dbname) AS TABLE
SELECT CAST(dbname AS VARCHAR) AS catalog_name, CAST(n.nspname AS VARCHAR) AS schema_name,
       CAST(pg_get_userbyid(n.nspowner) AS VARCHAR) AS schema_owner,
       CAST(NULL AS VARCHAR) AS default_character_set_catalog, CAST(NULL AS VARCHAR) AS default_character_set_schema,
       CAST(NULL AS VARCHAR) AS default_character_set_name, CAST(NULL AS VARCHAR) AS sql_path
FROM lakegate_pg_catalog.pg_namespace n;
