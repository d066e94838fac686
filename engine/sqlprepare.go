package engine

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgtype"
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/lakegate/lakegate/sqlstate"
)

// SQL-level prepared statements: PREPARE, EXECUTE, DEALLOCATE.
//
// A prepared statement is an engine Statement kept in the session by name.
// EXECUTE is prepared as a copy of it whose parameter values are the
// EXECUTE's arguments, so it runs, streams, suspends (a row limit in the
// extended protocol) and prunes lake files exactly like the statement
// itself, and its command tag is the executed statement's ("SELECT 3").
//
// The names live apart from the protocol-level statements of Parse, which
// the wire server keeps; PostgreSQL shares one namespace between the two.

// prepareSQLPrepare describes PREPARE name [(types)] AS query. The query is
// prepared when the PREPARE runs, as in PostgreSQL.
func (s *Session) prepareSQLPrepare(st *Statement, n *pg_query.PrepareStmt) error {
	start, err := tokenEnd(st.source.sql, pg_query.Token_AS)
	if err != nil {
		return err
	}
	inner := innerSource(st.source, start, len(st.source.sql))
	if inner.node != nil && inner.node.GetSelectStmt() == nil {
		return refuseWrite(writeTag(inner.node))
	}
	oids := make([]uint32, len(n.Argtypes))
	for i, t := range n.Argtypes {
		oid, err := typeNameOID(t.GetTypeName())
		if err != nil {
			return err
		}
		oids[i] = oid
	}
	if len(oids) > 0 {
		inner.sql = castParams(inner.sql, oids)
		if tree, err := pg_query.Parse(inner.sql); err == nil && len(tree.Stmts) == 1 {
			inner.node = tree.Stmts[0].Stmt
		}
	}
	name := n.Name
	st.run = func(ctx context.Context, p *Portal, _ ResultWriter) (string, error) {
		s := p.session
		if _, exists := s.sqlStatements[name]; exists {
			return "", sqlstate.Errorf(sqlstate.DuplicatePreparedStatement, "prepared statement %q already exists", name)
		}
		prepared, err := s.prepare(ctx, inner, oids)
		if err != nil {
			return "", err
		}
		if s.sqlStatements == nil {
			s.sqlStatements = map[string]*Statement{}
		}
		s.sqlStatements[name] = prepared
		return "PREPARE", nil
	}
	return nil
}

// prepareSQLExecute prepares EXECUTE name [(args)]: the named statement
// with the arguments as its parameter values. The arguments are evaluated
// now (constants directly, other expressions by DuckDB).
func (s *Session) prepareSQLExecute(ctx context.Context, st *Statement, n *pg_query.ExecuteStmt) (*Statement, error) {
	prepared, ok := s.sqlStatements[n.Name]
	if !ok {
		return nil, sqlstate.Errorf(sqlstate.InvalidSQLStatementName, "prepared statement %q does not exist", n.Name)
	}
	if len(n.Params) != len(prepared.paramOIDs) {
		return nil, sqlstate.Errorf(sqlstate.SyntaxError, "wrong number of parameters for prepared statement %q", n.Name).
			WithDetail("Expected " + strconv.Itoa(len(prepared.paramOIDs)) + " parameters but got " + strconv.Itoa(len(n.Params)) + ".")
	}
	args, err := s.evaluateArgs(ctx, n.Params)
	if err != nil {
		return nil, err
	}
	exec := *prepared
	exec.paramOIDs = nil
	exec.boundArgs = args
	exec.executes = true
	return &exec, nil
}

// prepareSQLDeallocate describes DEALLOCATE [PREPARE] name | ALL.
func prepareSQLDeallocate(st *Statement, n *pg_query.DeallocateStmt) {
	all := n.Isall || n.Name == ""
	name := n.Name
	st.run = func(_ context.Context, p *Portal, _ ResultWriter) (string, error) {
		s := p.session
		if all {
			s.sqlStatements = nil
			return "DEALLOCATE ALL", nil
		}
		if _, ok := s.sqlStatements[name]; !ok {
			return "", sqlstate.Errorf(sqlstate.InvalidSQLStatementName, "prepared statement %q does not exist", name)
		}
		delete(s.sqlStatements, name)
		return "DEALLOCATE", nil
	}
}

