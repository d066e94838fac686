-- pg_publication: lakegate has none; PostgreSQL's columns, no rows.
CREATE VIEW lakegate_pg_catalog.pg_publication AS
SELECT CAST(NULL AS BIGINT) AS oid,
       CAST(NULL AS VARCHAR) AS pubname,
       CAST(NULL AS BIGINT) AS pubowner,
       CAST(NULL AS BOOLEAN) AS puballtables,
       CAST(NULL AS BOOLEAN) AS pubinsert,
       CAST(NULL AS BOOLEAN) AS pubupdate,
       CAST(NULL AS BOOLEAN) AS pubdelete,
       CAST(NULL AS BOOLEAN) AS pubtruncate,
       CAST(NULL AS BOOLEAN) AS pubviaroot
WHERE false;
