-- pg_operator: lakegate has none; PostgreSQL's columns, no rows.
CREATE VIEW lakegate_pg_catalog.pg_operator AS
SELECT CAST(NULL AS BIGINT) AS oid,
       CAST(NULL AS VARCHAR) AS oprname,
       CAST(NULL AS BIGINT) AS oprnamespace,
       CAST(NULL AS BIGINT) AS oprowner,
       CAST(NULL AS VARCHAR) AS oprkind,
       CAST(NULL AS BOOLEAN) AS oprcanmerge,
       CAST(NULL AS BOOLEAN) AS oprcanhash,
       CAST(NULL AS BIGINT) AS oprleft,
       CAST(NULL AS BIGINT) AS oprright,
       CAST(NULL AS BIGINT) AS oprresult,
       CAST(NULL AS BIGINT) AS oprcom,
       CAST(NULL AS BIGINT) AS oprnegate,
       CAST(NULL AS BIGINT) AS oprcode,
       CAST(NULL AS BIGINT) AS oprrest,
       CAST(NULL AS BIGINT) AS oprjoin
WHERE false;
