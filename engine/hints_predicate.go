package engine

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/lakegate/lakegate/catalog"
)

// boundPredicate is a predicate on a column of one FROM item.
type boundPredicate struct {
	item *fromItem
	pred hintPredicate
}

// predicatesOf returns predicates implied by expr being true, each on a
// catalog table among items (the FROM of the query level, or of the join,
// that expr filters). Which of them restrict the rows read from their table
// depends on where expr sits; the caller decides.
func predicatesOf(expr *pg_query.Node, items []*fromItem) []boundPredicate {
	switch n := expr.GetNode().(type) {
	case *pg_query.Node_BoolExpr:
		switch n.BoolExpr.Boolop {
		case pg_query.BoolExprType_AND_EXPR:
			var out []boundPredicate
			for _, arg := range n.BoolExpr.Args {
				out = append(out, predicatesOf(arg, items)...)
			}
			return out
		case pg_query.BoolExprType_OR_EXPR:
			return orPredicates(n.BoolExpr.Args, items)
		}
		// NOT is not pushed through operator by operator: the sound cases
		// are rare, and the unsound ones subtle (NOT x IN (1, NULL) is
		// never true, NOT x BETWEEN ... is two ranges).
		return nil
	case *pg_query.Node_AExpr:
		return exprPredicates(n.AExpr, items)
	case *pg_query.Node_NullTest:
		t := n.NullTest
		it, col, ok := columnOf(t.Arg, items)
		if !ok || t.Argisrow {
			return nil
		}
		switch t.Nulltesttype {
		case pg_query.NullTestType_IS_NULL:
			return one(it, col, catalog.OpIsNull)
		case pg_query.NullTestType_IS_NOT_NULL:
			return one(it, col, catalog.OpIsNotNull)
		}
	}
	return nil
}

func one(it *fromItem, col string, op catalog.Op, values ...hintValue) []boundPredicate {
	return []boundPredicate{{it, hintPredicate{Column: col, Op: op, Values: values}}}
}

// comparisons are the operators of "col op value"; flipped is the operator
// that reads the same with the operands swapped.
var comparisons = map[string]struct{ op, flipped catalog.Op }{
	"=":  {catalog.OpEq, catalog.OpEq},
	"<>": {catalog.OpNe, catalog.OpNe},
	"!=": {catalog.OpNe, catalog.OpNe},
	"<":  {catalog.OpLt, catalog.OpGt},
	"<=": {catalog.OpLe, catalog.OpGe},
	">":  {catalog.OpGt, catalog.OpLt},
	">=": {catalog.OpGe, catalog.OpLe},
}

// operatorName returns a built-in operator's name: "=", or
// OPERATOR(pg_catalog.=); "" for an operator of another schema, which may
// mean anything.
func operatorName(names []*pg_query.Node) string {
	switch {
	case len(names) == 1:
		return names[0].GetString_().GetSval()
	case len(names) == 2 && names[0].GetString_().GetSval() == "pg_catalog":
		return names[1].GetString_().GetSval()
	}
	return ""
}

// exprPredicates handles the operator forms: comparisons, IN, BETWEEN,
// = ANY (ARRAY[...]), IS NOT DISTINCT FROM.
func exprPredicates(e *pg_query.A_Expr, items []*fromItem) []boundPredicate {
	opName := operatorName(e.Name)
	switch e.Kind {
	case pg_query.A_Expr_Kind_AEXPR_OP:
		cmp, ok := comparisons[opName]
		if !ok || e.Lexpr == nil {
			return nil
		}
		if it, col, ok := columnOf(e.Lexpr, items); ok {
			if v, ok := valueOf(e.Rexpr); ok {
				return one(it, col, cmp.op, v)
			}
		} else if it, col, ok := columnOf(e.Rexpr, items); ok {
			if v, ok := valueOf(e.Lexpr); ok {
				return one(it, col, cmp.flipped, v)
			}
		}
	case pg_query.A_Expr_Kind_AEXPR_IN:
		return listPredicates(e.Lexpr, opName, e.Rexpr.GetList().GetItems(), e.Rexpr.GetList() != nil, items)
	case pg_query.A_Expr_Kind_AEXPR_OP_ANY, pg_query.A_Expr_Kind_AEXPR_OP_ALL:
		// col = ANY (ARRAY[...]) is IN, col <> ALL (ARRAY[...]) NOT IN. An
		// array parameter or literal ('{1,2}') is not read.
		arr := e.Rexpr.GetAArrayExpr()
		if arr == nil || (e.Kind == pg_query.A_Expr_Kind_AEXPR_OP_ANY) != (opName == "=") {
			return nil
		}
		return listPredicates(e.Lexpr, opName, arr.Elements, true, items)
	case pg_query.A_Expr_Kind_AEXPR_BETWEEN, pg_query.A_Expr_Kind_AEXPR_BETWEEN_SYM:
		bounds := e.Rexpr.GetList().GetItems()
		it, col, ok := columnOf(e.Lexpr, items)
		if !ok || len(bounds) != 2 {
			return nil
		}
		lo, ok1 := valueOf(bounds[0])
		hi, ok2 := valueOf(bounds[1])
		if !ok1 || !ok2 {
			return nil
		}
		if e.Kind == pg_query.A_Expr_Kind_AEXPR_BETWEEN_SYM {
			// The bounds may come in either order; only constants whose
			// order does not depend on the column's type can be sorted.
			if !typedConst(lo) || !typedConst(hi) {
				return nil
			}
			c, ok := catalog.Compare(lo.Const, hi.Const)
			if !ok {
				return nil
			}
			if c > 0 {
				lo, hi = hi, lo
			}
		}
		return []boundPredicate{
			{it, hintPredicate{Column: col, Op: catalog.OpGe, Values: []hintValue{lo}}},
			{it, hintPredicate{Column: col, Op: catalog.OpLe, Values: []hintValue{hi}}},
		}
	case pg_query.A_Expr_Kind_AEXPR_NOT_DISTINCT:
		// IS NOT DISTINCT FROM a non-NULL constant is =. A parameter may be
		// bound to NULL, where it means IS NULL: not taken.
		if opName != "=" {
			return nil
		}
		if it, col, ok := columnOf(e.Lexpr, items); ok {
			if v, ok := valueOf(e.Rexpr); ok && v.Param == 0 {
				return one(it, col, catalog.OpEq, v)
			}
		} else if it, col, ok := columnOf(e.Rexpr, items); ok {
			if v, ok := valueOf(e.Lexpr); ok && v.Param == 0 {
				return one(it, col, catalog.OpEq, v)
			}
		}
	}
	return nil
}

