-- lakegate_relations: every relation clients see, with the PostgreSQL
-- schema it appears in. Lake tables (and configured views) are DuckDB views
-- in the memory database; tables as of a snapshot ("t@123") are not listed.
-- The layer's own views appear in pg_catalog and information_schema.
-- lakegate's system schema (query_history, engine/ops.go) is left out, as
-- a system schema it is not a user's: read by name, it never shadows a
-- lake schema through "$user" (the demo user is called lakegate).
CREATE VIEW lakegate_pg_catalog.lakegate_relations AS
WITH rels AS (
    SELECT schema_name AS duck_schema, view_name AS relname, comment FROM duckdb_views()
    WHERE database_name = current_database() AND NOT internal
    UNION ALL
    SELECT schema_name, table_name, comment FROM duckdb_tables()
    WHERE database_name = current_database() AND NOT internal
), named AS (
    SELECT duck_schema, relname, comment,
           CASE duck_schema
               WHEN 'lakegate_pg_catalog' THEN 'pg_catalog'
               WHEN 'lakegate_information_schema' THEN 'information_schema'
               ELSE duck_schema
           END AS nspname
    FROM rels
    WHERE position('@' IN relname) = 0 AND duck_schema <> 'lakegate'
      AND NOT (duck_schema = 'lakegate_pg_catalog' AND relname LIKE 'lakegate\_%' ESCAPE '\')
      -- tables the statement's user is not granted (engine/access.go)
      AND NOT list_contains(coalesce(getvariable('lakegate_hidden'), []::VARCHAR[]), duck_schema || '.' || relname)
)
SELECT lakegate_relation_oid(nspname, relname) AS oid,
       relname,
       nspname,
       duck_schema,
       lakegate_namespace_oid(nspname) AS relnamespace,
       CASE WHEN nspname = 'information_schema'
                 OR relname IN ('pg_roles', 'pg_user', 'pg_settings', 'pg_tables', 'pg_views', 'pg_indexes',
                                'pg_matviews', 'pg_stat_user_tables', 'pg_stat_activity', 'pg_locks', 'pg_sequences')
                THEN 'v' ELSE 'r' END AS relkind,
       comment
FROM named;

-- lakegate_schemas: the schemas clients see: PostgreSQL's three and the
-- lake's (DuckDB's main schema only when something lives in it).
CREATE VIEW lakegate_pg_catalog.lakegate_schemas AS
SELECT DISTINCT nspname FROM (
    SELECT unnest(['pg_catalog', 'public', 'information_schema']) AS nspname
    UNION ALL
    SELECT schema_name FROM duckdb_schemas()
    WHERE database_name = current_database() AND NOT internal
      AND schema_name NOT IN ('main', 'lakegate_pg_catalog', 'lakegate_information_schema', 'lakegate')
    UNION ALL
    SELECT nspname FROM lakegate_pg_catalog.lakegate_relations
);

-- lakegate_columns: the columns of every relation, with the PostgreSQL
-- type lakegate reports for them on the wire (engine/types.go pgType).
CREATE VIEW lakegate_pg_catalog.lakegate_columns AS
SELECT r.oid AS attrelid, r.nspname, r.relname, c.column_name AS attname,
       CAST(c.column_index AS SMALLINT) AS attnum,
       c.is_nullable, c.column_default, c.comment, c.data_type,
       lakegate_type_oid(c.data_type) AS atttypid,
       lakegate_typmod(c.data_type) AS atttypmod
FROM duckdb_columns() c
JOIN lakegate_pg_catalog.lakegate_relations r
  ON r.duck_schema = c.schema_name AND r.relname = c.table_name
WHERE c.database_name = current_database();

-- lakegate_descriptions: the lake tables' descriptions (catalog.Table
-- .Description), filled when the engine opens.
CREATE TABLE lakegate_pg_catalog.lakegate_descriptions (nspname VARCHAR, relname VARCHAR, description VARCHAR);
