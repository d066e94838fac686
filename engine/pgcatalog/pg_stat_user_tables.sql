-- pg_stat_user_tables: one row per lake table; no statistics are kept.
CREATE VIEW lakegate_pg_catalog.pg_stat_user_tables AS
SELECT c.oid AS relid, CAST(n.nspname AS VARCHAR) AS schemaname, c.relname,
       CAST(0 AS BIGINT) AS seq_scan, CAST(0 AS BIGINT) AS seq_tup_read, CAST(NULL AS BIGINT) AS idx_scan,
       CAST(NULL AS BIGINT) AS idx_tup_fetch, CAST(0 AS BIGINT) AS n_tup_ins, CAST(0 AS BIGINT) AS n_tup_upd,
       CAST(0 AS BIGINT) AS n_tup_del, CAST(0 AS BIGINT) AS n_tup_hot_upd, CAST(NULL AS BIGINT) AS n_live_tup,
       CAST(0 AS BIGINT) AS n_dead_tup, CAST(0 AS BIGINT) AS n_mod_since_analyze, CAST(0 AS BIGINT) AS n_ins_since_vacuum,
       CAST(NULL AS TIMESTAMPTZ) AS last_vacuum, CAST(NULL AS TIMESTAMPTZ) AS last_autovacuum,
       CAST(NULL AS TIMESTAMPTZ) AS last_analyze, CAST(NULL AS TIMESTAMPTZ) AS last_autoanalyze,
       CAST(0 AS BIGINT) AS vacuum_count, CAST(0 AS BIGINT) AS autovacuum_count,
       CAST(0 AS BIGINT) AS analyze_count, CAST(0 AS BIGINT) AS autoanalyze_count
FROM lakegate_pg_catalog.pg_class c JOIN lakegate_pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema');
