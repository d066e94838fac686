-- pg_foreign_table: lakegate has none; PostgreSQL's columns, no rows.
CREATE VIEW lakegate_pg_catalog.pg_foreign_table AS
SELECT CAST(NULL AS BIGINT) AS ftrelid,
       CAST(NULL AS BIGINT) AS ftserver,
       CAST(NULL AS VARCHAR[]) AS ftoptions
WHERE false;
