-- information_schema.columns with PostgreSQL's data_type and udt_name for
-- the type lakegate reports on the wire.
CREATE MACRO lakegate_information_schema.columns(dbname) AS TABLE
SELECT CAST(dbname AS VARCHAR) AS table_catalog, CAST(c.nspname AS VARCHAR) AS table_schema,
       CAST(c.relname AS VARCHAR) AS table_name, CAST(c.attname AS VARCHAR) AS column_name,
       CAST(c.attnum AS INTEGER) AS ordinal_position, CAST(NULL AS VARCHAR) AS column_default,
       CASE WHEN c.is_nullable THEN 'YES' ELSE 'NO' END AS is_nullable,
       CASE WHEN t.typcategory = 'A' THEN 'ARRAY'
            ELSE format_type(c.atttypid, NULL) END AS data_type,
       CAST(NULL AS INTEGER) AS character_maximum_length,
       CAST(CASE WHEN c.atttypid = 25 THEN 1073741824 END AS INTEGER) AS character_octet_length,
       CAST(CASE c.atttypid WHEN 21 THEN 16 WHEN 23 THEN 32 WHEN 20 THEN 64 WHEN 700 THEN 24 WHEN 701 THEN 53
                 WHEN 1700 THEN CASE WHEN c.atttypmod > 4 THEN (c.atttypmod - 4) // 65536 END END AS INTEGER) AS numeric_precision,
       CAST(CASE WHEN c.atttypid IN (21, 23, 20, 700, 701) THEN 2 WHEN c.atttypid = 1700 THEN 10 END AS INTEGER) AS numeric_precision_radix,
       CAST(CASE WHEN c.atttypid IN (21, 23, 20) THEN 0
                 WHEN c.atttypid = 1700 AND c.atttypmod > 4 THEN (c.atttypmod - 4) % 65536 END AS INTEGER) AS numeric_scale,
       CAST(CASE WHEN c.atttypid = 1082 THEN 0 WHEN c.atttypid IN (1083, 1114, 1184, 1266, 1186) THEN 6 END AS INTEGER) AS datetime_precision,
       CAST(NULL AS VARCHAR) AS interval_type, CAST(NULL AS INTEGER) AS interval_precision,
       CAST(NULL AS VARCHAR) AS character_set_catalog, CAST(NULL AS VARCHAR) AS character_set_schema,
       CAST(NULL AS VARCHAR) AS character_set_name, CAST(NULL AS VARCHAR) AS collation_catalog,
       CAST(NULL AS VARCHAR) AS collation_schema, CAST(NULL AS VARCHAR) AS collation_name,
       CAST(NULL AS VARCHAR) AS domain_catalog, CAST(NULL AS VARCHAR) AS domain_schema, CAST(NULL AS VARCHAR) AS domain_name,
       CAST(dbname AS VARCHAR) AS udt_catalog, 'pg_catalog' AS udt_schema, CAST(t.typname AS VARCHAR) AS udt_name,
       CAST(NULL AS VARCHAR) AS scope_catalog, CAST(NULL AS VARCHAR) AS scope_schema, CAST(NULL AS VARCHAR) AS scope_name,
       CAST(NULL AS INTEGER) AS maximum_cardinality, CAST(c.attnum AS VARCHAR) AS dtd_identifier,
       'NO' AS is_self_referencing, 'NO' AS is_identity, CAST(NULL AS VARCHAR) AS identity_generation,
       CAST(NULL AS VARCHAR) AS identity_start, CAST(NULL AS VARCHAR) AS identity_increment,
       CAST(NULL AS VARCHAR) AS identity_maximum, CAST(NULL AS VARCHAR) AS identity_minimum,
       CAST(NULL AS VARCHAR) AS identity_cycle, 'NEVER' AS is_generated,
       CAST(NULL AS VARCHAR) AS generation_expression, 'NO' AS is_updatable
FROM lakegate_pg_catalog.lakegate_columns c
LEFT JOIN lakegate_pg_catalog.pg_type t ON t.oid = c.atttypid;
