-- pg_cast: lakegate has none; PostgreSQL's columns, no rows.
CREATE VIEW lakegate_pg_catalog.pg_cast AS
SELECT CAST(NULL AS BIGINT) AS oid,
       CAST(NULL AS BIGINT) AS castsource,
       CAST(NULL AS BIGINT) AS casttarget,
       CAST(NULL AS BIGINT) AS castfunc,
       CAST(NULL AS VARCHAR) AS castcontext,
       CAST(NULL AS VARCHAR) AS castmethod
WHERE false;
