-- pg_language: lakegate has none; PostgreSQL's columns, no rows.
CREATE VIEW lakegate_pg_catalog.pg_language AS
SELECT CAST(NULL AS BIGINT) AS oid,
       CAST(NULL AS VARCHAR) AS lanname,
       CAST(NULL AS BIGINT) AS lanowner,
       CAST(NULL AS BOOLEAN) AS lanispl,
       CAST(NULL AS BOOLEAN) AS lanpltrusted,
       CAST(NULL AS BIGINT) AS lanplcallfoid,
       CAST(NULL AS BIGINT) AS laninline,
       CAST(NULL AS BIGINT) AS lanvalidator,
       CAST(NULL AS VARCHAR[]) AS lanacl
WHERE false;
