package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	bindings "github.com/duckdb/duckdb-go-bindings"
)

// This file is the engine's only contact with DuckDB's C API (through
// duckdb-go-bindings, the layer github.com/duckdb/duckdb-go is built on, at
// the same release). The database/sql driver above it executes every
// query into a fully materialized result and boxes each value into an
// interface; lakegate needs streaming results and columnar reads, so it
// prepares, executes with duckdb_pending_prepared_streaming and fetches
// chunks itself.

// duckError is an error reported by DuckDB with its exception type.
type duckError struct {
	Type bindings.ErrorType
	Msg  string
}

func (e *duckError) Error() string { return e.Msg }

// exceptionTypes maps the exception-type names DuckDB prefixes its messages
// with ("Binder Error: ...") to its error types, for the C API calls that
// return only a message (prepare and pending errors). This reads DuckDB's
// serialized error type, not the wording of the message.
var exceptionTypes = map[string]bindings.ErrorType{
	"Parser":                 bindings.ErrorTypeParser,
	"Syntax":                 bindings.ErrorTypeSyntax,
	"Catalog":                bindings.ErrorTypeCatalog,
	"Binder":                 bindings.ErrorTypeBinder,
	"Conversion":             bindings.ErrorTypeConversion,
	"Invalid Input":          bindings.ErrorTypeInvalidInput,
	"Out of Range":           bindings.ErrorTypeOutOfRange,
	"Mismatch Type":          bindings.ErrorTypeMismatchType,
	"Divide by Zero":         bindings.ErrorTypeDivideByZero,
	"Not implemented":        bindings.ErrorTypeNotImplemented,
	"Permission":             bindings.ErrorTypePermission,
	"IO":                     bindings.ErrorTypeErrorIO,
	"INTERRUPT":              bindings.ErrorTypeInterrupt,
	"Out of Memory":          bindings.ErrorTypeOutOfMemory,
	"Invalid type":           bindings.ErrorTypeInvalidType,
	"Expression":             bindings.ErrorTypeExpression,
	"Constraint":             bindings.ErrorTypeConstraint,
	"Dependency":             bindings.ErrorTypeDependency,
	"Settings":               bindings.ErrorTypeSettings,
	"Invalid Configuration":  bindings.ErrorTypeInvalidConfiguration,
	"Missing Extension":      bindings.ErrorTypeMissingExtension,
	"Extension Autoloading":  bindings.ErrorTypeAutoload,
	"Parameter Not Resolved": bindings.ErrorTypeParameterNotResolved,
	"Parameter Not Allowed":  bindings.ErrorTypeParameterNotAllowed,
	"Sequence":               bindings.ErrorTypeSequence,
	"TransactionContext":     bindings.ErrorTypeTransaction,
	"Object Size":            bindings.ErrorTypeObjectSize,
	"Decimal":                bindings.ErrorTypeDecimal,
	"HTTP":                   bindings.ErrorTypeHTTP,
	"Internal":               bindings.ErrorTypeInternal,
	"FATAL":                  bindings.ErrorTypeFatal,
}

func errorFromMessage(msg string) *duckError {
	if name, _, ok := strings.Cut(msg, " Error: "); ok {
		if t, ok := exceptionTypes[name]; ok {
			return &duckError{Type: t, Msg: msg}
		}
	}
	return &duckError{Type: bindings.ErrorTypeInvalid, Msg: msg}
}

// duckConn is one DuckDB connection with the statements prepared on it,
// by SQL text, so a statement executed again is not prepared again.
type duckConn struct {
	conn     bindings.Connection
	prepared map[string]*duckStmt
	// variables are the lake file lists set on this connection, by
	// variable name, as hashes (see setVariables).
	variables map[string]uint64
	// searchPath is the DuckDB search_path last set by a session
	// (searchpath.go); "" for the layer's default.
	searchPath string
}

// maxPreparedPerConn bounds a connection's statement cache.
const maxPreparedPerConn = 256

