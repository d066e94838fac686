-- pg_description: the lake tables' descriptions (objsubid 0) and DuckDB
-- comments on relations and columns.
CREATE VIEW lakegate_pg_catalog.pg_description AS
SELECT r.oid AS objoid, CAST(1259 AS BIGINT) AS classoid, CAST(0 AS INTEGER) AS objsubid,
       CAST(COALESCE(d.description, r.comment) AS VARCHAR) AS description
FROM lakegate_pg_catalog.lakegate_relations r
LEFT JOIN lakegate_pg_catalog.lakegate_descriptions d ON d.nspname = r.nspname AND d.relname = r.relname
WHERE COALESCE(d.description, r.comment, '') <> ''
UNION ALL
SELECT c.attrelid, CAST(1259 AS BIGINT), CAST(c.attnum AS INTEGER), CAST(c.comment AS VARCHAR)
FROM lakegate_pg_catalog.lakegate_columns c
WHERE COALESCE(c.comment, '') <> '';
