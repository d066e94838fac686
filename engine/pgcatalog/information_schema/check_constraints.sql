-- information_schema.check_constraints: the lake has none.
CREATE MACRO lakegate_information_schema.check_constraints(dbname) AS TABLE
SELECT CAST(NULL AS VARCHAR) AS constraint_catalog,
       CAST(NULL AS VARCHAR) AS constraint_schema,
       CAST(NULL AS VARCHAR) AS constraint_name,
       CAST(NULL AS VARCHAR) AS check_clause
WHERE false;
