package engine

import (
	"context"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/lakegate/lakegate/catalog"
	"github.com/lakegate/lakegate/sqlstate"
)

// Statement is a prepared statement: parsed, classified and described.
type Statement struct {
	source    sourceStatement
	paramOIDs []uint32
	columns   []Column
	// tag is the command tag of a row-returning statement ("SELECT",
	// "EXPLAIN", "SHOW"); the row count is appended for SELECT.
	tag string
	// command answers a session command in Go; nil for statements that
	// DuckDB runs.
	command func(s *Session, w ResultWriter) (string, error)
	// query builds, at bind time, the SQL DuckDB runs for rows lakegate
	// produces itself (SHOW); nil means the statement's own text.
	query func(s *Session) (string, error)
	// transactionEnd marks COMMIT/ROLLBACK, the only statements allowed in
	// a failed transaction block.
	transactionEnd bool
	// lakeTables are the lake tables the statement reads, and hints the
	// pushdown predicates on them (none when pg_query cannot parse it).
	lakeTables []*catalog.Table
	// followed marks a statement whose lake tables a reload replaced
	// (lakeViews.follow): its result columns are checked at each run.
	followed bool
	// fingerprint caches Fingerprint, nil until its first call.
	fingerprint *string
	hints       []tableHint
	// explainOnly marks EXPLAIN without ANALYZE: lake tables are planned
	// but not fetched.
	explainOnly bool

	// run answers, with access to the portal, the statements lakegate
	// implements over portals of its own: cursors (cursor.go) and SQL-level
	// PREPARE/DEALLOCATE (sqlprepare.go).
	run func(ctx context.Context, p *Portal, w ResultWriter) (string, error)
	// executes marks an EXECUTE: a prepared statement whose parameter
	// values are boundArgs rather than the client's.
	executes  bool
	boundArgs []any
	// copyOut describes a COPY ... TO STDOUT (copy.go).
	copyOut *CopyOut
	// snapshots are the Go-fed relations the statement reads, refilled
	// before it runs (ops.go).
	snapshots snapshotViews
}

// SQL is the statement's text.
func (st *Statement) SQL() string { return st.source.sql }

// ParamOIDs are the PostgreSQL types of the statement's parameters.
func (st *Statement) ParamOIDs() []uint32 { return st.paramOIDs }

// Columns describes the rows the statement returns; nil if it returns none.
func (st *Statement) Columns() []Column { return st.columns }

// Empty reports whether the statement is empty (only whitespace or
// comments), which PostgreSQL answers with EmptyQueryResponse.
func (st *Statement) Empty() bool { return st.source.sql == "" }

// Source is one statement of a simple Query message, not yet prepared.
type Source struct {
	stmt sourceStatement
	// implicitBlock marks a statement of a message of several, which
	// PostgreSQL runs as one implicit transaction block.
	implicitBlock bool
}

// SplitQuery splits the text of a simple Query message into statements.
func SplitQuery(text string) []Source {
	stmts := splitStatements(text)
	out := make([]Source, len(stmts))
	for i, st := range stmts {
		out[i] = Source{stmt: st, implicitBlock: len(stmts) > 1}
	}
	return out
}

// Prepare prepares the text of an extended-protocol Parse message, which
// must hold at most one statement. paramOIDs are the types the client
// declared (0 for unspecified); the rest are inferred.
func (s *Session) Prepare(ctx context.Context, text string, paramOIDs []uint32) (*Statement, error) {
	stmts := splitStatements(text)
	switch len(stmts) {
	case 0:
		return &Statement{}, nil
	case 1:
		s.implicitBlock = false
		return s.prepare(ctx, stmts[0], paramOIDs)
	}
	return nil, sqlstate.Errorf(sqlstate.SyntaxError, "cannot insert multiple commands into a prepared statement")
}

// PrepareSource prepares one statement of a simple Query message.
func (s *Session) PrepareSource(ctx context.Context, src Source) (*Statement, error) {
	s.implicitBlock = src.implicitBlock
	return s.prepare(ctx, src.stmt, nil)
}