// cachedPrepare returns the statement prepared for sql on this connection
// under key: the SQL itself, plus the lake file lists it was bound with.
func (c *duckConn) cachedPrepare(key, sql string) (*duckStmt, error) {
	if st, ok := c.prepared[key]; ok {
		return st, nil
	}
	st, err := c.prepare(sql)
	if err != nil {
		return nil, err
	}
	if len(c.prepared) >= maxPreparedPerConn {
		c.forgetPrepared()
	}
	if c.prepared == nil {
		c.prepared = make(map[string]*duckStmt)
	}
	c.prepared[key] = st
	return st, nil
}

func (c *duckConn) forgetPrepared() {
	for sql, st := range c.prepared {
		st.close()
		delete(c.prepared, sql)
	}
}

func connect(db bindings.Database) (*duckConn, error) {
	var c bindings.Connection
	if bindings.Connect(db, &c) == bindings.StateError {
		return nil, errors.New("duckdb: cannot open a connection")
	}
	return &duckConn{conn: c}, nil
}

func (c *duckConn) close() {
	c.forgetPrepared()
	bindings.Disconnect(&c.conn)
}

// exec runs a statement for its effect (setup and configuration).
func (c *duckConn) exec(sql string) error {
	var res bindings.Result
	state := bindings.Query(c.conn, sql, &res)
	defer bindings.DestroyResult(&res)
	if state == bindings.StateError {
		return &duckError{Type: bindings.ResultErrorType(&res), Msg: bindings.ResultError(&res)}
	}
	return nil
}

// duckStmt is a DuckDB prepared statement.
type duckStmt struct {
	stmt bindings.PreparedStatement
}

func (c *duckConn) prepare(sql string) (*duckStmt, error) {
	var ps bindings.PreparedStatement
	if bindings.Prepare(c.conn, sql, &ps) == bindings.StateError {
		err := errorFromMessage(bindings.PrepareError(ps))
		bindings.DestroyPrepare(&ps)
		return nil, err
	}
	return &duckStmt{stmt: ps}, nil
}

func (s *duckStmt) close() { bindings.DestroyPrepare(&s.stmt) }

func (s *duckStmt) statementType() bindings.StatementType {
	return bindings.PreparedStatementType(s.stmt)
}

// paramOIDs reports the PostgreSQL type of each parameter as DuckDB inferred
// it (text where it could not).
func (s *duckStmt) paramOIDs() []uint32 {
	n := int(bindings.NParams(s.stmt))
	oids := make([]uint32, n)
	for i := range n {
		lt := bindings.ParamLogicalType(s.stmt, bindings.IdxT(i+1))
		oids[i] = paramOID(lt)
		bindings.DestroyLogicalType(&lt)
	}
	return oids
}

// columns describes the result columns.
func (s *duckStmt) columns() []Column {
	n := int(bindings.PreparedStatementColumnCount(s.stmt))
	cols := make([]Column, n)
	for i := range n {
		lt := bindings.PreparedStatementColumnLogicalType(s.stmt, bindings.IdxT(i))
		cols[i] = Column{
			Name: bindings.PreparedStatementColumnName(s.stmt, bindings.IdxT(i)),
			Type: pgType(newShape(lt)),
		}
		bindings.DestroyLogicalType(&lt)
	}
	return cols
}

