-- pg_enum: lakegate has none; PostgreSQL's columns, no rows.
CREATE VIEW lakegate_pg_catalog.pg_enum AS
SELECT CAST(NULL AS BIGINT) AS oid,
       CAST(NULL AS BIGINT) AS enumtypid,
       CAST(NULL AS FLOAT) AS enumsortorder,
       CAST(NULL AS VARCHAR) AS enumlabel
WHERE false;
