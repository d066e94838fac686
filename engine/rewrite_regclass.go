package engine

import (
	"strconv"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// regTypes are PostgreSQL's OID alias types, by the name of the layer's
// lookup macros (lakegate_<x>_oid from a name, lakegate_<x>_name from an
// OID).
var regTypes = map[string]string{
	"regclass": "regclass", "regtype": "regtype", "regproc": "regproc", "regprocedure": "regproc",
	"regnamespace": "regnamespace", "regrole": "regrole",
}

// rewriteRegclass turns casts to the reg* types, which DuckDB does not
// have, into lookups in the layer. PostgreSQL's reg* values are OIDs that
// print as names, so the rewrite decides by context:
//   - 'demo.sales'::regclass, format(...)::regclass (a name): the OID;
//   - x::regclass::oid (an OID that is compared or cast on): the OID;
//   - c.oid::regclass elsewhere (shown to the user): the name.
func rewriteRegclass(env *rewriteEnv, root *pg_query.Node) bool {
	return walk(root, func(n *pg_query.Node) bool {
		tc := n.GetTypeCast()
		if tc == nil {
			return false
		}
		target := typeName(tc.TypeName)
		if reg, ok := regTypes[target]; ok {
			replace(n, regValue(env, reg, tc.Arg, false))
			return true
		}
		if target == "oid" || target == "int4" || target == "int8" || target == "integer" || target == "bigint" {
			if inner := tc.Arg.GetTypeCast(); inner != nil {
				if reg, ok := regTypes[typeName(inner.TypeName)]; ok {
					tc.Arg = regValue(env, reg, inner.Arg, true)
					return true
				}
			}
		}
		return false
	})
}

// typeName is the last part of a type's name, for types without array
// bounds.
func typeName(tn *pg_query.TypeName) string {
	if tn == nil || len(tn.ArrayBounds) > 0 || len(tn.Names) == 0 {
		return ""
	}
	return names(tn.Names)[len(tn.Names)-1]
}

func regValue(env *rewriteEnv, reg string, arg *pg_query.Node, wantOID bool) *pg_query.Node {
	if s, ok := constStr(arg); ok {
		if oid, err := strconv.ParseInt(s, 10, 64); err == nil {
			return pg_query.MakeAConstIntNode(oid, -1)
		}
		if reg == "regrole" {
			return pg_query.MakeAConstIntNode(10, -1)
		}
		return call([]string{layerSchema, "lakegate_" + reg + "_oid"}, arg)
	}
	if c := arg.GetAConst(); c != nil && c.GetIval() != nil {
		if wantOID {
			return arg
		}
	}
	if isName(arg) {
		if reg == "regrole" {
			return pg_query.MakeAConstIntNode(10, -1)
		}
		return call([]string{layerSchema, "lakegate_" + reg + "_oid"}, arg)
	}
	if wantOID {
		return arg
	}
	if reg == "regrole" {
		return call([]string{layerSchema, "pg_get_userbyid"}, arg, stringConst(env.user))
	}
	return call([]string{layerSchema, "lakegate_" + reg + "_name"}, arg)
}

// isName reports whether an expression is text: a string function, a
// concatenation, or a cast to a string type.
func isName(n *pg_query.Node) bool {
	switch {
	case n.GetFuncCall() != nil:
		switch funcName(n.GetFuncCall()) {
		case "format", "concat", "concat_ws", "quote_ident", "lower", "upper", "replace", "substr", "substring", "trim", "btrim":
			return true
		}
	case n.GetAExpr() != nil:
		e := n.GetAExpr()
		return e.Kind == pg_query.A_Expr_Kind_AEXPR_OP && len(e.Name) == 1 && names(e.Name)[0] == "||"
	case n.GetTypeCast() != nil:
		switch typeName(n.GetTypeCast().TypeName) {
		case "text", "varchar", "name", "bpchar":
			return true
		}
	}
	return false
}
