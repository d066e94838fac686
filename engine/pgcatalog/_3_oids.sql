-- Stable OIDs. PostgreSQL's own objects keep their OIDs; a lake schema or
-- table gets a hash of its name in the user OID range [16384, 2^31), the
-- same on every start and on every lakegate, whatever order the tables
-- load in (DuckDB's own oids are creation counters).
CREATE MACRO lakegate_pg_catalog.lakegate_hash_oid(key) AS
    16384 + CAST(('0x' || substr(md5(key), 1, 8)) AS BIGINT) % 2147467264;

CREATE MACRO lakegate_pg_catalog.lakegate_namespace_oid(nsp) AS
    CASE nsp
        WHEN 'pg_catalog' THEN 11
        WHEN 'public' THEN 2200
        WHEN 'information_schema' THEN 13207
        ELSE lakegate_hash_oid('namespace:' || nsp)
    END;

-- The relations clients look up by name keep PostgreSQL's OIDs
-- ('pg_class'::regclass is 1259 in pg_description.classoid).
CREATE MACRO lakegate_pg_catalog.lakegate_relation_oid(nsp, rel) AS
    CASE WHEN nsp = 'pg_catalog' THEN
        CASE rel
            WHEN 'pg_type' THEN 1247 WHEN 'pg_attribute' THEN 1249
            WHEN 'pg_proc' THEN 1255 WHEN 'pg_class' THEN 1259
            WHEN 'pg_database' THEN 1262 WHEN 'pg_namespace' THEN 2615
            WHEN 'pg_description' THEN 2609 WHEN 'pg_constraint' THEN 2606
            WHEN 'pg_index' THEN 2610 WHEN 'pg_authid' THEN 1260
            WHEN 'pg_am' THEN 2601 WHEN 'pg_inherits' THEN 2611
            WHEN 'pg_trigger' THEN 2620 WHEN 'pg_rewrite' THEN 2618
            WHEN 'pg_attrdef' THEN 2604 WHEN 'pg_depend' THEN 2608
            WHEN 'pg_collation' THEN 3456 WHEN 'pg_extension' THEN 3079
            WHEN 'pg_range' THEN 3541 WHEN 'pg_policy' THEN 3256
            WHEN 'pg_statistic_ext' THEN 3381 WHEN 'pg_publication' THEN 6104
            WHEN 'pg_sequence' THEN 2224 WHEN 'pg_enum' THEN 3501
            WHEN 'pg_tablespace' THEN 1213 WHEN 'pg_shdescription' THEN 2396
            WHEN 'pg_operator' THEN 2617 WHEN 'pg_cast' THEN 2605
            WHEN 'pg_language' THEN 2612 WHEN 'pg_aggregate' THEN 2600
            ELSE lakegate_hash_oid('relation:' || nsp || '.' || rel)
        END
    ELSE lakegate_hash_oid('relation:' || nsp || '.' || rel) END;
