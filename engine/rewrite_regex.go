package engine

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// regexOperators are PostgreSQL's POSIX regular expression operators: the
// match is a search (DuckDB's ~ is a full match), negated or case
// insensitive.
var regexOperators = map[string]struct{ negate, icase bool }{
	"~": {false, false}, "!~": {true, false}, "~*": {false, true}, "!~*": {true, true},
}

// rewriteRegex turns a ~ b, a !~ b, a ~* b and a !~* b (also written
// OPERATOR(pg_catalog.~)) into regexp_matches(a, b[, 'i']), negated for
// the !~ forms.
func rewriteRegex(_ *rewriteEnv, root *pg_query.Node) bool {
	return walk(root, func(n *pg_query.Node) bool {
		e := n.GetAExpr()
		if e == nil || e.Kind != pg_query.A_Expr_Kind_AEXPR_OP || e.Lexpr == nil || e.Rexpr == nil {
			return false
		}
		parts := names(e.Name)
		if len(parts) == 2 && parts[0] == "pg_catalog" {
			parts = parts[1:]
		}
		op, ok := regexOperators[parts[len(parts)-1]]
		if !ok || len(parts) != 1 {
			return false
		}
		args := []*pg_query.Node{e.Lexpr, e.Rexpr}
		if op.icase {
			args = append(args, stringConst("i"))
		}
		m := call([]string{"regexp_matches"}, args...)
		if op.negate {
			m = not(m)
		}
		replace(n, m)
		return true
	})
}
