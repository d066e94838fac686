-- The PostgreSQL type of a DuckDB column type (as duckdb_columns() spells
-- it), exactly as engine/types.go pgType maps it for the wire: integers
-- widen to the PostgreSQL type that holds every value, lists of scalars are
-- arrays, nested and composite types are json, the layer's lakegate_oid
-- and lakegate_char are oid and "char", the rest is text.
-- compat_test.go checks the two agree for every type.
CREATE MACRO lakegate_pg_catalog.lakegate_scalar_type_oid(t) AS
    CASE
        WHEN t = 'BOOLEAN' THEN 16
        WHEN t IN ('TINYINT', 'SMALLINT', 'UTINYINT') THEN 21
        WHEN t IN ('INTEGER', 'USMALLINT') THEN 23
        WHEN t IN ('BIGINT', 'UINTEGER') THEN 20
        WHEN t IN ('UBIGINT', 'HUGEINT', 'UHUGEINT') OR t LIKE 'DECIMAL(%' THEN 1700
        WHEN t = 'FLOAT' THEN 700
        WHEN t = 'DOUBLE' THEN 701
        WHEN t = 'BLOB' THEN 17
        WHEN t = 'DATE' THEN 1082
        WHEN t IN ('TIME', 'TIME_NS') THEN 1083
        WHEN t = 'TIME WITH TIME ZONE' THEN 1266
        WHEN t IN ('TIMESTAMP', 'TIMESTAMP_S', 'TIMESTAMP_MS', 'TIMESTAMP_NS') THEN 1114
        WHEN t = 'TIMESTAMP WITH TIME ZONE' THEN 1184
        WHEN t = 'INTERVAL' THEN 1186
        WHEN t = 'UUID' THEN 2950
        WHEN t = 'lakegate_oid' THEN 26
        WHEN t = 'lakegate_char' THEN 18
        WHEN t = 'JSON' OR t LIKE 'STRUCT(%' OR t LIKE 'MAP(%' OR t LIKE 'UNION(%' THEN 114
        ELSE 25
    END;

CREATE MACRO lakegate_pg_catalog.lakegate_array_type_oid(elem) AS
    CASE elem
        WHEN 16 THEN 1000 WHEN 21 THEN 1005 WHEN 23 THEN 1007 WHEN 20 THEN 1016
        WHEN 700 THEN 1021 WHEN 701 THEN 1022 WHEN 1700 THEN 1231 WHEN 25 THEN 1009
        WHEN 17 THEN 1001 WHEN 1082 THEN 1182 WHEN 1083 THEN 1183 WHEN 1114 THEN 1115
        WHEN 1184 THEN 1185 WHEN 1186 THEN 1187 WHEN 2950 THEN 2951
        WHEN 26 THEN 1028 WHEN 18 THEN 1002
        ELSE 114
    END;

-- A list is "ELEM[]" or a fixed-size array "ELEM[N]"; an element that is
-- itself a list makes json.
CREATE MACRO lakegate_pg_catalog.lakegate_type_oid(t) AS
    CASE
        WHEN regexp_matches(t, '\[[0-9]*\]$') THEN
            CASE WHEN regexp_matches(regexp_replace(t, '\[[0-9]*\]$', ''), '\]$') THEN 114
                 ELSE lakegate_array_type_oid(
                          lakegate_scalar_type_oid(regexp_replace(t, '\[[0-9]*\]$', '')))
            END
        ELSE lakegate_scalar_type_oid(t)
    END;

-- atttypmod: numeric(p, s) is ((p << 16) | s) + 4, also for arrays of
-- decimals; -1 otherwise.
CREATE MACRO lakegate_pg_catalog.lakegate_typmod(t) AS
    CASE
        WHEN regexp_matches(t, '^DECIMAL\([0-9]+,[0-9]+\)(\[[0-9]*\])?$')
             AND lakegate_type_oid(t) IN (1700, 1231) THEN
            CAST(regexp_extract(t, '^DECIMAL\(([0-9]+)', 1) AS INTEGER) * 65536
                + CAST(regexp_extract(t, '^DECIMAL\([0-9]+,([0-9]+)\)', 1) AS INTEGER) + 4
        ELSE -1
    END;
