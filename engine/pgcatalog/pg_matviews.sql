-- pg_matviews: lakegate has none; PostgreSQL's columns, no rows.
CREATE VIEW lakegate_pg_catalog.pg_matviews AS
SELECT CAST(NULL AS VARCHAR) AS schemaname,
       CAST(NULL AS VARCHAR) AS matviewname,
       CAST(NULL AS VARCHAR) AS matviewowner,
       CAST(NULL AS VARCHAR) AS tablespace,
       CAST(NULL AS BOOLEAN) AS hasindexes,
       CAST(NULL AS BOOLEAN) AS ispopulated,
       CAST(NULL AS VARCHAR) AS definition
WHERE false;
