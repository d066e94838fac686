-- pg_depend: lakegate has none; PostgreSQL's columns, no rows.
CREATE VIEW lakegate_pg_catalog.pg_depend AS
SELECT CAST(NULL AS BIGINT) AS classid,
       CAST(NULL AS BIGINT) AS objid,
       CAST(NULL AS INTEGER) AS objsubid,
       CAST(NULL AS BIGINT) AS refclassid,
       CAST(NULL AS BIGINT) AS refobjid,
       CAST(NULL AS INTEGER) AS refobjsubid,
       CAST(NULL AS VARCHAR) AS deptype
WHERE false;
