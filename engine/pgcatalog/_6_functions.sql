-- Functions clients call, as DuckDB macros in lakegate_pg_catalog (first on
-- every connection's search path, so they win over DuckDB's own
-- pg_catalog emulation). Functions whose result depends on the session
-- (current_user, current_setting, pg_get_userbyid, pg_table_is_visible...)
-- get the session's values as extra arguments from the session rewrite
-- (rewrite_session.go); the shorter forms here are fallbacks.

CREATE MACRO lakegate_pg_catalog.version() AS '{{version}}';

CREATE MACRO lakegate_pg_catalog.lakegate_format_scalar(oid, typmod) AS
    CASE
        WHEN oid IS NULL THEN NULL
        WHEN oid = 1043 AND typmod > 4 THEN 'character varying(' || (typmod - 4) || ')'
        WHEN oid = 1042 AND typmod > 4 THEN 'character(' || (typmod - 4) || ')'
        WHEN oid = 1700 AND typmod > 4 THEN
            'numeric(' || ((typmod - 4) // 65536) || ',' || ((typmod - 4) % 65536) || ')'
        ELSE CASE oid
            WHEN 16 THEN 'boolean' WHEN 17 THEN 'bytea' WHEN 18 THEN '"char"' WHEN 19 THEN 'name'
            WHEN 20 THEN 'bigint' WHEN 21 THEN 'smallint' WHEN 23 THEN 'integer' WHEN 25 THEN 'text'
            WHEN 26 THEN 'oid' WHEN 114 THEN 'json' WHEN 700 THEN 'real' WHEN 701 THEN 'double precision'
            WHEN 1042 THEN 'character' WHEN 1043 THEN 'character varying' WHEN 1082 THEN 'date'
            WHEN 1083 THEN 'time without time zone' WHEN 1114 THEN 'timestamp without time zone'
            WHEN 1184 THEN 'timestamp with time zone' WHEN 1186 THEN 'interval'
            WHEN 1266 THEN 'time with time zone' WHEN 1560 THEN 'bit' WHEN 1562 THEN 'bit varying'
            WHEN 1700 THEN 'numeric' WHEN 2950 THEN 'uuid' WHEN 3802 THEN 'jsonb'
            WHEN 24 THEN 'regproc' WHEN 2205 THEN 'regclass' WHEN 2206 THEN 'regtype'
            WHEN 4089 THEN 'regnamespace' WHEN 4096 THEN 'regrole' WHEN 142 THEN 'xml'
            WHEN 705 THEN 'unknown' WHEN 2249 THEN 'record' WHEN 2278 THEN 'void'
            WHEN 22 THEN 'int2vector' WHEN 30 THEN 'oidvector' WHEN 194 THEN 'pg_node_tree'
            WHEN 1033 THEN 'aclitem' WHEN 28 THEN 'xid' WHEN 2277 THEN 'anyarray'
            ELSE '???'
        END
    END;

-- The element type of PostgreSQL's array types (a CASE, not a lookup in
-- pg_type: format_type runs once per row of pg_attribute).
CREATE MACRO lakegate_pg_catalog.lakegate_array_elem(oid) AS
    CASE oid
        WHEN 1000 THEN 16 WHEN 1001 THEN 17 WHEN 1002 THEN 18 WHEN 1003 THEN 19 WHEN 1016 THEN 20
        WHEN 1005 THEN 21 WHEN 1007 THEN 23 WHEN 1009 THEN 25 WHEN 1028 THEN 26 WHEN 199 THEN 114
        WHEN 1021 THEN 700 WHEN 1022 THEN 701 WHEN 1014 THEN 1042 WHEN 1015 THEN 1043
        WHEN 1182 THEN 1082 WHEN 1183 THEN 1083 WHEN 1115 THEN 1114 WHEN 1185 THEN 1184
        WHEN 1187 THEN 1186 WHEN 1270 THEN 1266 WHEN 1231 THEN 1700 WHEN 2951 THEN 2950
        WHEN 3807 THEN 3802 WHEN 1008 THEN 24 WHEN 2210 THEN 2205 WHEN 2211 THEN 2206
    END;

CREATE MACRO lakegate_pg_catalog.format_type(oid, typmod) AS
    CASE
        WHEN oid IS NULL THEN NULL
        WHEN lakegate_array_elem(oid) IS NOT NULL THEN
            lakegate_format_scalar(lakegate_array_elem(oid), typmod) || '[]'
        ELSE lakegate_format_scalar(oid, typmod)
    END;

CREATE MACRO lakegate_pg_catalog.pg_get_userbyid(id) AS
    CASE WHEN id IS NULL THEN NULL WHEN id = 10 THEN current_user ELSE 'unknown (OID=' || id || ')' END,
    (id, username) AS
    CASE WHEN id IS NULL THEN NULL WHEN id = 10 THEN username ELSE 'unknown (OID=' || id || ')' END;

