package engine

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// renamedFunctions are PostgreSQL functions DuckDB has under another name
// and that a macro cannot stand in for (they take any number of
// arguments).
var renamedFunctions = map[string]string{
	"json_build_object":  "json_object",
	"jsonb_build_object": "json_object",
	"json_build_array":   "json_array",
	"jsonb_build_array":  "json_array",
}

// rewriteFuncNames renames calls of renamedFunctions.
func rewriteFuncNames(_ *rewriteEnv, root *pg_query.Node) bool {
	return walk(root, func(n *pg_query.Node) bool {
		fc := n.GetFuncCall()
		if fc == nil {
			return false
		}
		if to, ok := renamedFunctions[funcName(fc)]; ok {
			fc.Funcname = strNodes(to)
			return true
		}
		return false
	})
}