// evaluateArgs computes the values of EXECUTE arguments as text, which
// DuckDB casts to each parameter's type when binding. Constants are read
// from the parse tree; anything else is evaluated by DuckDB.
func (s *Session) evaluateArgs(ctx context.Context, params []*pg_query.Node) ([]any, error) {
	args := make([]any, len(params))
	var exprs []*pg_query.Node
	var at []int
	for i, p := range params {
		if v, ok := constantArg(p); ok {
			args[i] = v
			continue
		}
		exprs = append(exprs, p)
		at = append(at, i)
	}
	if len(exprs) == 0 {
		return args, nil
	}
	targets := make([]*pg_query.Node, len(exprs))
	for i, e := range exprs {
		cast := &pg_query.Node{Node: &pg_query.Node_TypeCast{TypeCast: &pg_query.TypeCast{
			Arg:      e,
			TypeName: &pg_query.TypeName{Names: []*pg_query.Node{pg_query.MakeStrNode("varchar")}, Typemod: -1},
			Location: -1,
		}}}
		targets[i] = pg_query.MakeResTargetNodeWithVal(cast, -1)
	}
	sel := &pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: &pg_query.SelectStmt{TargetList: targets}}}
	tree := &pg_query.ParseResult{Version: parseTreeVersion(), Stmts: []*pg_query.RawStmt{{Stmt: sel}}}
	sql, err := pg_query.Deparse(tree)
	if err != nil {
		return nil, sqlstate.Errorf(sqlstate.FeatureNotSupported, "cannot evaluate the arguments of EXECUTE: %v", err)
	}
	values, err := s.queryRow(ctx, sql)
	if err != nil {
		return nil, err
	}
	for i, v := range values {
		if v == nil {
			args[at[i]] = nil
		} else {
			args[at[i]] = *v
		}
	}
	return args, nil
}

// constantArg returns the text of a constant argument (nil for NULL).
func constantArg(n *pg_query.Node) (any, bool) {
	c := n.GetAConst()
	if c == nil {
		return nil, false
	}
	switch {
	case c.Isnull:
		return nil, true
	case c.GetSval() != nil:
		return c.GetSval().Sval, true
	case c.GetIval() != nil:
		return strconv.FormatInt(int64(c.GetIval().Ival), 10), true
	case c.GetFval() != nil:
		return c.GetFval().Fval, true
	case c.GetBoolval() != nil:
		return strconv.FormatBool(c.GetBoolval().Boolval), true
	case c.GetBsval() != nil:
		return nil, false // bit strings: let DuckDB read them
	}
	return nil, false
}

// queryRow runs a one-row query of text columns and returns its values
// (nil for NULL).
func (s *Session) queryRow(ctx context.Context, sql string) ([]*string, error) {
	c, err := s.acquire()
	if err != nil {
		return nil, err
	}
	defer s.release(c)
	// The values of EXECUTE's arguments: PostgreSQL allows no subquery
	// there, and lakegate no table.
	probe := &Statement{}
	if unchecked, err := s.checkStatement(ctx, c, probe, sql); err != nil {
		return nil, err
	} else if unchecked || len(probe.lakeTables) > 0 {
		return nil, sqlstate.Errorf(sqlstate.FeatureNotSupported, "cannot use subquery in EXECUTE parameter")
	}
	if err := c.setVariables(s.sessionVariables()); err != nil {
		return nil, err
	}
	ds, err := c.prepare(sql)
	if err != nil {
		return nil, translateError(err, sql, 0)
	}
	defer ds.close()
	res, err := ds.execute(ctx, c)
	if err != nil {
		return nil, translateError(err, sql, 0)
	}
	defer res.close()
	var ch Chunk
	ok, err := res.next(ctx, c, &ch)
	if err != nil {
		return nil, translateError(err, sql, 0)
	}
	if !ok || ch.Len == 0 {
		return nil, sqlstate.Errorf(sqlstate.InternalError, "query returned no row: %s", sql)
	}
	out := make([]*string, len(ch.Columns))
	for i := range ch.Columns {
		if !ch.Columns[i].IsNull(0) {
			v := string(ch.Columns[i].Bytes(0))
			out[i] = &v
		}
	}
	return out, nil
}

// parseTreeVersion is the version of pg_query's parse trees, which
// Deparse checks.
var parseTreeVersion = sync.OnceValue(func() int32 {
	tree, _ := pg_query.Parse("SELECT 1")
	return tree.GetVersion()
})

var typeNames = pgtype.NewMap()