CREATE MACRO lakegate_pg_catalog.pg_encoding_to_char(enc) AS
    CASE enc WHEN 6 THEN 'UTF8' WHEN 0 THEN 'SQL_ASCII' WHEN 8 THEN 'LATIN1' ELSE '' END;
CREATE MACRO lakegate_pg_catalog.pg_char_to_encoding(name) AS
    CASE upper(name) WHEN 'UTF8' THEN 6 WHEN 'SQL_ASCII' THEN 0 WHEN 'LATIN1' THEN 8 ELSE -1 END;

-- A relation is visible when its schema is on the search path.
CREATE MACRO lakegate_pg_catalog.pg_table_is_visible(relid) AS
    list_contains(['pg_catalog', 'public'], (SELECT r.nspname FROM lakegate_pg_catalog.lakegate_relations r WHERE r.oid = relid LIMIT 1)),
    (relid, schemas) AS
    list_contains(schemas, (SELECT r.nspname FROM lakegate_pg_catalog.lakegate_relations r WHERE r.oid = relid LIMIT 1));
CREATE MACRO lakegate_pg_catalog.pg_type_is_visible(typid) AS true;
CREATE MACRO lakegate_pg_catalog.pg_function_is_visible(funcid) AS true;
CREATE MACRO lakegate_pg_catalog.pg_collation_is_visible(collid) AS true;

-- The lake has no expressions, indexes, constraints, partition keys,
-- sequences or view definitions to show.
CREATE MACRO lakegate_pg_catalog.pg_get_expr(expr, relid) AS CAST(NULL AS VARCHAR),
    (expr, relid, pretty) AS CAST(NULL AS VARCHAR);
CREATE MACRO lakegate_pg_catalog.pg_get_indexdef(indexid) AS CAST(NULL AS VARCHAR),
    (indexid, col, pretty) AS CAST(NULL AS VARCHAR);
CREATE MACRO lakegate_pg_catalog.pg_get_constraintdef(conid) AS CAST(NULL AS VARCHAR),
    (conid, pretty) AS CAST(NULL AS VARCHAR);
CREATE MACRO lakegate_pg_catalog.pg_get_partkeydef(relid) AS CAST(NULL AS VARCHAR);
CREATE MACRO lakegate_pg_catalog.pg_get_serial_sequence(tab, col) AS CAST(NULL AS VARCHAR);
CREATE MACRO lakegate_pg_catalog.pg_get_viewdef(v) AS CAST(NULL AS VARCHAR),
    (v, pretty) AS CAST(NULL AS VARCHAR);
CREATE MACRO lakegate_pg_catalog.pg_get_triggerdef(t) AS CAST(NULL AS VARCHAR),
    (t, pretty) AS CAST(NULL AS VARCHAR);
CREATE MACRO lakegate_pg_catalog.pg_get_ruledef(r) AS CAST(NULL AS VARCHAR),
    (r, pretty) AS CAST(NULL AS VARCHAR);
CREATE MACRO lakegate_pg_catalog.pg_get_statisticsobjdef_columns(s) AS CAST(NULL AS VARCHAR);
CREATE MACRO lakegate_pg_catalog.pg_get_function_result(f) AS CAST(NULL AS VARCHAR);
CREATE MACRO lakegate_pg_catalog.pg_get_function_arguments(f) AS CAST(NULL AS VARCHAR);
CREATE MACRO lakegate_pg_catalog.pg_get_function_identity_arguments(f) AS CAST(NULL AS VARCHAR);
CREATE MACRO lakegate_pg_catalog.pg_relation_is_publishable(r) AS false;
CREATE MACRO lakegate_pg_catalog.pg_tablespace_location(t) AS '';
CREATE MACRO lakegate_pg_catalog.pg_is_in_recovery() AS false;
CREATE MACRO lakegate_pg_catalog.pg_is_other_temp_schema(n) AS false;
CREATE MACRO lakegate_pg_catalog.pg_my_temp_schema() AS CAST(0 AS BIGINT);
CREATE MACRO lakegate_pg_catalog.txid_current() AS CAST(1 AS BIGINT);

-- Sizes: the lake's bytes are not counted here.
CREATE MACRO lakegate_pg_catalog.pg_total_relation_size(r) AS CAST(0 AS BIGINT);
CREATE MACRO lakegate_pg_catalog.pg_relation_size(r) AS CAST(0 AS BIGINT),
    (r, fork) AS CAST(0 AS BIGINT);
