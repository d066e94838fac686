-- pg_default_acl: lakegate has none; PostgreSQL's columns, no rows.
CREATE VIEW lakegate_pg_catalog.pg_default_acl AS
SELECT CAST(NULL AS BIGINT) AS oid,
       CAST(NULL AS BIGINT) AS defaclrole,
       CAST(NULL AS BIGINT) AS defaclnamespace,
       CAST(NULL AS VARCHAR) AS defaclobjtype,
       CAST(NULL AS VARCHAR[]) AS defaclacl
WHERE false;
