-- pg_user_mapping: lakegate has none; PostgreSQL's columns, no rows.
CREATE VIEW lakegate_pg_catalog.pg_user_mapping AS
SELECT CAST(NULL AS BIGINT) AS oid,
       CAST(NULL AS BIGINT) AS umuser,
       CAST(NULL AS BIGINT) AS umserver,
       CAST(NULL AS VARCHAR[]) AS umoptions
WHERE false;
