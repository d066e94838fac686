-- pg_statistic_ext: lakegate has none; PostgreSQL's columns, no rows.
CREATE VIEW lakegate_pg_catalog.pg_statistic_ext AS
SELECT CAST(NULL AS BIGINT) AS oid,
       CAST(NULL AS BIGINT) AS stxrelid,
       CAST(NULL AS VARCHAR) AS stxname,
       CAST(NULL AS BIGINT) AS stxnamespace,
       CAST(NULL AS BIGINT) AS stxowner,
       CAST(NULL AS INTEGER) AS stxstattarget,
       CAST(NULL AS SMALLINT[]) AS stxkeys,
       CAST(NULL AS VARCHAR[]) AS stxkind,
       CAST(NULL AS VARCHAR) AS stxexprs
WHERE false;
