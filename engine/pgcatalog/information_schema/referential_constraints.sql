-- information_schema.referential_constraints: the lake has none.
CREATE MACRO lakegate_information_schema.referential_constraints(dbname) AS TABLE
SELECT CAST(NULL AS VARCHAR) AS constraint_catalog,
       CAST(NULL AS VARCHAR) AS constraint_schema,
       CAST(NULL AS VARCHAR) AS constraint_name,
       CAST(NULL AS VARCHAR) AS unique_constraint_catalog,
       CAST(NULL AS VARCHAR) AS unique_constraint_schema,
       CAST(NULL AS VARCHAR) AS unique_constraint_name,
       CAST(NULL AS VARCHAR) AS match_option,
       CAST(NULL AS VARCHAR) AS update_rule,
       CAST(NULL AS VARCHAR) AS delete_rule
WHERE false;
