package engine

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// wireTypeCasts are PostgreSQL type names DuckDB lacks, or has as something
// else (its oid is a BIGINT), that the layer has as aliased types sent as
// PostgreSQL's (compat_wiretypes.go). "char" is the quoted name: char
// unquoted is bpchar.
var wireTypeCasts = map[string]string{
	"oid":  oidTypeAlias,
	"char": charTypeAlias,
}

// rewriteOIDTypes makes casts to oid and "char" (and their arrays) casts
// to lakegate_oid and lakegate_char, so that x::oid, $1::oid[] or
// 'r'::"char" have PostgreSQL's type on the wire and in parameter
// descriptions. It runs after the pg_catalog qualifier is dropped and after
// the regclass rewrite (which reads ::oid).
func rewriteOIDTypes(_ *rewriteEnv, root *pg_query.Node) bool {
	return walk(root, func(n *pg_query.Node) bool {
		tc := n.GetTypeCast()
		if tc == nil || tc.TypeName == nil || len(tc.TypeName.Names) != 1 {
			return false
		}
		to, ok := wireTypeCasts[tc.TypeName.Names[0].GetString_().GetSval()]
		if !ok {
			return false
		}
		tc.TypeName.Names = strNodes(to)
		return true
	})
}
