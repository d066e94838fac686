-- Relations whose rows depend on the session: the session rewrite
-- (rewrite_session.go) replaces pg_database, pg_roles, pg_user, pg_authid
-- and pg_settings with these table macros, called with the session's values.

CREATE MACRO lakegate_pg_catalog.lakegate_pg_database(dbname) AS TABLE
SELECT CAST(1 AS lakegate_oid) AS oid, CAST(dbname AS VARCHAR) AS datname, CAST(10 AS lakegate_oid) AS datdba,
       CAST(6 AS INTEGER) AS encoding, CAST('c' AS lakegate_char) AS datlocprovider, false AS datistemplate, true AS datallowconn,
       CAST(-1 AS INTEGER) AS datconnlimit, CAST(0 AS BIGINT) AS datfrozenxid, CAST(0 AS BIGINT) AS datminmxid,
       CAST(1663 AS lakegate_oid) AS dattablespace, 'C' AS datcollate, 'C' AS datctype,
       CAST(NULL AS VARCHAR) AS daticulocale, CAST(NULL AS VARCHAR) AS daticurules,
       CAST(NULL AS VARCHAR) AS datcollversion, CAST(NULL AS VARCHAR[]) AS datacl;

CREATE MACRO lakegate_pg_catalog.lakegate_pg_roles(username) AS TABLE
SELECT CAST(username AS VARCHAR) AS rolname, false AS rolsuper, true AS rolinherit, false AS rolcreaterole,
       false AS rolcreatedb, true AS rolcanlogin, false AS rolreplication, CAST(-1 AS INTEGER) AS rolconnlimit,
       '********' AS rolpassword, CAST(NULL AS TIMESTAMPTZ) AS rolvaliduntil, false AS rolbypassrls,
       CAST(NULL AS VARCHAR[]) AS rolconfig, CAST(10 AS lakegate_oid) AS oid;

CREATE MACRO lakegate_pg_catalog.lakegate_pg_authid(username) AS TABLE
SELECT CAST(10 AS lakegate_oid) AS oid, CAST(username AS VARCHAR) AS rolname, false AS rolsuper, true AS rolinherit,
       false AS rolcreaterole, false AS rolcreatedb, true AS rolcanlogin, false AS rolreplication,
       false AS rolbypassrls, CAST(-1 AS INTEGER) AS rolconnlimit, CAST(NULL AS VARCHAR) AS rolpassword,
       CAST(NULL AS TIMESTAMPTZ) AS rolvaliduntil;

CREATE MACRO lakegate_pg_catalog.lakegate_pg_user(username) AS TABLE
SELECT CAST(username AS VARCHAR) AS usename, CAST(10 AS lakegate_oid) AS usesysid, false AS usecreatedb,
       false AS usesuper, false AS userepl, false AS usebypassrls, '********' AS passwd,
       CAST(NULL AS TIMESTAMPTZ) AS valuntil, CAST(NULL AS VARCHAR[]) AS useconfig;

CREATE MACRO lakegate_pg_catalog.lakegate_pg_settings(names, settings, descriptions) AS TABLE
SELECT CAST(s.name AS VARCHAR) AS name, CAST(s.setting AS VARCHAR) AS setting, CAST(NULL AS VARCHAR) AS unit,
       CAST(NULL AS VARCHAR) AS category, CAST(s.short_desc AS VARCHAR) AS short_desc,
       CAST(NULL AS VARCHAR) AS extra_desc, 'user' AS context, 'string' AS vartype, 'session' AS source,
       CAST(NULL AS VARCHAR) AS min_val, CAST(NULL AS VARCHAR) AS max_val, CAST(NULL AS VARCHAR[]) AS enumvals,
       CAST(s.setting AS VARCHAR) AS boot_val, CAST(s.setting AS VARCHAR) AS reset_val,
       CAST(NULL AS VARCHAR) AS sourcefile, CAST(NULL AS INTEGER) AS sourceline, false AS pending_restart
FROM (SELECT unnest(names) AS name, unnest(settings) AS setting, unnest(descriptions) AS short_desc) s;
