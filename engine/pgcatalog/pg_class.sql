-- pg_class: lake tables (relkind 'r', heap access method, so that tools
-- list them as tables) and the layer's own relations.
CREATE VIEW lakegate_pg_catalog.pg_class AS
SELECT r.oid,
       CAST(r.relname AS VARCHAR) AS relname,
       r.relnamespace,
       CAST(0 AS BIGINT) AS reltype,
       CAST(0 AS BIGINT) AS reloftype,
       CAST(10 AS BIGINT) AS relowner,
       CAST(CASE r.relkind WHEN 'r' THEN 2 ELSE 0 END AS BIGINT) AS relam,
       CAST(0 AS BIGINT) AS relfilenode,
       CAST(0 AS BIGINT) AS reltablespace,
       CAST(0 AS INTEGER) AS relpages,
       CAST(-1 AS FLOAT) AS reltuples,
       CAST(0 AS INTEGER) AS relallvisible,
       CAST(0 AS BIGINT) AS reltoastrelid,
       false AS relhasindex,
       false AS relisshared,
       'p' AS relpersistence,
       r.relkind,
       CAST(COALESCE(n.natts, 0) AS SMALLINT) AS relnatts,
       CAST(0 AS SMALLINT) AS relchecks,
       false AS relhasrules,
       false AS relhastriggers,
       false AS relhassubclass,
       false AS relrowsecurity,
       false AS relforcerowsecurity,
       true AS relispopulated,
       CASE r.relkind WHEN 'r' THEN 'd' ELSE 'n' END AS relreplident,
       false AS relispartition,
       CAST(0 AS BIGINT) AS relrewrite,
       CAST(0 AS BIGINT) AS relfrozenxid,
       CAST(0 AS BIGINT) AS relminmxid,
       CAST(NULL AS VARCHAR[]) AS relacl,
       CAST(NULL AS VARCHAR[]) AS reloptions,
       CAST(NULL AS VARCHAR) AS relpartbound
FROM lakegate_pg_catalog.lakegate_relations r
LEFT JOIN (SELECT schema_name, table_name, count(*) AS natts FROM duckdb_columns()
           WHERE database_name = current_database() GROUP BY ALL) n
  ON n.schema_name = r.duck_schema AND n.table_name = r.relname;