func (s *Session) prepare(ctx context.Context, src sourceStatement, paramOIDs []uint32) (*Statement, error) {
	st := &Statement{source: src}
	if src.node == nil {
		return st, s.describeQuery(ctx, st, paramOIDs)
	}
	switch n := src.node.Node.(type) {
	case *pg_query.Node_SelectStmt:
		if ok, err := s.prepareSignal(st, n.SelectStmt); ok {
			return st, err
		}
		if err := checkReadOnlyQuery(src.node); err != nil {
			return nil, err
		}
		st.tag = "SELECT"
		if column, name, value, ok := setConfigCall(n.SelectStmt); ok {
			return st, prepareSetConfig(st, column, name, value)
		}
		return st, s.describeQuery(ctx, st, paramOIDs)
	case *pg_query.Node_ExplainStmt:
		if inner := n.ExplainStmt.Query; inner.GetSelectStmt() == nil {
			return nil, refuseWrite(writeTag(inner))
		} else if err := checkReadOnlyQuery(inner); err != nil {
			return nil, err
		}
		st.tag = "EXPLAIN"
		st.explainOnly = !explainAnalyze(n.ExplainStmt)
		return st, s.describeQuery(ctx, st, paramOIDs)
	case *pg_query.Node_TransactionStmt:
		err := prepareTransaction(st, n.TransactionStmt)
		closeCursorsAtTransactionEnd(st)
		return st, err
	case *pg_query.Node_VariableSetStmt:
		return st, prepareSet(st, n.VariableSetStmt)
	case *pg_query.Node_VariableShowStmt:
		return st, s.prepareShow(st, n.VariableShowStmt.Name)
	case *pg_query.Node_CallStmt:
		return st, s.prepareCall(st, n.CallStmt)
	case *pg_query.Node_DiscardStmt:
		err := prepareDiscard(st, n.DiscardStmt)
		discardCursorsAndStatements(st, n.DiscardStmt)
		return st, err
	case *pg_query.Node_CopyStmt:
		return st, s.prepareCopy(ctx, st, n.CopyStmt)
	case *pg_query.Node_PrepareStmt:
		return st, s.prepareSQLPrepare(st, n.PrepareStmt)
	case *pg_query.Node_ExecuteStmt:
		return s.prepareSQLExecute(ctx, st, n.ExecuteStmt)
	case *pg_query.Node_DeallocateStmt:
		prepareSQLDeallocate(st, n.DeallocateStmt)
		return st, nil
	case *pg_query.Node_DeclareCursorStmt:
		return st, s.prepareDeclare(ctx, st, n.DeclareCursorStmt)
	case *pg_query.Node_FetchStmt:
		s.prepareFetch(st, n.FetchStmt)
		return st, nil
	case *pg_query.Node_ClosePortalStmt:
		prepareClose(st, n.ClosePortalStmt)
		return st, nil
	case *pg_query.Node_ListenStmt, *pg_query.Node_NotifyStmt, *pg_query.Node_UnlistenStmt:
		return nil, sqlstate.Errorf(sqlstate.FeatureNotSupported, "LISTEN/NOTIFY is not supported by lakegate")
	}
	return nil, refuseWrite(writeTag(src.node))
}

// describeQuery prepares a statement DuckDB runs, to learn its parameter
// and result types, and checks with DuckDB's own parser that it only reads:
// the only check for text pg_query could not parse, and a second opinion
// for the rest.
func (s *Session) describeQuery(ctx context.Context, st *Statement, paramOIDs []uint32) error {
	if err := s.applyRewrites(st); err != nil {
		return err
	}
	c, err := s.acquire()
	if err != nil {
		return err
	}
	defer s.release(c)
	s.findLakeTables(ctx, c, st)
	unchecked, err := s.checkStatement(ctx, c, st, st.source.sql)
	if err != nil {
		return err
	}
	st.snapshots = snapshotsIn(st.source.sql)
	lake, err := s.planLake(ctx, c, st, nil, true)
	if err != nil {
		return err
	}
	defer lake.release()
	ds, err := c.cachedPrepare(st.source.sql+c.variablesKey(lake.fileLists()), st.source.sql)
	if err != nil {
		return translateError(err, st.source.sql, st.source.offset)
	}
	t := ds.statementType()
	tag, ok := duckdbReadTypes[t]
	if !ok {
		return refuseDuckDBStatement(t)
	}
	if unchecked {
		return refuseUnchecked()
	}
	if st.tag == "" {
		st.tag = tag
	}
	st.paramOIDs = ds.paramOIDs()
	for i, oid := range paramOIDs {
		if i < len(st.paramOIDs) && oid != 0 {
			st.paramOIDs[i] = oid
		}
	}
	st.columns = ds.columns()
	if st.tag == "EXPLAIN" {
		st.columns = explainColumns
	}
	return nil
}
