-- pg_shdescription: lakegate has none; PostgreSQL's columns, no rows.
CREATE VIEW lakegate_pg_catalog.pg_shdescription AS
SELECT CAST(NULL AS BIGINT) AS objoid,
       CAST(NULL AS BIGINT) AS classoid,
       CAST(NULL AS VARCHAR) AS description
WHERE false;
