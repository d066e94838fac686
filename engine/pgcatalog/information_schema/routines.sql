-- information_schema.routines: the lake has none.
CREATE MACRO lakegate_information_schema.routines(dbname) AS TABLE
SELECT CAST(NULL AS VARCHAR) AS specific_catalog,
       CAST(NULL AS VARCHAR) AS specific_schema,
       CAST(NULL AS VARCHAR) AS specific_name,
       CAST(NULL AS VARCHAR) AS routine_catalog,
       CAST(NULL AS VARCHAR) AS routine_schema,
       CAST(NULL AS VARCHAR) AS routine_name,
       CAST(NULL AS VARCHAR) AS routine_type,
       CAST(NULL AS VARCHAR) AS data_type,
       CAST(NULL AS VARCHAR) AS type_udt_name,
       CAST(NULL AS VARCHAR) AS routine_definition,
       CAST(NULL AS VARCHAR) AS external_language
WHERE false;
