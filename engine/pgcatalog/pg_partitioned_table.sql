-- pg_partitioned_table: lakegate has none; PostgreSQL's columns, no rows.
CREATE VIEW lakegate_pg_catalog.pg_partitioned_table AS
SELECT CAST(NULL AS BIGINT) AS partrelid,
       CAST(NULL AS VARCHAR) AS partstrat,
       CAST(NULL AS SMALLINT) AS partnatts,
       CAST(NULL AS BIGINT) AS partdefid,
       CAST(NULL AS SMALLINT[]) AS partattrs,
       CAST(NULL AS BIGINT[]) AS partclass,
       CAST(NULL AS BIGINT[]) AS partcollation,
       CAST(NULL AS VARCHAR) AS partexprs
WHERE false;
