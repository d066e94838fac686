-- pg_namespace: PostgreSQL's schemas and the lake's, owned by the session
-- user (oid 10, as PostgreSQL's bootstrap superuser).
CREATE VIEW lakegate_pg_catalog.pg_namespace AS
SELECT lakegate_namespace_oid(nspname) AS oid,
       CAST(nspname AS VARCHAR) AS nspname,
       CAST(10 AS BIGINT) AS nspowner,
       CAST(NULL AS VARCHAR[]) AS nspacl
FROM lakegate_pg_catalog.lakegate_schemas;
