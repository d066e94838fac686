package engine

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// rewriteCollate drops COLLATE "default" and COLLATE pg_catalog.default
// (psql adds it to every pattern), which DuckDB does not know, and the
// pg_catalog qualifier of other collations ("C", "POSIX").
func rewriteCollate(_ *rewriteEnv, root *pg_query.Node) bool {
	return walk(root, func(n *pg_query.Node) bool {
		cc := n.GetCollateClause()
		if cc == nil {
			return false
		}
		parts := names(cc.Collname)
		if len(parts) == 0 || parts[len(parts)-1] == "default" {
			replace(n, cc.Arg)
			return true
		}
		if len(parts) == 2 && parts[0] == "pg_catalog" {
			cc.Collname = cc.Collname[1:]
			return true
		}
		return false
	})
}