CREATE MACRO lakegate_pg_catalog.pg_table_size(r) AS CAST(0 AS BIGINT);
CREATE MACRO lakegate_pg_catalog.pg_indexes_size(r) AS CAST(0 AS BIGINT);
CREATE MACRO lakegate_pg_catalog.pg_database_size(d) AS CAST(0 AS BIGINT);

-- Every object a session sees it may read (grants are enforced elsewhere).
CREATE MACRO lakegate_pg_catalog.has_table_privilege(a) AS true, (a, b) AS true, (a, b, c) AS true;
CREATE MACRO lakegate_pg_catalog.has_schema_privilege(a) AS true, (a, b) AS true, (a, b, c) AS true;
CREATE MACRO lakegate_pg_catalog.has_database_privilege(a) AS true, (a, b) AS true, (a, b, c) AS true;
CREATE MACRO lakegate_pg_catalog.has_column_privilege(a, b) AS true, (a, b, c) AS true, (a, b, c, d) AS true;
CREATE MACRO lakegate_pg_catalog.has_any_column_privilege(a) AS true, (a, b) AS true, (a, b, c) AS true;
CREATE MACRO lakegate_pg_catalog.has_function_privilege(a) AS true, (a, b) AS true, (a, b, c) AS true;
CREATE MACRO lakegate_pg_catalog.has_sequence_privilege(a) AS true, (a, b) AS true, (a, b, c) AS true;
CREATE MACRO lakegate_pg_catalog.has_type_privilege(a) AS true, (a, b) AS true, (a, b, c) AS true;
CREATE MACRO lakegate_pg_catalog.has_tablespace_privilege(a) AS true, (a, b) AS true, (a, b, c) AS true;
CREATE MACRO lakegate_pg_catalog.pg_has_role(a, b) AS true, (a, b, c) AS true;

CREATE MACRO lakegate_pg_catalog.obj_description(objid) AS
    (SELECT d.description FROM lakegate_pg_catalog.pg_description d WHERE d.objoid = objid AND d.objsubid = 0 LIMIT 1),
    (objid, catalog) AS
    (SELECT d.description FROM lakegate_pg_catalog.pg_description d WHERE d.objoid = objid AND d.objsubid = 0 LIMIT 1);
CREATE MACRO lakegate_pg_catalog.col_description(relid, attnum) AS
    (SELECT d.description FROM lakegate_pg_catalog.pg_description d WHERE d.objoid = relid AND d.objsubid = attnum LIMIT 1);
CREATE MACRO lakegate_pg_catalog.shobj_description(objid, catalog) AS CAST(NULL AS VARCHAR);

CREATE MACRO lakegate_pg_catalog.array_upper(arr, dim) AS
    CASE WHEN dim = 1 AND len(arr) > 0 THEN CAST(len(arr) AS INTEGER) END;
CREATE MACRO lakegate_pg_catalog.array_lower(arr, dim) AS
    CASE WHEN dim = 1 AND len(arr) > 0 THEN CAST(1 AS INTEGER) END;
CREATE MACRO lakegate_pg_catalog.array_ndims(arr) AS CASE WHEN len(arr) > 0 THEN CAST(1 AS INTEGER) END;

-- parse_ident('a."B".c') is {a,B,c}.
CREATE MACRO lakegate_pg_catalog.parse_ident(s) AS
    list_transform(regexp_extract_all(s, '"(?:[^"]|"")*"|[^."]+'),
        p -> CASE WHEN p[1] = '"' THEN replace(p[2:-2], '""', '"') ELSE lower(p) END),
    (s, strict) AS list_transform(regexp_extract_all(s, '"(?:[^"]|"")*"|[^."]+'),
        p -> CASE WHEN p[1] = '"' THEN replace(p[2:-2], '""', '"') ELSE lower(p) END);

CREATE MACRO lakegate_pg_catalog.pg_get_keywords() AS TABLE
    SELECT keyword_name AS word,
           CASE keyword_category WHEN 'reserved' THEN 'R' WHEN 'unreserved' THEN 'U'
                WHEN 'type_function' THEN 'T' ELSE 'C' END AS catcode,
           false AS barelabel,
           keyword_category AS catdesc,
           'can be bare label' AS baredesc
    FROM duckdb_keywords();

-- Names and OIDs behind the reg* casts (rewrite_regclass.go).
-- 'schema.name', '"Quoted"."name"' and 'name' (looked up in pg_catalog,
-- then public, then the other schemas in order) are understood.
CREATE MACRO lakegate_pg_catalog.lakegate_regclass_oid(name) AS (
    SELECT r.oid FROM lakegate_pg_catalog.lakegate_relations r
    WHERE CASE WHEN len(parse_ident(name)) = 2
               THEN r.nspname = parse_ident(name)[1] AND r.relname = parse_ident(name)[2]
               ELSE r.relname = parse_ident(name)[1] END
    ORDER BY CASE r.nspname WHEN 'pg_catalog' THEN 0 WHEN 'public' THEN 1 ELSE 2 END, r.nspname
    LIMIT 1);
