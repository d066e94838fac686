package engine

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/lakegate/lakegate/catalog"
)

// tablesInTokens finds the lake tables a statement pg_query cannot parse
// may read: every "schema.table" (or bare "table" of the default schema)
// among its identifier tokens. It may find too many (a column named like
// a table), which only costs reading an unpruned table; it finds every
// reference DuckDB can resolve, since those are spelled with the same
// tokens.
func tablesInTokens(sql string, lake Lake, unqualified []string) []*catalog.Table {
	res, err := pg_query.Scan(sql)
	if err != nil {
		return nil
	}
	var names []string // identifier text, "" for a dot, "-" for anything else
	for _, tok := range res.Tokens {
		text := sql[tok.Start:tok.End]
		switch {
		case tok.Token == pg_query.Token_IDENT || tok.KeywordKind != pg_query.KeywordKind_NO_KEYWORD:
			names = append(names, identifierText(text))
		case text == ".":
			names = append(names, "")
		default:
			names = append(names, "-")
		}
	}
	var found []*catalog.Table
	seen := map[*catalog.Table]bool{}
	add := func(t *catalog.Table) {
		if t != nil && !seen[t] {
			seen[t] = true
			found = append(found, t)
		}
	}
	for i, n := range names {
		if n == "" || n == "-" {
			continue
		}
		if i+2 < len(names) && names[i+1] == "" && names[i+2] != "" && names[i+2] != "-" {
			add(lake.Table(n, names[i+2]))
		}
		if i == 0 || names[i-1] != "" {
			add(lookupUnqualified(lake, unqualified, n))
		}
	}
	return found
}

// defaultSchema is where DuckDB resolves unqualified table names that no
// schema of the session's search_path has.
const defaultSchema = "main"

// lookupUnqualified finds an unqualified table in the first of schemas
// (the session's lakeSchemas) that has it.
func lookupUnqualified(lake Lake, schemas []string, name string) *catalog.Table {
	for _, schema := range schemas {
		if t := lake.Table(schema, name); t != nil {
			return t
		}
	}
	return nil
}

// identifierText strips the quotes of a quoted identifier.
func identifierText(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return strings.ReplaceAll(s[1:len(s)-1], `""`, `"`)
	}
	return s
}
