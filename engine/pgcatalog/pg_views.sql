-- pg_views: the layer's views (the lake has only tables).
CREATE VIEW lakegate_pg_catalog.pg_views AS
SELECT CAST(n.nspname AS VARCHAR) AS schemaname, c.relname AS viewname,
       CAST(NULL AS VARCHAR) AS viewowner, CAST(NULL AS VARCHAR) AS definition
FROM lakegate_pg_catalog.pg_class c JOIN lakegate_pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'v';
