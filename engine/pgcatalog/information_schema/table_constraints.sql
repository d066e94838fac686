-- information_schema.table_constraints: the lake has none.
CREATE MACRO lakegate_information_schema.table_constraints(dbname) AS TABLE
SELECT CAST(NULL AS VARCHAR) AS constraint_catalog,
       CAST(NULL AS VARCHAR) AS constraint_schema,
       CAST(NULL AS VARCHAR) AS constraint_name,
       CAST(NULL AS VARCHAR) AS table_catalog,
       CAST(NULL AS VARCHAR) AS table_schema,
       CAST(NULL AS VARCHAR) AS table_name,
       CAST(NULL AS VARCHAR) AS constraint_type,
       CAST(NULL AS VARCHAR) AS is_deferrable,
       CAST(NULL AS VARCHAR) AS initially_deferred,
       CAST(NULL AS VARCHAR) AS enforced,
       CAST(NULL AS VARCHAR) AS nulls_distinct
WHERE false;
