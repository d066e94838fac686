// Package server is lakegate's PostgreSQL frontend/backend protocol (v3.0)
// endpoint, built on pgproto3 for message framing.
//
// The layers, from the socket up:
//
//	server.go    Server: listener, connection tracking, Shutdown
//	startup.go   the startup packet: SSLRequest/GSSENCRequest, protocol
//	             version negotiation, CancelRequest, authentication,
//	             ParameterStatus, BackendKeyData
//	tls.go       TLS after an SSLRequest, and direct TLS (ALPN postgresql)
//	authexchange.go  the auth.Conn a method's exchange runs through:
//	             SASL, md5 and cleartext password messages
//	limits.go    max_connections and per-user limits, session default
//	             timeouts, idle timeouts, authentication timeout,
//	             max_query_length
//	conn.go      one connection's message loop: dispatch, ReadyForQuery,
//	             skip-until-Sync after an error, panic recovery
//	simple.go    the simple Query message (several statements, empty query)
//	extended.go  Parse/Bind/Describe/Execute/Close/Sync/Flush, statements
//	             and portals
//	params.go    Bind parameter decoding (text and binary) via pgtype;
//	             params_array.go: array parameters, bound as DuckDB lists
//	rows.go      RowDescription and DataRow streaming (engine.ResultWriter)
//	copy.go      COPY ... TO STDOUT: CopyOutResponse, one CopyData per row
//	             in text, CSV or binary format, CopyDone
//	encode*.go   per-column text and binary value encoders
//	errors.go    the one conversion from an error to ErrorResponse
//	cancel.go    the CancelRequest registry
//	activity.go  a connection as others see it: bytes sent, its entry in
//	             pg_stat_activity, an end asked by another goroutine
//	             (pg_terminate_backend, shutdown)
//	shutdown.go  Shutdown: 57P01 to idle sessions, a grace period for
//	             running statements, then interruption
//	querylog.go  one record per statement: query log, history, metrics
//	metrics.go   the Prometheus metrics the server owns
//
// A query error never closes the connection. The engine streams DuckDB
// chunks into rows.go, which encodes them straight into the socket buffer
// and flushes every few tens of kilobytes, so memory stays flat whatever
// the result size.
package server
