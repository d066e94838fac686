-- pg_init_privs: lakegate has none; PostgreSQL's columns, no rows.
CREATE VIEW lakegate_pg_catalog.pg_init_privs AS
SELECT CAST(NULL AS BIGINT) AS objoid,
       CAST(NULL AS BIGINT) AS classoid,
       CAST(NULL AS INTEGER) AS objsubid,
       CAST(NULL AS VARCHAR) AS privtype,
       CAST(NULL AS VARCHAR[]) AS initprivs
WHERE false;
