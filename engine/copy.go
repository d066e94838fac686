package engine

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/lakegate/lakegate/sqlstate"
)

// COPY ... TO STDOUT.
//
// The engine runs the query of a COPY like any other and streams its
// chunks to the ResultWriter; the wire server, seeing CopyOut on the
// portal, frames them as CopyData in the format described here. Options
// are checked as PostgreSQL 16's ProcessCopyOptions checks them, with the
// same messages and SQLSTATEs.
//
// COPY table TO STDOUT is accepted for every relation, and runs as
// COPY (SELECT * FROM table) TO STDOUT. PostgreSQL refuses it for views,
// but lake tables are views only as an implementation detail: to clients
// they are the tables of the lake, and dump and migration tools copy
// tables by name.

// CopyFormat is the format of a COPY.
type CopyFormat int

// COPY formats.
const (
	CopyText CopyFormat = iota
	CopyCSV
	CopyBinary
)

// CopyOut describes the data of a COPY ... TO STDOUT.
type CopyOut struct {
	Format CopyFormat
	// Delimiter, Null, Quote and Escape are PostgreSQL's defaults unless
	// given: tab and \N in text, comma, empty, '"' and Quote in CSV.
	Delimiter byte
	Null      string
	Quote     byte
	Escape    byte
	Header    bool
	// ForceQuote says, per column, to quote non-NULL values in CSV;
	// nil when no column is forced.
	ForceQuote []bool
	// Columns are the columns copied.
	Columns []Column
}

// CopyOut describes the COPY the portal runs, or is nil if it runs none.
func (p *Portal) CopyOut() *CopyOut { return p.stmt.copyOut }

// CopyOut describes the COPY the statement runs, or is nil if it runs none.
func (st *Statement) CopyOut() *CopyOut { return st.copyOut }

// prepareCopy prepares COPY (query) TO STDOUT and COPY table [(columns)]
// TO STDOUT: the statement becomes the query, whose rows the server frames
// as COPY data.
func (s *Session) prepareCopy(ctx context.Context, st *Statement, c *pg_query.CopyStmt) error {
	switch {
	case c.IsFrom:
		return refuseWrite("COPY FROM")
	case c.Filename != "" || c.IsProgram:
		return sqlstate.Errorf(sqlstate.InsufficientPrivilege, "COPY to a file or program is not allowed").
			WithHint("Use COPY ... TO STDOUT (psql's \\copy) to receive the data on the client.")
	}
	opts, forceQuote, err := st.copyOptions(c.Options)
	if err != nil {
		return err
	}
	var inner sourceStatement
	if c.Query != nil {
		start, end, err := parenthesized(st.source.sql)
		if err != nil {
			return err
		}
		inner = innerSource(st.source, start, end)
		if inner.node != nil {
			if inner.node.GetSelectStmt() == nil {
				return refuseWrite(writeTag(inner.node))
			}
			if err := checkReadOnlyQuery(inner.node); err != nil {
				return err
			}
		}
	} else {
		inner = copyTableSource(st.source, c)
	}
	query := &Statement{source: inner, tag: "SELECT"}
	if err := s.describeQuery(ctx, query, nil); err != nil {
		return err
	}
	if len(query.paramOIDs) > 0 {
		return sqlstate.Errorf(sqlstate.UndefinedParameter, "there is no parameter $1")
	}
	opts.Columns = query.columns
	if forceQuote != nil {
		opts.ForceQuote = make([]bool, len(opts.Columns))
		for _, name := range forceQuote {
			if name == "*" {
				for i := range opts.ForceQuote {
					opts.ForceQuote[i] = true
				}
				continue
			}
			i := columnIndex(opts.Columns, name)
			if i < 0 {
				if c.Relation != nil {
					return sqlstate.Errorf(sqlstate.UndefinedColumn, "column %q of relation %q does not exist", name, c.Relation.Relname)
				}
				return sqlstate.Errorf(sqlstate.UndefinedColumn, "column %q does not exist", name)
			}
			opts.ForceQuote[i] = true
		}
	}
	*st = *query
	st.tag = "COPY"
	st.columns = nil
	st.copyOut = opts
	return nil
}

