-- pg_sequences: lakegate has none; PostgreSQL's columns, no rows.
CREATE VIEW lakegate_pg_catalog.pg_sequences AS
SELECT CAST(NULL AS VARCHAR) AS schemaname,
       CAST(NULL AS VARCHAR) AS sequencename,
       CAST(NULL AS VARCHAR) AS sequenceowner,
       CAST(NULL AS BIGINT) AS data_type,
       CAST(NULL AS BIGINT) AS start_value,
       CAST(NULL AS BIGINT) AS min_value,
       CAST(NULL AS BIGINT) AS max_value,
       CAST(NULL AS BIGINT) AS increment_by,
       CAST(NULL AS BOOLEAN) AS cycle,
       CAST(NULL AS BIGINT) AS cache_size,
       CAST(NULL AS BIGINT) AS last_value
WHERE false;
