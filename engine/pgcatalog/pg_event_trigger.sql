-- pg_event_trigger: lakegate has none; PostgreSQL's columns, no rows.
CREATE VIEW lakegate_pg_catalog.pg_event_trigger AS
SELECT CAST(NULL AS BIGINT) AS oid,
       CAST(NULL AS VARCHAR) AS evtname,
       CAST(NULL AS VARCHAR) AS evtevent,
       CAST(NULL AS BIGINT) AS evtowner,
       CAST(NULL AS BIGINT) AS evtfoid,
       CAST(NULL AS VARCHAR) AS evtenabled,
       CAST(NULL AS VARCHAR[]) AS evttags
WHERE false;
