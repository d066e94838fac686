package engine

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// The DuckDB schemas of the compatibility layer (engine/pgcatalog).
const (
	layerSchema    = "lakegate_pg_catalog"
	layerInfSchema = "lakegate_information_schema"
)

// rewritePgCatalog points pg_catalog and information_schema at the layer:
// pg_catalog.X relations become lakegate_pg_catalog.X; information_schema.X
// becomes a call of the layer's table macro X with the database name
// (information_schema carries it in every row); and the pg_catalog
// qualifier is dropped from functions, types and OPERATOR(pg_catalog.op),
// so that the names resolve on the search path, where the layer comes
// first and DuckDB's built-ins after it.
func rewritePgCatalog(env *rewriteEnv, root *pg_query.Node) bool {
	return walk(root, func(n *pg_query.Node) bool {
		switch x := n.Node.(type) {
		case *pg_query.Node_RangeVar:
			rv := x.RangeVar
			switch rv.Schemaname {
			case "pg_catalog":
				rv.Schemaname = layerSchema
				return true
			case "information_schema":
				alias := rv.Alias
				if alias == nil {
					alias = &pg_query.Alias{Aliasname: rv.Relname}
				}
				fn := call([]string{layerInfSchema, rv.Relname}, stringConst(env.database))
				replace(n, &pg_query.Node{Node: &pg_query.Node_RangeFunction{RangeFunction: &pg_query.RangeFunction{
					Functions: []*pg_query.Node{pg_query.MakeListNode([]*pg_query.Node{fn, {}})},
					Alias:     alias,
				}}})
				return true
			}
		case *pg_query.Node_FuncCall:
			return stripCatalog(&x.FuncCall.Funcname, layerInfSchema)
		case *pg_query.Node_TypeCast:
			if tn := x.TypeCast.TypeName; tn != nil {
				return stripCatalog(&tn.Names, "")
			}
		case *pg_query.Node_ColumnDef:
			if tn := x.ColumnDef.TypeName; tn != nil {
				return stripCatalog(&tn.Names, "")
			}
		case *pg_query.Node_AExpr:
			return stripCatalog(&x.AExpr.Name, "")
		}
		return false
	})
}

// stripCatalog removes a leading pg_catalog from a qualified name, and
// replaces a leading information_schema with inf when inf is not empty.
func stripCatalog(list *[]*pg_query.Node, inf string) bool {
	if len(*list) < 2 {
		return false
	}
	switch (*list)[0].GetString_().GetSval() {
	case "pg_catalog":
		*list = (*list)[1:]
		return true
	case "information_schema":
		if inf != "" {
			(*list)[0] = pg_query.MakeStrNode(inf)
			return true
		}
	}
	return false
}