// bind binds parameter values: nil, string (text sent by the client, cast
// by DuckDB to the parameter's type), []byte, bool, integers, floats and
// ArrayParam (an array parameter, bound as a LIST: bindlist.go).
func (s *duckStmt) bind(args []any) error {
	if n := int(bindings.NParams(s.stmt)); n != len(args) {
		return fmt.Errorf("bind message supplies %d parameters, but prepared statement requires %d", len(args), n)
	}
	bindings.ClearBindings(s.stmt)
	for i, a := range args {
		idx := bindings.IdxT(i + 1)
		var state bindings.State
		switch v := a.(type) {
		case nil:
			state = bindings.BindNull(s.stmt, idx)
		case string:
			state = bindings.BindVarchar(s.stmt, idx, v)
		case []byte:
			state = bindings.BindBlob(s.stmt, idx, v)
		case bool:
			state = bindings.BindBoolean(s.stmt, idx, v)
		case int16:
			state = bindings.BindInt16(s.stmt, idx, v)
		case int32:
			state = bindings.BindInt32(s.stmt, idx, v)
		case int64:
			state = bindings.BindInt64(s.stmt, idx, v)
		case float32:
			state = bindings.BindFloat(s.stmt, idx, v)
		case float64:
			state = bindings.BindDouble(s.stmt, idx, v)
		case ArrayParam:
			val, err := v.value()
			if err != nil {
				return err
			}
			state = bindings.BindValue(s.stmt, idx, val)
			bindings.DestroyValue(&val)
		default:
			return fmt.Errorf("cannot bind parameter $%d of Go type %T", i+1, a)
		}
		if state == bindings.StateError {
			return fmt.Errorf("cannot bind parameter $%d", i+1)
		}
	}
	return nil
}

// duckResult is a streaming query result.
type duckResult struct {
	res    bindings.Result
	shapes []*Shape
	chunk  bindings.DataChunk
	held   bool
}

// execute runs the bound statement with a streaming result. ctx cancels the
// execution through duckdb_interrupt.
func (s *duckStmt) execute(ctx context.Context, c *duckConn) (*duckResult, error) {
	var pending bindings.PendingResult
	if bindings.PendingPreparedStreaming(s.stmt, &pending) == bindings.StateError {
		err := errorFromMessage(bindings.PendingError(pending))
		bindings.DestroyPending(&pending)
		return nil, err
	}
	defer bindings.DestroyPending(&pending)

	stop := context.AfterFunc(ctx, func() { bindings.Interrupt(c.conn) })
	var res bindings.Result
	state := bindings.ExecutePending(pending, &res)
	interrupted := !stop()
	if state == bindings.StateError {
		err := &duckError{Type: bindings.ResultErrorType(&res), Msg: bindings.ResultError(&res)}
		bindings.DestroyResult(&res)
		if interrupted && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	r := &duckResult{res: res}
	n := int(bindings.ColumnCount(&res))
	r.shapes = make([]*Shape, n)
	for i := range n {
		lt := bindings.ColumnLogicalType(&res, bindings.IdxT(i))
		r.shapes[i] = newShape(lt)
		bindings.DestroyLogicalType(&lt)
	}
	return r, nil
}

// next fetches the next chunk into out, reusing its vectors slice. It
// returns false at the end of the result. ctx interrupts a fetch that is
// still computing rows.
func (r *duckResult) next(ctx context.Context, c *duckConn, out *Chunk) (bool, error) {
	r.release()
	stop := context.AfterFunc(ctx, func() { bindings.Interrupt(c.conn) })
	chunk := bindings.FetchChunk(r.res)
	stop()
	if chunk.Ptr == nil {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		if msg := bindings.ResultError(&r.res); msg != "" {
			return false, &duckError{Type: bindings.ResultErrorType(&r.res), Msg: msg}
		}
		return false, nil
	}
	r.chunk, r.held = chunk, true
	out.Len = int(bindings.DataChunkGetSize(chunk))
	if cap(out.Columns) < len(r.shapes) {
		out.Columns = make([]Vector, len(r.shapes))
	}
	out.Columns = out.Columns[:len(r.shapes)]
	for i, shape := range r.shapes {
		out.Columns[i] = newVector(bindings.DataChunkGetVector(chunk, bindings.IdxT(i)), shape)
	}
	return true, nil
}

func (r *duckResult) release() {
	if r.held {
		bindings.DestroyDataChunk(&r.chunk)
		r.held = false
	}
}

func (r *duckResult) close() {
	r.release()
	bindings.DestroyResult(&r.res)
}
