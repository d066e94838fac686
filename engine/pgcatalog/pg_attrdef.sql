-- pg_attrdef: lakegate has none; PostgreSQL's columns, no rows.
CREATE VIEW lakegate_pg_catalog.pg_attrdef AS
SELECT CAST(NULL AS BIGINT) AS oid,
       CAST(NULL AS BIGINT) AS adrelid,
       CAST(NULL AS SMALLINT) AS adnum,
       CAST(NULL AS VARCHAR) AS adbin
WHERE false;