func columnIndex(cols []Column, name string) int {
	for i, c := range cols {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// copyTableSource is the query of COPY table [(columns)] TO STDOUT.
func copyTableSource(src sourceStatement, c *pg_query.CopyStmt) sourceStatement {
	cols := "*"
	if len(c.Attlist) > 0 {
		names := make([]string, len(c.Attlist))
		for i, a := range c.Attlist {
			names[i] = quoteIdent(a.GetString_().GetSval())
		}
		cols = strings.Join(names, ", ")
	}
	rel := quoteIdent(c.Relation.Relname)
	if c.Relation.Schemaname != "" {
		rel = quoteIdent(c.Relation.Schemaname) + "." + rel
	}
	if c.Relation.Catalogname != "" {
		rel = quoteIdent(c.Relation.Catalogname) + "." + rel
	}
	sql := "SELECT " + cols + " FROM " + rel
	inner := sourceStatement{sql: sql, offset: src.offset}
	if tree, err := pg_query.Parse(sql); err == nil && len(tree.Stmts) == 1 {
		inner.node = tree.Stmts[0].Stmt
	}
	return inner
}

// parenthesized returns the byte range inside the first parentheses of
// sql: the query of COPY (query) TO.
func parenthesized(sql string) (int, int, error) {
	scan, err := pg_query.Scan(sql)
	if err != nil {
		return 0, 0, sqlstate.Errorf(sqlstate.SyntaxError, "%v", err)
	}
	depth, start := 0, -1
	for _, tok := range scan.Tokens {
		switch tok.Token {
		case pg_query.Token_ASCII_40:
			if depth == 0 {
				start = int(tok.End)
			}
			depth++
		case pg_query.Token_ASCII_41:
			depth--
			if depth == 0 && start >= 0 {
				return start, int(tok.Start), nil
			}
		}
	}
	return 0, 0, sqlstate.Errorf(sqlstate.SyntaxError, "syntax error: cannot find the query of %q", sql)
}

// copyOptions checks the options of a COPY TO as PostgreSQL does and
// returns them with the FORCE_QUOTE column names ("*" for all), nil if
// none.
func (st *Statement) copyOptions(options []*pg_query.Node) (*CopyOut, []string, error) {
	var (
		format, delim, null, quote, escape *string
		header, freeze, encoding           bool
		forceQuote                         []string
		forceQuoteSet                      bool
	)
	seen := map[string]bool{}
	for _, o := range options {
		def := o.GetDefElem()
		if def == nil {
			continue
		}
		name := def.Defname
		if seen[name] {
			return nil, nil, st.errorAt(def.Location, sqlstate.Errorf(sqlstate.SyntaxError, "conflicting or redundant options"))
		}
		seen[name] = true
		switch name {
		case "format":
			f := defString(def)
			if f != "text" && f != "csv" && f != "binary" {
				return nil, nil, st.errorAt(def.Location, sqlstate.Errorf(sqlstate.InvalidParameterValue, "COPY format %q not recognized", f))
			}
			format = &f
		case "freeze":
			if _, err := defBoolean(def); err != nil {
				return nil, nil, err
			}
			freeze = true
		case "delimiter":
			v := defString(def)
			delim = &v
		case "null":
			v := defString(def)
			null = &v
		case "default":
			return nil, nil, sqlstate.Errorf(sqlstate.FeatureNotSupported, "COPY DEFAULT only available using COPY FROM")
		case "header":
			if s := strings.ToLower(defString(def)); s == "match" && def.Arg != nil && def.Arg.GetString_() != nil {
				return nil, nil, sqlstate.Errorf(sqlstate.FeatureNotSupported, "cannot use \"%s\" with HEADER in COPY TO", "match")
			}
			v, err := defBoolean(def)
			if err != nil {
				return nil, nil, sqlstate.Errorf(sqlstate.SyntaxError, "%s requires a Boolean value or \"match\"", name)
			}
			header = v
		case "quote":
			v := defString(def)
			quote = &v
		case "escape":
			v := defString(def)
			escape = &v
		case "force_quote":
			forceQuoteSet = true
			switch {
			case def.Arg != nil && def.Arg.GetAStar() != nil:
				forceQuote = []string{"*"}
			case def.Arg != nil && def.Arg.GetList() != nil:
				for _, item := range def.Arg.GetList().Items {
					forceQuote = append(forceQuote, item.GetString_().GetSval())
				}
			default:
				return nil, nil, st.errorAt(def.Location, sqlstate.Errorf(sqlstate.SyntaxError, "argument to option %q must be a list of column names", name))
			}
		case "force_not_null", "force_null":
			if def.Arg == nil || def.Arg.GetList() == nil {
				return nil, nil, st.errorAt(def.Location, sqlstate.Errorf(sqlstate.SyntaxError, "argument to option %q must be a list of column names", name))
			}
		case "encoding":
			e := strings.ToLower(strings.NewReplacer("-", "", "_", "").Replace(defString(def)))
			if e != "utf8" && e != "unicode" {
				return nil, nil, sqlstate.Errorf(sqlstate.FeatureNotSupported, "COPY encoding %q is not supported by lakegate", defString(def)).
					WithHint("lakegate sends UTF8.")
			}
			encoding = true
		default:
			return nil, nil, st.errorAt(def.Location, sqlstate.Errorf(sqlstate.SyntaxError, "option %q not recognized", name))
		}
	}
	_, _ = freeze, encoding
	out := &CopyOut{Header: header}
	csv := format != nil && *format == "csv"
	binary := format != nil && *format == "binary"
	switch {
	case csv:
		out.Format = CopyCSV
	case binary:
		out.Format = CopyBinary
	}
	if binary && delim != nil {
		return nil, nil, sqlstate.Errorf(sqlstate.SyntaxError, "cannot specify DELIMITER in BINARY mode")
	}
	if binary && null != nil {
		return nil, nil, sqlstate.Errorf(sqlstate.SyntaxError, "cannot specify NULL in BINARY mode")
	}
	d, n := "\t", `\N`
	if csv {
		d, n = ",", ""
	}
	if delim != nil {
		d = *delim
	}
	if null != nil {
		n = *null
	}
	out.Null = n
	if len(d) != 1 {
		return nil, nil, sqlstate.Errorf(sqlstate.FeatureNotSupported, "COPY delimiter must be a single one-byte character")
	}
	if strings.ContainsAny(d, "\r\n") {
		return nil, nil, sqlstate.Errorf(sqlstate.InvalidParameterValue, "COPY delimiter cannot be newline or carriage return")
	}
	if strings.ContainsAny(n, "\r\n") {
		return nil, nil, sqlstate.Errorf(sqlstate.InvalidParameterValue, "COPY null representation cannot use newline or carriage return")
	}
	if !csv && strings.Contains(`\.abcdefghijklmnopqrstuvwxyz0123456789`, d) {
		return nil, nil, sqlstate.Errorf(sqlstate.InvalidParameterValue, "COPY delimiter cannot be %q", d)
	}
	out.Delimiter = d[0]
	if binary && header {
		return nil, nil, sqlstate.Errorf(sqlstate.FeatureNotSupported, "cannot specify HEADER in BINARY mode")
	}
	if !csv && quote != nil {
		return nil, nil, sqlstate.Errorf(sqlstate.FeatureNotSupported, "COPY quote available only in CSV mode")
	}
	if csv {
		q := `"`
		if quote != nil {
			q = *quote
		}
		if len(q) != 1 {
			return nil, nil, sqlstate.Errorf(sqlstate.FeatureNotSupported, "COPY quote must be a single one-byte character")
		}
		if q[0] == d[0] {
			return nil, nil, sqlstate.Errorf(sqlstate.InvalidParameterValue, "COPY delimiter and quote must be different")
		}
		out.Quote = q[0]
	}
	if !csv && escape != nil {
		return nil, nil, sqlstate.Errorf(sqlstate.FeatureNotSupported, "COPY escape available only in CSV mode")
	}
	if csv {
		e := string(out.Quote)
		if escape != nil {
			e = *escape
		}
		if len(e) != 1 {
			return nil, nil, sqlstate.Errorf(sqlstate.FeatureNotSupported, "COPY escape must be a single one-byte character")
		}
		out.Escape = e[0]
	}
	if !csv && forceQuoteSet {
		return nil, nil, sqlstate.Errorf(sqlstate.FeatureNotSupported, "COPY force quote available only in CSV mode")
	}
	if seen["force_not_null"] {
		if !csv {
			return nil, nil, sqlstate.Errorf(sqlstate.FeatureNotSupported, "COPY force not null available only in CSV mode")
		}
		return nil, nil, sqlstate.Errorf(sqlstate.FeatureNotSupported, "COPY force not null only available using COPY FROM")
	}
	if seen["force_null"] {
		if !csv {
			return nil, nil, sqlstate.Errorf(sqlstate.FeatureNotSupported, "COPY force null available only in CSV mode")
		}
		return nil, nil, sqlstate.Errorf(sqlstate.FeatureNotSupported, "COPY force null only available using COPY FROM")
	}
	if !binary && strings.IndexByte(n, out.Delimiter) >= 0 {
		return nil, nil, sqlstate.Errorf(sqlstate.FeatureNotSupported, "COPY delimiter must not appear in the NULL specification")
	}
	if csv && strings.IndexByte(n, out.Quote) >= 0 {
		return nil, nil, sqlstate.Errorf(sqlstate.FeatureNotSupported, "CSV quote character must not appear in the NULL specification")
	}
	if binary {
		out.Delimiter, out.Null = 0, ""
	}
	if forceQuoteSet && forceQuote == nil {
		forceQuote = []string{}
	}
	return out, forceQuote, nil
}

// errorAt sets the error's position to a location in the statement.
func (st *Statement) errorAt(location int32, err *sqlstate.Error) *sqlstate.Error {
	if location >= 0 && int(location) <= len(st.source.sql) {
		err.Position = int32(st.source.offset + utf8.RuneCountInString(st.source.sql[:location]) + 1)
	}
	return err
}

// defString is PostgreSQL's defGetString.
func defString(def *pg_query.DefElem) string {
	a := def.Arg
	switch {
	case a == nil:
		return ""
	case a.GetString_() != nil:
		return a.GetString_().Sval
	case a.GetInteger() != nil:
		return strconv.FormatInt(int64(a.GetInteger().Ival), 10)
	case a.GetFloat() != nil:
		return a.GetFloat().Fval
	case a.GetBoolean() != nil:
		return strconv.FormatBool(a.GetBoolean().Boolval)
	case a.GetTypeName() != nil:
		names := a.GetTypeName().Names
		return names[len(names)-1].GetString_().GetSval()
	}
	return ""
}

// defBoolean is PostgreSQL's defGetBoolean.
func defBoolean(def *pg_query.DefElem) (bool, error) {
	a := def.Arg
	switch {
	case a == nil:
		return true, nil
	case a.GetInteger() != nil:
		switch a.GetInteger().Ival {
		case 0:
			return false, nil
		case 1:
			return true, nil
		}
	case a.GetBoolean() != nil:
		return a.GetBoolean().Boolval, nil
	default:
		switch strings.ToLower(defString(def)) {
		case "true", "on":
			return true, nil
		case "false", "off":
			return false, nil
		}
	}
	return false, sqlstate.Errorf(sqlstate.SyntaxError, "%s requires a Boolean value", def.Defname)
}
