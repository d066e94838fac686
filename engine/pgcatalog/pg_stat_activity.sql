-- pg_stat_activity: one row per client session, PostgreSQL's columns and,
-- last, lakegate_rows_sent (the progress of a running statement). The rows
-- live in lakegate_activity_rows, which the engine refills from its session
-- registry just before a statement that names pg_stat_activity runs
-- (engine/snapshot.go).
CREATE TABLE lakegate_pg_catalog.lakegate_activity_rows (
    pid INTEGER,
    datname VARCHAR,
    usename VARCHAR,
    application_name VARCHAR,
    client_addr VARCHAR,
    client_port INTEGER,
    backend_start TIMESTAMPTZ,
    xact_start TIMESTAMPTZ,
    query_start TIMESTAMPTZ,
    state_change TIMESTAMPTZ,
    state VARCHAR,
    query VARCHAR,
    rows_sent BIGINT
);
CREATE VIEW lakegate_pg_catalog.pg_stat_activity AS
SELECT CAST(1 AS BIGINT) AS datid,
       datname,
       pid,
       CAST(NULL AS INTEGER) AS leader_pid,
       CAST(10 AS BIGINT) AS usesysid,
       usename,
       application_name,
       client_addr,
       CAST(NULL AS VARCHAR) AS client_hostname,
       client_port,
       backend_start,
       xact_start,
       query_start,
       state_change,
       CASE WHEN state = 'active' THEN 'Extension' ELSE 'Client' END AS wait_event_type,
       CASE WHEN state = 'active' THEN 'DuckDB' ELSE 'ClientRead' END AS wait_event,
       state,
       CAST(NULL AS BIGINT) AS backend_xid,
       CAST(NULL AS BIGINT) AS backend_xmin,
       CAST(NULL AS BIGINT) AS query_id,
       -- Another user's statements are shown only to lakegate admins, as
       -- PostgreSQL shows them only to superusers and the same role
       -- (engine/access.go sets the viewer variables per statement).
       CASE WHEN coalesce(getvariable('lakegate_viewer_admin'), false) OR usename = getvariable('lakegate_viewer')
            THEN query ELSE '<insufficient privilege>' END AS query,
       'client backend' AS backend_type,
       rows_sent AS lakegate_rows_sent
FROM lakegate_pg_catalog.lakegate_activity_rows;
