-- pg_foreign_server: lakegate has none; PostgreSQL's columns, no rows.
CREATE VIEW lakegate_pg_catalog.pg_foreign_server AS
SELECT CAST(NULL AS BIGINT) AS oid,
       CAST(NULL AS VARCHAR) AS srvname,
       CAST(NULL AS BIGINT) AS srvowner,
       CAST(NULL AS BIGINT) AS srvfdw,
       CAST(NULL AS VARCHAR) AS srvtype,
       CAST(NULL AS VARCHAR) AS srvversion,
       CAST(NULL AS VARCHAR[]) AS srvacl,
       CAST(NULL AS VARCHAR[]) AS srvoptions
WHERE false;
