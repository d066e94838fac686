-- pg_collation: PostgreSQL's built-in collations.
CREATE VIEW lakegate_pg_catalog.pg_collation AS
SELECT CAST(oid AS BIGINT) AS oid, CAST(collname AS VARCHAR) AS collname, CAST(11 AS BIGINT) AS collnamespace,
       CAST(10 AS BIGINT) AS collowner, collprovider, true AS collisdeterministic, CAST(-1 AS INTEGER) AS collencoding,
       CAST(collcollate AS VARCHAR) AS collcollate, CAST(collcollate AS VARCHAR) AS collctype,
       CAST(NULL AS VARCHAR) AS colliculocale, CAST(NULL AS VARCHAR) AS collicurules, CAST(NULL AS VARCHAR) AS collversion
FROM (VALUES (100, 'default', 'd', NULL), (950, 'C', 'c', 'C'), (951, 'POSIX', 'c', 'POSIX'))
     AS c(oid, collname, collprovider, collcollate);
