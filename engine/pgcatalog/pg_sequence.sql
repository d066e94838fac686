-- pg_sequence: lakegate has none; PostgreSQL's columns, no rows.
CREATE VIEW lakegate_pg_catalog.pg_sequence AS
SELECT CAST(NULL AS BIGINT) AS seqrelid,
       CAST(NULL AS BIGINT) AS seqtypid,
       CAST(NULL AS BIGINT) AS seqstart,
       CAST(NULL AS BIGINT) AS seqincrement,
       CAST(NULL AS BIGINT) AS seqmax,
       CAST(NULL AS BIGINT) AS seqmin,
       CAST(NULL AS BIGINT) AS seqcache,
       CAST(NULL AS BOOLEAN) AS seqcycle
WHERE false;
