package test

import (
	"fmt"
	"os/exec"
	"testing"
)

// The client compatibility matrix: what each client program under
// test/clients checks, and whether it works. TestClients fails when an
// outcome differs from this table; TestClientsMatrix when docs/clients.md
// is not the one it generates (go test ./test/ -run Clients -update-clients).
//
// When a check starts to work, clear its notYet and failure. When a check
// that does not work yet fails differently, say why in notYet and put a
// stable part of the new error in failure.

type clientCheck struct {
	name    string // as the program reports it
	what    string // what it verifies, for docs/clients.md
	notYet  string // why it does not work yet; empty when it works
	failure string // a part of the error it fails with, when it does not work yet
}

type clientSuite struct {
	name    string // subtest name and docs anchor
	title   string // the client, in the summary table
	about   func(t *testing.T) string
	command func(t *testing.T, lg *lakegate) *exec.Cmd
	checks  []clientCheck
}

var clientSuites = []clientSuite{
	{
		name:  "pgjdbc",
		title: "pgjdbc (JDBC: DBeaver, DataGrip, Tableau, Metabase)",
		about: func(*testing.T) string {
			return "Debian bookworm's `libpostgresql-jdbc-java` (42.5), `test/clients/jdbc/JdbcChecks.java` run with `java -cp /usr/share/java/postgresql.jar` (single-file source launch). Each check opens its own connection."
		},
		command: jdbcCommand,
		checks: []clientCheck{
			{name: "connect", what: "connects; `DatabaseMetaData` says PostgreSQL 12 or later (pgjdbc picks features by it); `select 1`"},
			{name: "getObject.types", what: "`getObject` of literals of every lake column type: `Long` (int8), `Integer` (int4, int2), `BigDecimal` (numeric), `Double`, `String`, `Boolean`, `java.sql.Date`, `Timestamp` (timestamp and timestamptz, the right instant; also as `OffsetDateTime`), SQL NULL; exact values and result type names"},
			{name: "getObject.lake", what: "`getObject` of every column of demo.sales, demo.stores, demo.products and demo.returns (Parquet and Iceberg) returns the Java class of its type"},
			{name: "getObject.more_types", what: "`getObject` of float4 (`Float`), bytea (`byte[]`) and time (`java.sql.Time`)"},
			{name: "getObject.interval_uuid", what: "`getObject` of interval (`PGInterval`) and uuid (`UUID`), which pgjdbc first looks up in `pg_type`"},
			{name: "getObject.array", what: "`getArray` of int4[] and text[] gives `Integer[]` and `String[]`; result type name `_int4`"},
			{name: "prepared.threshold", what: "a `PreparedStatement` (date and int parameters) run 6 times with `prepareThreshold=3`: it switches to a named server statement, asks for binary results (at least 8 of 11 columns come back binary), and every run returns the same rows"},
			{name: "parameters.setArray", what: "`setArray` of an int4[] and a text[] (`createArrayOf`, sent in text form) with `= any(?)` selects the same rows as literals"},
			{name: "fetchSize.portal", what: "`setFetchSize(100)` with autocommit off reads a day of demo.sales (2,529 rows) through a portal in batches of at most 100 rows (pgjdbc's row buffer is inspected), in order, with the right count and sum"},
			{name: "metadata.getCatalogs", what: "`getCatalogs` lists `lakegate`"},
			{name: "metadata.getSchemas", what: "`getSchemas` lists demo, pg_catalog, information_schema and public"},
			{name: "metadata.getTables", what: "`getTables(null, \"demo\", \"%\", null)` lists sales, stores, products and returns as TABLE or VIEW"},
			{name: "metadata.getColumns", what: "`getColumns` of demo.sales: every column, with its `java.sql.Types` (BIGINT, DATE, TIMESTAMP, INTEGER, SMALLINT, NUMERIC, DOUBLE, VARCHAR, BIT), `TYPE_NAME`, `COLUMN_SIZE` and `DECIMAL_DIGITS` (numeric(10,2) gives 10 and 2)"},
			{name: "metadata.getPrimaryKeys", what: "`getPrimaryKeys` of demo.sales runs and finds none"},
			{name: "metadata.getImportedKeys", what: "`getImportedKeys` of demo.sales (DBeaver's foreign keys tab and ER diagram) runs and finds none"},
			{name: "metadata.getIndexInfo", what: "`getIndexInfo` of demo.sales (DBeaver's indexes tab) runs and finds none"},
			{name: "metadata.getTypeInfo", what: "`getTypeInfo` lists int2, int4, int8, numeric, float4, float8, bool, varchar, text, date, timestamp, timestamptz, bytea and _int4 with their `java.sql.Types`"},
			{name: "metadata.getFunctions", what: "`getFunctions(null, \"pg_catalog\", \"%\")` runs (it may list nothing)"},
			{name: "error.sqlstate", what: "a missing table raises `SQLException` with SQLSTATE 42P01; the connection goes on"},
		},
	},
	{
		name:  "psycopg2",
		title: "psycopg2 (Python DB-API; Superset, Airflow, dbt)",
		about: func(*testing.T) string {
			return "Debian bookworm's `python3-psycopg2` (2.9), `test/clients/python/psycopg2_checks.py` run with `/usr/bin/python3`."
		},
		command: func(t *testing.T, lg *lakegate) *exec.Cmd {
			return pythonCommand(t, lg, "psycopg2_checks.py", "psycopg2")
		},
		checks: []clientCheck{
			{name: "connect", what: "connects; `server_version` is 12 or later; `select 1`"},
			{name: "types.literals", what: "literals of every lake column type come back as `int`, `Decimal`, `float`, `str`, `bool`, `date`, naive and aware `datetime` (the right instant), `None`, with exact values"},
			{name: "types.lake", what: "a demo.sales row with every column set: the Python type of each column (timestamp naive, timestamptz aware)"},
			{name: "types.arrays", what: "int4[], text[] and numeric[] come back as lists of `int`, `str` and `Decimal`"},
			{name: "types.array_literal", what: "PostgreSQL array literals `'{1,2,3}'::int4[]` and `'{a,b}'::text[]`"},
			{name: "parameters", what: "client-side parameters: a `date`, a list (`= any(ARRAY[...])`) and a tuple (`IN (...)`) select the same rows as literals"},
			{name: "cursor.named", what: "a named (server-side) cursor with `itersize` 500 reads a day of demo.sales in order, with the right count and sum"},
			{name: "copy_expert", what: "`copy_expert` of `COPY (select ...) TO STDOUT WITH (FORMAT csv, HEADER)`: a header and 50 rows"},
			{name: "error.sqlstate", what: "a missing table raises with `pgcode` 42P01; after a rollback the connection goes on"},
		},
	},
	{
		name:  "psycopg3",
		title: "psycopg 3",
		about: func(*testing.T) string {
			return "Debian bookworm's `python3-psycopg` (3.1, pure Python implementation), `test/clients/python/psycopg3_checks.py` run with `/usr/bin/python3`."
		},
		command: func(t *testing.T, lg *lakegate) *exec.Cmd {
			return pythonCommand(t, lg, "psycopg3_checks.py", "psycopg")
		},
		checks: []clientCheck{
			{name: "connect", what: "connects; `server_version` is 12 or later; `select 1`"},
			{name: "types.text", what: "literals of every lake column type in text format: the Python types and exact values"},
			{name: "types.binary", what: "the same literals through a binary cursor (every result column in binary format), and int4[] and text[] arrays"},
			{name: "types.lake", what: "a demo.sales row with every column set, in text and in binary: the same values and types"},
			{name: "types.arrays", what: "int4[], text[] and numeric[] come back as lists of `int`, `str` and `Decimal`"},
			{name: "parameters", what: "server-side parameters (`$1`: date, int, text) select the same rows as literals"},
			{name: "parameters.any_array", what: "a Python list sent as one array parameter: `store_id = any($1)`"},
			{name: "prepared", what: "with `prepare_threshold` 2, a query run 5 times in text and 3 times binary with `prepare=True` (named prepared statements) returns the same rows"},
			{name: "cursor.server", what: "a server-side cursor (`conn.cursor(name=...)`) reads a day of demo.sales with the right count and sum: psycopg runs `DECLARE`, describes the cursor as a protocol portal (Describe 'P' with its name), then `FETCH FORWARD 500`"},
			{name: "cursor.server_binary", what: "the same through a binary server-side cursor (the `FETCH` asks for binary results in its Bind)"},
			{name: "copy.text", what: "`cursor.copy` of `COPY (select ...) TO STDOUT`, rows parsed with `set_types` (int4, text, date): 50 rows"},
			{name: "copy.binary", what: "the same with `(FORMAT BINARY)`"},
			{name: "error.sqlstate", what: "a missing table raises `UndefinedTable` (42P01); after a rollback the connection goes on"},
		},
	},
	{
		name:  "sqlalchemy",
		title: "SQLAlchemy 1.4 (psycopg2 dialect; Superset, Alembic, notebooks)",
		about: func(*testing.T) string {
			return "Debian bookworm's `python3-sqlalchemy` (1.4) over psycopg2, `test/clients/python/sqlalchemy_checks.py` run with `/usr/bin/python3`."
		},
		command: func(t *testing.T, lg *lakegate) *exec.Cmd {
			return pythonCommand(t, lg, "sqlalchemy_checks.py", "sqlalchemy", "psycopg2")
		},
		checks: []clientCheck{
			{name: "connect", what: "the first connection runs the dialect's setup; `server_version_info` is 12 or later; `select 1`"},
			{name: "text_query", what: "`text()` with bound parameters returns the right rows and a `date`"},
			{name: "inspector.get_schema_names", what: "`get_schema_names` lists demo"},
			{name: "inspector.get_table_names", what: "`get_table_names` and `get_view_names` of demo together list sales, stores, products and returns"},
			{name: "inspector.get_view_names", what: "`get_view_names(schema=\"demo\")` runs"},
			{name: "inspector.get_columns", what: "`get_columns` of demo.sales: every column with its SQLAlchemy type (BIGINT, DATE, TIMESTAMP with and without time zone, INTEGER, SMALLINT, NUMERIC(10, 2), DOUBLE_PRECISION, VARCHAR or TEXT, BOOLEAN)"},
			{name: "inspector.get_pk_constraint", what: "`get_pk_constraint` of demo.sales: no columns"},
			{name: "inspector.get_foreign_keys", what: "`get_foreign_keys` of demo.sales: none"},
			{name: "inspector.get_indexes", what: "`get_indexes` of demo.sales: none"},
			{name: "reflect.table", what: "`Table(\"stores\", autoload_with=engine)` reflects the columns; a Core `select` with a date parameter and `group by` runs"},
		},
	},
	{
		name:  "pandas",
		title: "pandas",
		about: func(*testing.T) string {
			return "Debian bookworm's `python3-pandas` (1.5) with SQLAlchemy 1.4 and psycopg2, `test/clients/python/pandas_checks.py` run with `/usr/bin/python3`."
		},
		command: func(t *testing.T, lg *lakegate) *exec.Cmd {
			return pythonCommand(t, lg, "pandas_checks.py", "pandas", "sqlalchemy", "psycopg2")
		},
		checks: []clientCheck{
			{name: "read_sql.sqlalchemy", what: "`read_sql` of demo.sales with parameters through a SQLAlchemy engine: the dtypes of every column (int64, datetime64, datetime64 with time zone, float64, bool, object)"},
			{name: "read_sql.psycopg2", what: "the same `read_sql` through a plain psycopg2 connection"},
			{name: "read_sql.chunksize", what: "`read_sql` with `chunksize=1000` over a day of demo.sales: the right number of rows in several chunks"},
			{name: "read_sql_table", what: "`read_sql_table(\"stores\", engine, schema=\"demo\")`: 50 rows, the columns in order, dates parsed"},
		},
	},
	{
		name:  "asyncpg",
		title: "asyncpg",
		about: func(*testing.T) string {
			return "Debian bookworm's `python3-asyncpg` (0.27), `test/clients/python/asyncpg_checks.py` run with `/usr/bin/python3`. asyncpg always uses named prepared statements and binary results."
		},
		command: func(t *testing.T, lg *lakegate) *exec.Cmd {
			return pythonCommand(t, lg, "asyncpg_checks.py", "asyncpg")
		},
		checks: []clientCheck{
			{name: "connect", what: "connects; the server version is 12 or later; `select 1`"},
			{name: "types.literals", what: "literals of every lake column type, decoded from binary: the Python types and exact values"},
			{name: "types.more", what: "text[], bytea, uuid, interval, time and float4 in binary"},
			{name: "types.int_array", what: "int4[] and numeric[] (asyncpg has built-in codecs for text[] and oid[] only and introspects other arrays)"},
			{name: "types.lake", what: "a demo.sales row with every column set: the Python type of each column"},
			{name: "parameters", what: "`$1`-style parameters (date, int, text) select the same rows as literals"},
			{name: "parameters.list", what: "Python lists as `$n` parameters (int4[] and text[], binary) with `= any($n)` select the same rows as literals"},
			{name: "prepared", what: "`conn.prepare`: the statement's parameter types (date, int4) and result types (int8, timestamp, timestamptz, numeric) are described; 4 runs return the same rows"},
			{name: "cursor.portal", what: "`conn.cursor(prefetch=100)` in a transaction reads a day of demo.sales through a portal, 100 rows per Execute, with the right count and sum"},
			{name: "introspection.type_by_name", what: "`set_type_codec(\"numeric\", schema=\"pg_catalog\")` finds the type in `pg_type` by name and namespace; values then go through the custom codec"},
			{name: "introspection.types", what: "asyncpg's introspection query for types it has no codec for (domains, enums, composites, arrays; recursive over `pg_type` and `pg_range`, the OIDs sent as one `oid[]` parameter) describes int4, _int4, timestamptz and numeric with the rows PostgreSQL 15 gives (int4 twice: asked for, and as _int4's element), `typtype` as a `\"char\"` (bytes) and `typelem` as an oid"},
			{name: "error.sqlstate", what: "a missing table raises `UndefinedTableError` (42P01); the connection goes on"},
		},
	},
	{
		name:  "node-postgres",
		title: "node-postgres (npm `pg`)",
		about: func(t *testing.T) string {
			return fmt.Sprintf("npm `pg` %s, pinned by `test/clients/node/package-lock.json` (installed with `npm ci`), `test/clients/node/checks.js` run with `node`.", nodePgVersion(t))
		},
		command: nodeCommand,
		checks: []clientCheck{
			{name: "connect", what: "connects; `server_version` is 12 or later; `select 1`"},
			{name: "types.literals", what: "literals of every lake column type with pg's default parsers: int8 and numeric as exact strings, int4, int2 and float8 as numbers, `Date` for date, timestamp and timestamptz (the right instant), booleans, null"},
			{name: "types.arrays", what: "int4[] and text[] as arrays, bytea as a `Buffer`"},
			{name: "types.lake", what: "a demo.sales row with every column set: the JavaScript type of each column"},
			{name: "parameters", what: "`$1`-style parameters (date, int, text) select the same rows as literals"},
			{name: "prepared.named", what: "a named query (`{name, text, values}`) is prepared once and run 4 times with the same rows; other values give other rows"},
			{name: "rowMode.array", what: "`rowMode: 'array'` returns rows as arrays; the fields' type OIDs are PostgreSQL's (int8 20, date 1082, timestamp 1114, timestamptz 1184, int4 23, int2 21, numeric 1700, float8 701, text 25 or varchar 1043, bool 16)"},
			{name: "error.sqlstate", what: "a missing table rejects with `code` 42P01; the connection goes on"},
		},
	},
}
