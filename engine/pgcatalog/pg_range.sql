-- pg_range: PostgreSQL's built-in range types.
CREATE VIEW lakegate_pg_catalog.pg_range AS
SELECT CAST(rngtypid AS BIGINT) AS rngtypid, CAST(rngsubtype AS BIGINT) AS rngsubtype,
       CAST(rngmultitypid AS BIGINT) AS rngmultitypid, CAST(rngcollation AS BIGINT) AS rngcollation,
       CAST(rngsubopc AS BIGINT) AS rngsubopc, CAST(0 AS BIGINT) AS rngcanonical, CAST(0 AS BIGINT) AS rngsubdiff
FROM (VALUES (3904, 23, 4451, 0, 1978), (3906, 1700, 4532, 0, 3125), (3908, 1114, 4533, 0, 3128),
             (3910, 1184, 4534, 0, 3127), (3912, 1082, 4535, 0, 3122), (3926, 20, 4536, 0, 3124))
     AS r(rngtypid, rngsubtype, rngmultitypid, rngcollation, rngsubopc);
