package engine

import (
	"strings"
	"unicode/utf8"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// sourceStatement is one statement of the text a client sent.
type sourceStatement struct {
	sql string
	// offset is the number of characters before sql in the client's text,
	// so error positions can point into what the client wrote.
	offset int
	// node is the statement's pg_query parse tree, or nil when the
	// PostgreSQL grammar cannot parse it (DuckDB-only syntax).
	node *pg_query.Node
}

// splitStatements splits text into statements. When the whole text parses
// as PostgreSQL, statements and their boundaries come from the parse tree.
// Otherwise the text is split by pg_query's scanner (which understands
// quoting, dollar quoting and comments) and each piece is parsed alone, so
// one DuckDB-only statement does not hide the others from the parser.
func splitStatements(text string) []sourceStatement {
	if tree, err := pg_query.Parse(text); err == nil {
		stmts := make([]sourceStatement, 0, len(tree.Stmts))
		for _, raw := range tree.Stmts {
			start := int(raw.StmtLocation)
			end := len(text)
			if raw.StmtLen > 0 {
				end = start + int(raw.StmtLen)
			}
			sql, lead := trimStatement(text[start:end])
			stmts = append(stmts, sourceStatement{
				sql:    sql,
				offset: utf8.RuneCountInString(text[:start+lead]),
				node:   raw.Stmt,
			})
		}
		return stmts
	}
	pieces, err := splitOnSemicolons(text)
	if err != nil {
		// Not even the scanner understands it (say, an unterminated
		// quote): DuckDB will report the syntax error.
		sql, lead := trimStatement(text)
		return []sourceStatement{{sql: sql, offset: utf8.RuneCountInString(text[:lead])}}
	}
	var stmts []sourceStatement
	for _, bounds := range pieces {
		start := bounds[0]
		sql, lead := trimStatement(text[bounds[0]:bounds[1]])
		if sql == "" {
			continue
		}
		st := sourceStatement{sql: sql, offset: utf8.RuneCountInString(text[:start+lead])}
		if tree, err := pg_query.Parse(sql); err == nil {
			if len(tree.Stmts) == 0 {
				continue // only comments
			}
			st.node = tree.Stmts[0].Stmt
		}
		stmts = append(stmts, st)
	}
	return stmts
}

// trimStatement removes surrounding whitespace and a trailing semicolon,
// returning how many bytes were removed from the front.
func trimStatement(s string) (string, int) {
	trimmed := strings.TrimLeft(s, " \t\r\n\f")
	lead := len(s) - len(trimmed)
	trimmed = strings.TrimRight(trimmed, " \t\r\n\f")
	trimmed = strings.TrimRight(strings.TrimSuffix(trimmed, ";"), " \t\r\n\f")
	return trimmed, lead
}

// splitOnSemicolons returns the byte ranges of text between top-level
// semicolons, found with PostgreSQL's scanner so that semicolons inside
// strings, quoted identifiers, dollar quotes and comments do not split.
// (pg_query's SplitWithScanner drops statements that do not start with a
// PostgreSQL keyword, which DuckDB-only statements often do not.)
func splitOnSemicolons(text string) ([][2]int, error) {
	scan, err := pg_query.Scan(text)
	if err != nil {
		return nil, err
	}
	var pieces [][2]int
	start := 0
	for _, tok := range scan.Tokens {
		if tok.Token == pg_query.Token_ASCII_59 {
			pieces = append(pieces, [2]int{start, int(tok.Start)})
			start = int(tok.End)
		}
	}
	return append(pieces, [2]int{start, len(text)}), nil
}
