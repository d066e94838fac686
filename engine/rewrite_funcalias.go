package engine

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// scalarSetFunctions return one column, which PostgreSQL names after the
// alias of the function in FROM: generate_series(1, 3) s has column s.
var scalarSetFunctions = map[string]bool{
	"unnest": true, "generate_series": true, "generate_subscripts": true,
	"regexp_split_to_table": true, "string_to_table": true, "json_array_elements_text": true,
}

// rewriteFuncAlias gives a one-column set-returning function in FROM its
// alias as column name too (FROM unnest(a) x ... x), as PostgreSQL does;
// DuckDB would name the column after the function and x would be the
// whole row.
func rewriteFuncAlias(_ *rewriteEnv, root *pg_query.Node) bool {
	return walk(root, func(n *pg_query.Node) bool {
		rf := n.GetRangeFunction()
		if rf == nil || rf.Alias == nil || len(rf.Alias.Colnames) > 0 || len(rf.Functions) != 1 || rf.Ordinality {
			return false
		}
		items := rf.Functions[0].GetList().GetItems()
		if len(items) == 0 {
			return false
		}
		fc := items[0].GetFuncCall()
		if fc == nil || !scalarSetFunctions[funcName(fc)] || (funcName(fc) == "unnest" && len(fc.Args) != 1) {
			return false
		}
		rf.Alias.Colnames = []*pg_query.Node{pg_query.MakeStrNode(rf.Alias.Aliasname)}
		return true
	})
}