// duckdbParamTypes are the DuckDB types of declared parameter types, for
// the casts that make DuckDB type the parameters as PREPARE declared them.
var duckdbParamTypes = map[uint32]string{
	pgtype.BoolOID: "BOOLEAN", pgtype.Int2OID: "SMALLINT", pgtype.Int4OID: "INTEGER", pgtype.Int8OID: "BIGINT",
	pgtype.Float4OID: "REAL", pgtype.Float8OID: "DOUBLE", pgtype.NumericOID: "DECIMAL(38,10)",
	pgtype.TextOID: "VARCHAR", pgtype.VarcharOID: "VARCHAR", pgtype.BPCharOID: "VARCHAR", pgtype.NameOID: "VARCHAR",
	pgtype.DateOID: "DATE", pgtype.TimeOID: "TIME", pgtype.TimestampOID: "TIMESTAMP", pgtype.TimestamptzOID: "TIMESTAMPTZ",
	pgtype.IntervalOID: "INTERVAL", pgtype.UUIDOID: "UUID", pgtype.ByteaOID: "BLOB", pgtype.JSONOID: "JSON",
}

// castParams returns sql with each $n whose type was declared as a known
// type written as ($n::TYPE), so that DuckDB infers what PREPARE declared.
func castParams(sql string, oids []uint32) string {
	scan, err := pg_query.Scan(sql)
	if err != nil {
		return sql
	}
	var b strings.Builder
	last := 0
	for _, tok := range scan.Tokens {
		if tok.Token != pg_query.Token_PARAM {
			continue
		}
		n, err := strconv.Atoi(sql[tok.Start+1 : tok.End])
		if err != nil || n < 1 || n > len(oids) {
			continue
		}
		typ, ok := duckdbParamTypes[oids[n-1]]
		if !ok {
			continue
		}
		b.WriteString(sql[last:tok.Start])
		b.WriteString("(" + sql[tok.Start:tok.End] + "::" + typ + ")")
		last = int(tok.End)
	}
	if last == 0 {
		return sql
	}
	b.WriteString(sql[last:])
	return b.String()
}

// typeNameOID is the OID of a PostgreSQL type name as the grammar leaves
// it (pg_catalog.int4 for integer, plain names for the rest).
func typeNameOID(t *pg_query.TypeName) (uint32, error) {
	if t == nil || len(t.Names) == 0 {
		return 0, nil
	}
	name := t.Names[len(t.Names)-1].GetString_().GetSval()
	pt, ok := typeNames.TypeForName(name)
	if !ok {
		full := make([]string, len(t.Names))
		for i, n := range t.Names {
			full[i] = n.GetString_().GetSval()
		}
		return 0, sqlstate.Errorf(sqlstate.UndefinedObject, "type %q does not exist", strings.Join(full, "."))
	}
	oid := pt.OID
	if len(t.ArrayBounds) > 0 {
		at, ok := typeNames.TypeForName("_" + name)
		if !ok {
			return 0, sqlstate.Errorf(sqlstate.UndefinedObject, "type \"%s[]\" does not exist", name)
		}
		oid = at.OID
	}
	return oid, nil
}

// tokenEnd returns the byte offset just after the first token of kind
// kind outside parentheses: where the statement nested in DECLARE ... FOR
// or PREPARE ... AS begins.
func tokenEnd(sql string, kind pg_query.Token) (int, error) {
	scan, err := pg_query.Scan(sql)
	if err != nil {
		return 0, sqlstate.Errorf(sqlstate.SyntaxError, "%v", err)
	}
	depth := 0
	for _, tok := range scan.Tokens {
		switch tok.Token {
		case pg_query.Token_ASCII_40:
			depth++
		case pg_query.Token_ASCII_41:
			depth--
		case kind:
			if depth == 0 {
				return int(tok.End), nil
			}
		}
	}
	return 0, sqlstate.Errorf(sqlstate.SyntaxError, "syntax error: cannot find the statement in %q", sql)
}

// innerSource is the statement nested in src between the byte offsets
// start and end, parsed on its own so that its tree's locations are
// relative to its own text, with the offset that keeps error positions
// pointing into what the client wrote.
func innerSource(src sourceStatement, start, end int) sourceStatement {
	sql, lead := trimStatement(src.sql[start:end])
	inner := sourceStatement{sql: sql, offset: src.offset + utf8.RuneCountInString(src.sql[:start+lead])}
	if tree, err := pg_query.Parse(sql); err == nil && len(tree.Stmts) == 1 {
		inner.node = tree.Stmts[0].Stmt
	}
	return inner
}
