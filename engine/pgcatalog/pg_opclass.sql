-- pg_opclass: lakegate has none; PostgreSQL's columns, no rows.
CREATE VIEW lakegate_pg_catalog.pg_opclass AS
SELECT CAST(NULL AS BIGINT) AS oid,
       CAST(NULL AS BIGINT) AS opcmethod,
       CAST(NULL AS VARCHAR) AS opcname,
       CAST(NULL AS BIGINT) AS opcnamespace,
       CAST(NULL AS BIGINT) AS opcowner,
       CAST(NULL AS BIGINT) AS opcfamily,
       CAST(NULL AS BIGINT) AS opcintype,
       CAST(NULL AS BOOLEAN) AS opcdefault,
       CAST(NULL AS BIGINT) AS opckeytype
WHERE false;
