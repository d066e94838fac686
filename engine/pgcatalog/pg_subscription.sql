-- pg_subscription: lakegate has none; PostgreSQL's columns, no rows.
CREATE VIEW lakegate_pg_catalog.pg_subscription AS
SELECT CAST(NULL AS BIGINT) AS oid,
       CAST(NULL AS BIGINT) AS subdbid,
       CAST(NULL AS VARCHAR) AS subskiplsn,
       CAST(NULL AS VARCHAR) AS subname,
       CAST(NULL AS BIGINT) AS subowner,
       CAST(NULL AS BOOLEAN) AS subenabled,
       CAST(NULL AS BOOLEAN) AS subbinary,
       CAST(NULL AS BOOLEAN) AS substream,
       CAST(NULL AS VARCHAR) AS subtwophasestate,
       CAST(NULL AS BOOLEAN) AS subdisableonerr,
       CAST(NULL AS VARCHAR) AS subconninfo,
       CAST(NULL AS VARCHAR) AS subslotname,
       CAST(NULL AS VARCHAR) AS subsynccommit,
       CAST(NULL AS VARCHAR[]) AS subpublications
WHERE false;
