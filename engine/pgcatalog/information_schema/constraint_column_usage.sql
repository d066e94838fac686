-- information_schema.constraint_column_usage: the lake has none.
CREATE MACRO lakegate_information_schema.constraint_column_usage(dbname) AS TABLE
SELECT CAST(NULL AS VARCHAR) AS table_catalog,
       CAST(NULL AS VARCHAR) AS table_schema,
       CAST(NULL AS VARCHAR) AS table_name,
       CAST(NULL AS VARCHAR) AS column_name,
       CAST(NULL AS VARCHAR) AS constraint_catalog,
       CAST(NULL AS VARCHAR) AS constraint_schema,
       CAST(NULL AS VARCHAR) AS constraint_name
WHERE false;
