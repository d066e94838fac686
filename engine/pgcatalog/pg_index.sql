-- pg_index: lakegate has none; PostgreSQL's columns, no rows.
CREATE VIEW lakegate_pg_catalog.pg_index AS
SELECT CAST(NULL AS BIGINT) AS indexrelid,
       CAST(NULL AS BIGINT) AS indrelid,
       CAST(NULL AS SMALLINT) AS indnatts,
       CAST(NULL AS SMALLINT) AS indnkeyatts,
       CAST(NULL AS BOOLEAN) AS indisunique,
       CAST(NULL AS BOOLEAN) AS indnullsnotdistinct,
       CAST(NULL AS BOOLEAN) AS indisprimary,
       CAST(NULL AS BOOLEAN) AS indisexclusion,
       CAST(NULL AS BOOLEAN) AS indimmediate,
       CAST(NULL AS BOOLEAN) AS indisclustered,
       CAST(NULL AS BOOLEAN) AS indisvalid,
       CAST(NULL AS BOOLEAN) AS indcheckxmin,
       CAST(NULL AS BOOLEAN) AS indisready,
       CAST(NULL AS BOOLEAN) AS indislive,
       CAST(NULL AS BOOLEAN) AS indisreplident,
       CAST(NULL AS SMALLINT[]) AS indkey,
       CAST(NULL AS BIGINT[]) AS indcollation,
       CAST(NULL AS BIGINT[]) AS indclass,
       CAST(NULL AS SMALLINT[]) AS indoption,
       CAST(NULL AS VARCHAR) AS indexprs,
       CAST(NULL AS VARCHAR) AS indpred
WHERE false;
