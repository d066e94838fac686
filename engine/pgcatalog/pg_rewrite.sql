-- pg_rewrite: lakegate has none; PostgreSQL's columns, no rows.
CREATE VIEW lakegate_pg_catalog.pg_rewrite AS
SELECT CAST(NULL AS BIGINT) AS oid,
       CAST(NULL AS VARCHAR) AS rulename,
       CAST(NULL AS BIGINT) AS ev_class,
       CAST(NULL AS VARCHAR) AS ev_type,
       CAST(NULL AS VARCHAR) AS ev_enabled,
       CAST(NULL AS BOOLEAN) AS is_instead,
       CAST(NULL AS VARCHAR) AS ev_qual,
       CAST(NULL AS VARCHAR) AS ev_action
WHERE false;
