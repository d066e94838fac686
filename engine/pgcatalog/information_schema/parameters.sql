-- information_schema.parameters: the lake has none.
CREATE MACRO lakegate_information_schema.parameters(dbname) AS TABLE
SELECT CAST(NULL AS VARCHAR) AS specific_catalog,
       CAST(NULL AS VARCHAR) AS specific_schema,
       CAST(NULL AS VARCHAR) AS specific_name,
       CAST(NULL AS INTEGER) AS ordinal_position,
       CAST(NULL AS VARCHAR) AS parameter_mode,
       CAST(NULL AS VARCHAR) AS parameter_name,
       CAST(NULL AS VARCHAR) AS data_type,
       CAST(NULL AS VARCHAR) AS udt_name
WHERE false;
