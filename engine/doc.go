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
// Session commands (BEGIN/COMMIT/ROLLBACK, SET/SHOW/RESET, DISCARD) are
// answered in Go with PostgreSQL's semantics; statements that would change
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
package engine
