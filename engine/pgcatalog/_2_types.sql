-- Type names PostgreSQL catalogs use that DuckDB lacks, as aliases of what
-- the columns of the layer hold (oids are BIGINT, DuckDB's own oid alias).
CREATE TYPE lakegate_pg_catalog.name AS VARCHAR;
CREATE TYPE lakegate_pg_catalog.pg_node_tree AS VARCHAR;
CREATE TYPE lakegate_pg_catalog.aclitem AS VARCHAR;
CREATE TYPE lakegate_pg_catalog.cstring AS VARCHAR;
CREATE TYPE lakegate_pg_catalog.bpchar AS VARCHAR;
CREATE TYPE lakegate_pg_catalog.xid AS BIGINT;
CREATE TYPE lakegate_pg_catalog.xid8 AS BIGINT;
CREATE TYPE lakegate_pg_catalog.cid AS BIGINT;
CREATE TYPE lakegate_pg_catalog.int2vector AS SMALLINT[];
CREATE TYPE lakegate_pg_catalog.oidvector AS BIGINT[];