CREATE MACRO lakegate_pg_catalog.lakegate_regclass_name(relid) AS COALESCE((
    SELECT CASE WHEN r.nspname IN ('pg_catalog', 'public') THEN r.relname
                ELSE r.nspname || '.' || r.relname END
    FROM lakegate_pg_catalog.lakegate_relations r WHERE r.oid = relid LIMIT 1), CAST(relid AS VARCHAR));
CREATE MACRO lakegate_pg_catalog.lakegate_regtype_oid(name) AS (
    SELECT t.oid FROM lakegate_pg_catalog.pg_type t
    WHERE t.typname = regexp_replace(lower(name), '^pg_catalog\.', '')
       OR format_type(t.oid, NULL) = lower(name)
    ORDER BY t.oid LIMIT 1);
CREATE MACRO lakegate_pg_catalog.lakegate_regtype_name(typid) AS
    COALESCE(format_type(typid, NULL), CAST(typid AS VARCHAR));
CREATE MACRO lakegate_pg_catalog.lakegate_regproc_oid(name) AS (
    SELECT p.oid FROM lakegate_pg_catalog.pg_proc p
    WHERE p.proname = regexp_replace(regexp_replace(name, '\(.*$', ''), '^pg_catalog\.', '')
    ORDER BY p.oid LIMIT 1);
CREATE MACRO lakegate_pg_catalog.lakegate_regproc_name(procid) AS COALESCE(
    (SELECT p.proname FROM lakegate_pg_catalog.pg_proc p WHERE p.oid = procid LIMIT 1),
    CASE WHEN procid = 0 THEN '-' ELSE CAST(procid AS VARCHAR) END);
CREATE MACRO lakegate_pg_catalog.lakegate_regnamespace_oid(name) AS
    lakegate_namespace_oid(parse_ident(name)[1]);
CREATE MACRO lakegate_pg_catalog.lakegate_regnamespace_name(nspid) AS COALESCE(
    (SELECT n.nspname FROM lakegate_pg_catalog.pg_namespace n WHERE n.oid = nspid LIMIT 1), CAST(nspid AS VARCHAR));
CREATE MACRO lakegate_pg_catalog.to_regclass(name) AS lakegate_regclass_oid(name);
CREATE MACRO lakegate_pg_catalog.to_regtype(name) AS lakegate_regtype_oid(name);
CREATE MACRO lakegate_pg_catalog.to_regproc(name) AS lakegate_regproc_oid(name);
CREATE MACRO lakegate_pg_catalog.to_regnamespace(name) AS lakegate_regnamespace_oid(name);

-- quote_ident quotes unless the name is a lower-case identifier that is
-- not a reserved keyword.
CREATE MACRO lakegate_pg_catalog.quote_ident(s) AS
    CASE WHEN regexp_matches(s, '^[a-z_][a-z0-9_$]*$')
              AND NOT EXISTS (SELECT 1 FROM duckdb_keywords() k WHERE k.keyword_name = s AND k.keyword_category = 'reserved')
         THEN s ELSE '"' || replace(s, '"', '""') || '"' END;

-- quote_literal doubles quotes, and writes E'...' with doubled backslashes
-- when there is a backslash; quote_nullable is NULL for NULL.
CREATE MACRO lakegate_pg_catalog.quote_literal(s) AS
    CASE WHEN contains(CAST(s AS VARCHAR), '\')
         THEN 'E''' || replace(replace(CAST(s AS VARCHAR), '\', '\\'), '''', '''''') || ''''
         ELSE '''' || replace(CAST(s AS VARCHAR), '''', '''''') || '''' END;
CREATE MACRO lakegate_pg_catalog.quote_nullable(s) AS
    CASE WHEN s IS NULL THEN 'NULL' ELSE quote_literal(s) END;

-- btrim is what PostgreSQL's parser makes of trim(both ... from ...).
CREATE MACRO lakegate_pg_catalog.btrim(s) AS trim(s), (s, chars) AS trim(s, chars);

-- x = ANY(list) with PostgreSQL's NULLs (the arrays rewrite calls it):
-- true when x is found, false for an empty list, NULL when x or the list
-- is NULL or the list has a NULL and x is not found, false otherwise.
-- list_contains comes first: DuckDB infers a parameter's type from it.
CREATE MACRO lakegate_pg_catalog.lakegate_any_eq(l, x) AS
    CASE WHEN list_contains(l, x) THEN true
         WHEN len(l) = 0 THEN false
         WHEN l IS NULL OR x IS NULL OR list_contains(list_transform(l, e -> e IS NULL), true) THEN NULL
         ELSE false END;
