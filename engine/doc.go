// Package engine runs SQL for PostgreSQL clients on an embedded DuckDB.
//
// One Engine owns the process's single DuckDB database (one buffer pool, one
// memory limit, one thread count). Each client gets a Session. A statement
// travels through the package like this:
//
//	Session.Prepare   parse with pg_query (the real PostgreSQL parser),
//	                  classify (query, session command, refused), and for
//	                  queries ask DuckDB for parameter and result types
//	Session.Bind      attach parameter values: a Portal
//	Portal.Execute    run on a pooled DuckDB connection and stream rows to a
//	                  ResultWriter, stopping after a row limit if asked
//
// Session commands (BEGIN/COMMIT/ROLLBACK, SET/SHOW/RESET, DISCARD, and
// SELECT set_config(...)) are answered in Go with PostgreSQL's semantics;
// the settings that change results take effect: search_path resolves
// unqualified lake tables (searchpath.go sets DuckDB's per statement),
// DateStyle's field order reads date literals, extra_float_digits shapes
// float text (in the wire server). Statements that would change
// data are refused with 25006 before DuckDB sees them. Statements pg_query
// cannot parse (DuckDB-only syntax) are classified by DuckDB's own statement
// type and run only if they are reads.
//
// DuckDB keeps at most one open result per connection, so a suspended portal
// holds its own pooled connection until it completes or is closed; session
// state lives in Session, not in a DuckDB connection.
//
// The engine defines ResultWriter, which the wire server implements; rows
// cross it as driver.Value slices together with Column descriptions that
// already carry PostgreSQL type OIDs.
//
// PostgreSQL compatibility. Clients read pg_catalog and information_schema
// and send PostgreSQL-only SQL. DuckDB 1.5 reserves both schema names (no
// entry can be created in its pg_catalog), so the layer lives in DuckDB
// schemas of its own, lakegate_pg_catalog and lakegate_information_schema,
// created at Open from the embedded pgcatalog/*.sql (one file per relation;
// a failure is a startup error). Every DuckDB connection's search_path
// starts with lakegate_pg_catalog, so unqualified pg_class, format_type(...)
// or version() resolve to the layer before DuckDB's built-ins. Statements
// pg_query parses then go through the rewrites (rewrite.go, one file per
// rewrite): pg_catalog.X relations are sent to the layer, the pg_catalog
// qualifier is dropped from functions, types and OPERATOR(pg_catalog.~),
// information_schema.X becomes a table macro of the database name, session
// values (current_user, current_setting('x'), pg_database, pg_settings...)
// become constants, and constructs DuckDB lacks (reg* casts, ~ as a search,
// COLLATE pg_catalog.default, '{1,2}' arrays, = ANY(array), function
// aliases as column names) are rewritten. A statement no rewrite changes
// runs as written; a changed one runs pg_query's deparse of the new tree,
// rebuilt at every Bind. Lake schemas and tables get stable OIDs (a hash of
// the name in the user range), PostgreSQL's objects their own, and
// pg_attribute.atttypid is the type OID the wire reports for the column.
// The catalogs' identifier and code columns have PostgreSQL's types oid and
// "char" on the wire, through two aliased DuckDB types the layer registers
// (compat_wiretypes.go), as do casts to oid and "char" in statements.
//
// Access control (access.go, filecheck.go). With Config.Access, each lake
// table's view carries every user's row filter and column masks, chosen
// per statement by a DuckDB variable set from the session's user like the
// file lists; a statement naming a table its user is not granted is
// refused before DuckDB runs it, and the compatibility layer hides such
// tables. Every query's text is first parsed by DuckDB itself
// (json_serialize_sql) and refused if it names files, DuckDB internals or
// lakegate's variables, whatever syntax it uses.
//
// Operations. The engine keeps the sessions the wire server attaches
// (activity.go) and the last statements' records (history.go); ops.go
// refills the DuckDB tables behind pg_stat_activity and
// lakegate.query_history just before a statement that names them runs.
// signal.go answers pg_cancel_backend/pg_terminate_backend, reload.go puts
// a reloaded catalog's views in service, extensions.go installs DuckDB
// extensions at image build time.
package engine
