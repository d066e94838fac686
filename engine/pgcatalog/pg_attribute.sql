-- pg_attribute: the columns of every relation. atttypid is the type OID
-- the wire reports for the column, so it joins pg_type.oid.
CREATE VIEW lakegate_pg_catalog.pg_attribute AS
SELECT c.attrelid,
       CAST(c.attname AS VARCHAR) AS attname,
       CAST(c.atttypid AS BIGINT) AS atttypid,
       CAST(-1 AS INTEGER) AS attstattarget,
       CAST(COALESCE(t.typlen, -1) AS SMALLINT) AS attlen,
       c.attnum,
       CAST(CASE WHEN t.typcategory = 'A' THEN 1 ELSE 0 END AS INTEGER) AS attndims,
       CAST(-1 AS INTEGER) AS attcacheoff,
       CAST(c.atttypmod AS INTEGER) AS atttypmod,
       COALESCE(t.typbyval, false) AS attbyval,
       COALESCE(t.typalign, 'i') AS attalign,
       COALESCE(t.typstorage, 'x') AS attstorage,
       '' AS attcompression,
       NOT c.is_nullable AS attnotnull,
       false AS atthasdef,
       false AS atthasmissing,
       '' AS attidentity,
       '' AS attgenerated,
       false AS attisdropped,
       true AS attislocal,
       CAST(0 AS INTEGER) AS attinhcount,
       CAST(CASE WHEN c.atttypid IN (25, 1009) THEN 100 ELSE 0 END AS BIGINT) AS attcollation,
       CAST(NULL AS VARCHAR[]) AS attacl,
       CAST(NULL AS VARCHAR[]) AS attoptions,
       CAST(NULL AS VARCHAR[]) AS attfdwoptions,
       CAST(NULL AS VARCHAR) AS attmissingval
FROM lakegate_pg_catalog.lakegate_columns c
LEFT JOIN lakegate_pg_catalog.pg_type t ON t.oid = c.atttypid;
