-- pg_foreign_data_wrapper: lakegate has none; PostgreSQL's columns, no rows.
CREATE VIEW lakegate_pg_catalog.pg_foreign_data_wrapper AS
SELECT CAST(NULL AS BIGINT) AS oid,
       CAST(NULL AS VARCHAR) AS fdwname,
       CAST(NULL AS BIGINT) AS fdwowner,
       CAST(NULL AS BIGINT) AS fdwhandler,
       CAST(NULL AS BIGINT) AS fdwvalidator,
       CAST(NULL AS VARCHAR[]) AS fdwacl,
       CAST(NULL AS VARCHAR[]) AS fdwoptions
WHERE false;
