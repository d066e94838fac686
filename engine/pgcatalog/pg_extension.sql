-- pg_extension: lakegate has none; PostgreSQL's columns, no rows.
CREATE VIEW lakegate_pg_catalog.pg_extension AS
SELECT CAST(NULL AS BIGINT) AS oid,
       CAST(NULL AS VARCHAR) AS extname,
       CAST(NULL AS BIGINT) AS extowner,
       CAST(NULL AS BIGINT) AS extnamespace,
       CAST(NULL AS BOOLEAN) AS extrelocatable,
       CAST(NULL AS VARCHAR) AS extversion,
       CAST(NULL AS BIGINT[]) AS extconfig,
       CAST(NULL AS VARCHAR[]) AS extcondition
WHERE false;
