package engine

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// rewriteArrays handles PostgreSQL array literals and ANY/ALL over arrays:
//   - '{1,2}'::int[] becomes ARRAY['1','2']::int[] (DuckDB cannot cast the
//     text form);
//   - x = ANY('{a,b}') and x = ANY(col) become lakegate_any_eq(list, x), and
//     x <> ALL(list) its negation (DuckDB reads = ANY(list) as a correlated
//     unnest it cannot run); lakegate_any_eq is list_contains with
//     PostgreSQL's NULLs (_6_functions.sql), so that x <> ALL('{1,NULL}')
//     is NULL, not true. When a side holds a parameter it stays
//     list_contains: DuckDB infers the parameter's type from it, and not
//     through the macro (an array parameter with a NULL element then
//     gives false where PostgreSQL gives NULL);
//   - col = '{0}' compares with ARRAY['0'].
func rewriteArrays(_ *rewriteEnv, root *pg_query.Node) bool {
	return walk(root, func(n *pg_query.Node) bool {
		if tc := n.GetTypeCast(); tc != nil && tc.TypeName != nil && len(tc.TypeName.ArrayBounds) > 0 {
			if arr := arrayLiteral(tc.Arg); arr != nil {
				tc.Arg = arr
				return true
			}
			return false
		}
		e := n.GetAExpr()
		if e == nil || len(e.Name) != 1 {
			return false
		}
		op := names(e.Name)[0]
		switch e.Kind {
		case pg_query.A_Expr_Kind_AEXPR_OP_ANY, pg_query.A_Expr_Kind_AEXPR_OP_ALL:
			list := e.Rexpr
			if arr := arrayLiteral(list); arr != nil {
				list = arr
			}
			contains := "lakegate_any_eq"
			if hasParam(list) || hasParam(e.Lexpr) {
				contains = "list_contains"
			}
			switch {
			case e.Kind == pg_query.A_Expr_Kind_AEXPR_OP_ANY && op == "=":
				replace(n, call([]string{contains}, list, e.Lexpr))
				return true
			case e.Kind == pg_query.A_Expr_Kind_AEXPR_OP_ALL && op == "<>":
				replace(n, not(call([]string{contains}, list, e.Lexpr)))
				return true
			}
			if list != e.Rexpr {
				e.Rexpr = list
				return true
			}
		case pg_query.A_Expr_Kind_AEXPR_OP:
			if op != "=" && op != "<>" {
				return false
			}
			if arr := arrayLiteral(e.Rexpr); arr != nil && e.Lexpr.GetAConst() == nil {
				e.Rexpr = arr
				return true
			}
			if arr := arrayLiteral(e.Lexpr); arr != nil && e.Rexpr.GetAConst() == nil {
				e.Lexpr = arr
				return true
			}
		}
		return false
	})
}

// arrayLiteral parses a string constant in PostgreSQL's one-dimensional
// array syntax ('{a,"b c",NULL}') into ARRAY['a','b c',NULL]; nil if n is
// not one.
func arrayLiteral(n *pg_query.Node) *pg_query.Node {
	s, ok := constStr(n)
	if !ok {
		return nil
	}
	elems, ok := parseArrayText(s)
	if !ok {
		return nil
	}
	nodes := make([]*pg_query.Node, len(elems))
	for i, e := range elems {
		if e == nil {
			nodes[i] = &pg_query.Node{Node: &pg_query.Node_AConst{AConst: &pg_query.A_Const{Isnull: true, Location: -1}}}
		} else {
			nodes[i] = stringConst(*e)
		}
	}
	return &pg_query.Node{Node: &pg_query.Node_AArrayExpr{AArrayExpr: &pg_query.A_ArrayExpr{Elements: nodes, Location: -1}}}
}

// parseArrayText parses a one-dimensional array's text form; nil elements
// are NULLs.
func parseArrayText(s string) ([]*string, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 2 || s[0] != '{' || s[len(s)-1] != '}' {
		return nil, false
	}
	body := s[1 : len(s)-1]
	var out []*string
	if strings.TrimSpace(body) == "" {
		return out, true
	}
	i := 0
	for {
		for i < len(body) && body[i] == ' ' {
			i++
		}
		var b strings.Builder
		quoted := false
		if i < len(body) && body[i] == '"' {
			quoted = true
			i++
			for i < len(body) && body[i] != '"' {
				if body[i] == '\\' && i+1 < len(body) {
					i++
				}
				b.WriteByte(body[i])
				i++
			}
			if i >= len(body) {
				return nil, false
			}
			i++
		} else {
			for i < len(body) && body[i] != ',' {
				switch body[i] {
				case '{', '}', '"':
					return nil, false // nested or malformed
				case '\\':
					i++
					if i >= len(body) {
						return nil, false
					}
				}
				b.WriteByte(body[i])
				i++
			}
		}
		v := b.String()
		if !quoted {
			v = strings.TrimSpace(v)
		}
		if !quoted && strings.EqualFold(v, "NULL") {
			out = append(out, nil)
		} else {
			out = append(out, &v)
		}
		for i < len(body) && body[i] == ' ' {
			i++
		}
		if i >= len(body) {
			return out, true
		}
		if body[i] != ',' {
			return nil, false
		}
		i++
	}
}

// hasParam reports whether an expression holds a $n parameter.
func hasParam(n *pg_query.Node) bool {
	found := false
	walk(n, func(m *pg_query.Node) bool {
		if m.GetParamRef() != nil {
			found = true
		}
		return false
	})
	return found
}
