-- pg_inherits: lakegate has none; PostgreSQL's columns, no rows.
CREATE VIEW lakegate_pg_catalog.pg_inherits AS
SELECT CAST(NULL AS BIGINT) AS inhrelid,
       CAST(NULL AS BIGINT) AS inhparent,
       CAST(NULL AS INTEGER) AS inhseqno,
       CAST(NULL AS BOOLEAN) AS inhdetachpending
WHERE false;
