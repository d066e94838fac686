-- pg_am: PostgreSQL's table and index access methods.
CREATE VIEW lakegate_pg_catalog.pg_am AS
SELECT CAST(oid AS BIGINT) AS oid, CAST(amname AS VARCHAR) AS amname, CAST(amhandler AS BIGINT) AS amhandler, amtype
FROM (VALUES (2, 'heap', 3, 't'), (403, 'btree', 330, 'i'), (405, 'hash', 331, 'i'),
             (783, 'gist', 332, 'i'), (2742, 'gin', 333, 'i'), (4000, 'spgist', 334, 'i'),
             (3580, 'brin', 335, 'i')) AS a(oid, amname, amhandler, amtype);