// listPredicates handles col IN (list) (opName "=") and col NOT IN (list)
// ("<>", one <> predicate per value). A NULL in the list is left out: it
// never makes IN true, and NOT IN with a NULL is never true, so the <> of
// the other values still hold.
func listPredicates(colExpr *pg_query.Node, opName string, list []*pg_query.Node, isList bool, items []*fromItem) []boundPredicate {
	it, col, ok := columnOf(colExpr, items)
	if !ok || !isList || (opName != "=" && opName != "<>") {
		return nil
	}
	var values []hintValue
	for _, n := range list {
		if isNullConst(n) {
			continue
		}
		v, ok := valueOf(n)
		if !ok {
			return nil
		}
		values = append(values, v)
	}
	if len(values) == 0 {
		return nil
	}
	if opName == "=" {
		return one(it, col, catalog.OpIn, values...)
	}
	out := make([]boundPredicate, len(values))
	for i, v := range values {
		out[i] = boundPredicate{it, hintPredicate{Column: col, Op: catalog.OpNe, Values: []hintValue{v}}}
	}
	return out
}

// typedConst reports whether v is a constant whose order against another
// is the same whatever the column's type: not a parameter, and not a quoted
// literal, which the column's type interprets ('10' < '9' as text).
func typedConst(v hintValue) bool {
	return v.Param == 0 && v.Const.Kind != catalog.KindString
}

// orPredicates handles an OR: a row that satisfies it satisfies one of the
// arms, so if every arm restricts the same column to a set of values (= or
// IN), the row's value is in their union. Nothing else survives an OR.
func orPredicates(arms []*pg_query.Node, items []*fromItem) []boundPredicate {
	type key struct {
		item   *fromItem
		column string
	}
	var order []key
	union := map[key][]hintValue{}
	for i, arm := range arms {
		sets := map[key][]hintValue{}
		for _, p := range predicatesOf(arm, items) {
			k := key{p.item, p.pred.Column}
			if _, dup := sets[k]; dup || (p.pred.Op != catalog.OpEq && p.pred.Op != catalog.OpIn) {
				// Within an arm any one set of the column's values holds.
				continue
			}
			sets[k] = p.pred.Values
			if i == 0 {
				order = append(order, k)
			}
		}
		for _, k := range order {
			if i == 0 {
				union[k] = append([]hintValue(nil), sets[k]...)
			} else if s, ok := sets[k]; ok && union[k] != nil {
				union[k] = append(union[k], s...)
			} else {
				union[k] = nil
			}
		}
	}
	var out []boundPredicate
	for _, k := range order {
		if values := union[k]; values != nil {
			out = append(out, boundPredicate{k.item, hintPredicate{Column: k.column, Op: catalog.OpIn, Values: values}})
		}
	}
	return out
}

// columnOf resolves a column reference to a column of a catalog table among
// items, as PostgreSQL would: col (the one item that has it), alias.col or
// table.col, schema.table.col. A reference that resolves to nothing here
// belongs to an outer query (correlated) and says nothing about items.
func columnOf(n *pg_query.Node, items []*fromItem) (*fromItem, string, bool) {
	ref := n.GetColumnRef()
	if ref == nil {
		return nil, "", false
	}
	names := make([]string, len(ref.Fields))
	for i, f := range ref.Fields {
		s := f.GetString_()
		if s == nil { // tab.* or an indirection
			return nil, "", false
		}
		names[i] = s.Sval
	}
	var match *fromItem
	var column string
	count := 0
	switch len(names) {
	case 1:
		// Unqualified: items whose columns are unknown (subqueries) are not
		// counted; were the column theirs too, the query would fail as
		// ambiguous.
		for _, it := range items {
			if c, ok := it.column(names[0]); ok {
				match, column = it, c
				count++
			}
		}
	case 2, 3:
		qualifier := names[len(names)-2]
		for _, it := range items {
			if !strings.EqualFold(it.name, qualifier) || it.name == "" {
				continue
			}
			if len(names) == 3 && (it.schema == "" || !strings.EqualFold(it.schema, names[0])) {
				continue
			}
			match = it
			count++
		}
		if count == 1 {
			c, ok := match.column(names[len(names)-1])
			if !ok {
				return nil, "", false
			}
			column = c
		}
	}
	if count != 1 || !match.filterable() {
		return nil, "", false
	}
	return match, column, true
}
