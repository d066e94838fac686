-- pg_publication_namespace: lakegate has none; PostgreSQL's columns, no rows.
CREATE VIEW lakegate_pg_catalog.pg_publication_namespace AS
SELECT CAST(NULL AS BIGINT) AS oid,
       CAST(NULL AS BIGINT) AS pnpubid,
       CAST(NULL AS BIGINT) AS pnnspid
WHERE false;
