-- pg_ts_config: lakegate has none; PostgreSQL's columns, no rows.
CREATE VIEW lakegate_pg_catalog.pg_ts_config AS
SELECT CAST(NULL AS BIGINT) AS oid,
       CAST(NULL AS VARCHAR) AS cfgname,
       CAST(NULL AS BIGINT) AS cfgnamespace,
       CAST(NULL AS BIGINT) AS cfgowner,
       CAST(NULL AS BIGINT) AS cfgparser
WHERE false;
