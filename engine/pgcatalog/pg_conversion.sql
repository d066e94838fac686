-- pg_conversion: lakegate has none; PostgreSQL's columns, no rows.
CREATE VIEW lakegate_pg_catalog.pg_conversion AS
SELECT CAST(NULL AS BIGINT) AS oid,
       CAST(NULL AS VARCHAR) AS conname,
       CAST(NULL AS BIGINT) AS connamespace,
       CAST(NULL AS BIGINT) AS conowner,
       CAST(NULL AS INTEGER) AS conforencoding,
       CAST(NULL AS INTEGER) AS contoencoding,
       CAST(NULL AS BIGINT) AS conproc,
       CAST(NULL AS BOOLEAN) AS condefault
WHERE false;
