-- pg_publication_rel: lakegate has none; PostgreSQL's columns, no rows.
CREATE VIEW lakegate_pg_catalog.pg_publication_rel AS
SELECT CAST(NULL AS BIGINT) AS oid,
       CAST(NULL AS BIGINT) AS prpubid,
       CAST(NULL AS BIGINT) AS prrelid,
       CAST(NULL AS VARCHAR) AS prqual,
       CAST(NULL AS SMALLINT[]) AS prattrs
WHERE false;
