-- pg_indexes: lakegate has none; PostgreSQL's columns, no rows.
CREATE VIEW lakegate_pg_catalog.pg_indexes AS
SELECT CAST(NULL AS VARCHAR) AS schemaname,
       CAST(NULL AS VARCHAR) AS tablename,
       CAST(NULL AS VARCHAR) AS indexname,
       CAST(NULL AS VARCHAR) AS tablespace,
       CAST(NULL AS VARCHAR) AS indexdef
WHERE false;
