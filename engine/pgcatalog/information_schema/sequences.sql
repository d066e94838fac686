-- information_schema.sequences: the lake has none.
CREATE MACRO lakegate_information_schema.sequences(dbname) AS TABLE
SELECT CAST(NULL AS VARCHAR) AS sequence_catalog,
       CAST(NULL AS VARCHAR) AS sequence_schema,
       CAST(NULL AS VARCHAR) AS sequence_name,
       CAST(NULL AS VARCHAR) AS data_type,
       CAST(NULL AS VARCHAR) AS start_value,
       CAST(NULL AS VARCHAR) AS minimum_value,
       CAST(NULL AS VARCHAR) AS maximum_value,
       CAST(NULL AS VARCHAR) AS increment,
       CAST(NULL AS VARCHAR) AS cycle_option
WHERE false;
