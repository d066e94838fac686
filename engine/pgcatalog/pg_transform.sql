-- pg_transform: lakegate has none; PostgreSQL's columns, no rows.
CREATE VIEW lakegate_pg_catalog.pg_transform AS
SELECT CAST(NULL AS BIGINT) AS oid,
       CAST(NULL AS BIGINT) AS trftype,
       CAST(NULL AS BIGINT) AS trflang,
       CAST(NULL AS BIGINT) AS trffromsql,
       CAST(NULL AS BIGINT) AS trftosql
WHERE false;
