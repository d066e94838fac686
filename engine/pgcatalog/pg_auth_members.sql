-- pg_auth_members: lakegate has none; PostgreSQL's columns, no rows.
CREATE VIEW lakegate_pg_catalog.pg_auth_members AS
SELECT CAST(NULL AS BIGINT) AS roleid,
       CAST(NULL AS BIGINT) AS member,
       CAST(NULL AS BIGINT) AS grantor,
       CAST(NULL AS BOOLEAN) AS admin_option
WHERE false;
