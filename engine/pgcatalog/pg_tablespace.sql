-- pg_tablespace: PostgreSQL's two default tablespaces.
CREATE VIEW lakegate_pg_catalog.pg_tablespace AS
SELECT CAST(oid AS BIGINT) AS oid, CAST(spcname AS VARCHAR) AS spcname, CAST(10 AS BIGINT) AS spcowner,
       CAST(NULL AS VARCHAR[]) AS spcacl, CAST(NULL AS VARCHAR[]) AS spcoptions
FROM (VALUES (1663, 'pg_default'), (1664, 'pg_global')) AS t(oid, spcname);
