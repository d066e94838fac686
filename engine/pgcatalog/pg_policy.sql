-- pg_policy: lakegate has none; PostgreSQL's columns, no rows.
CREATE VIEW lakegate_pg_catalog.pg_policy AS
SELECT CAST(NULL AS BIGINT) AS oid,
       CAST(NULL AS VARCHAR) AS polname,
       CAST(NULL AS BIGINT) AS polrelid,
       CAST(NULL AS VARCHAR) AS polcmd,
       CAST(NULL AS BOOLEAN) AS polpermissive,
       CAST(NULL AS BIGINT[]) AS polroles,
       CAST(NULL AS VARCHAR) AS polqual,
       CAST(NULL AS VARCHAR) AS polwithcheck
WHERE false;
