-- pg_tables: the lake's tables.
CREATE VIEW lakegate_pg_catalog.pg_tables AS
SELECT CAST(n.nspname AS VARCHAR) AS schemaname, c.relname AS tablename,
       CAST(NULL AS VARCHAR) AS tableowner, CAST(NULL AS VARCHAR) AS tablespace,
       false AS hasindexes, false AS hasrules, false AS hastriggers, false AS rowsecurity
FROM lakegate_pg_catalog.pg_class c JOIN lakegate_pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p');
