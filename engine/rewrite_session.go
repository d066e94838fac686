package engine

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// sessionRelations are the pg_catalog relations whose rows depend on the
// session, served by table macros of the layer called with its values.
var sessionRelations = map[string]bool{
	"pg_database": true, "pg_roles": true, "pg_user": true, "pg_authid": true, "pg_settings": true,
}

// rewriteSession puts the session's values where PostgreSQL computes them
// from the session: current_user and friends, current_database(),
// current_schema(s), current_setting('name'), the owner name of
// pg_get_userbyid, the search path of pg_table_is_visible, and the rows of
// pg_database, pg_roles, pg_user, pg_authid and pg_settings. Result columns
// keep the names PostgreSQL gives them ("current_user", not the literal).
func rewriteSession(env *rewriteEnv, root *pg_query.Node) bool {
	return walk(root, func(n *pg_query.Node) bool {
		switch x := n.Node.(type) {
		case *pg_query.Node_ResTarget:
			rt := x.ResTarget
			if rt.Name == "" && rt.Val != nil {
				if name := sessionValueName(rt.Val); name != "" && sessionValue(env, rt.Val) != nil {
					rt.Name = name
					return true
				}
			}
		case *pg_query.Node_SqlvalueFunction, *pg_query.Node_FuncCall:
			if v := sessionValue(env, n); v != nil {
				replace(n, v)
				return true
			}
			if fc := n.GetFuncCall(); fc != nil {
				switch funcName(fc) {
				case "pg_get_userbyid":
					if len(fc.Args) == 1 {
						fc.Args = append(fc.Args, stringConst(env.user))
						return true
					}
				case "pg_table_is_visible":
					if len(fc.Args) == 1 {
						fc.Args = append(fc.Args, stringArray(searchPathSchemas(env, true)))
						return true
					}
				}
			}
		case *pg_query.Node_RangeVar:
			rv := x.RangeVar
			if (rv.Schemaname == "" || rv.Schemaname == layerSchema) && sessionRelations[rv.Relname] {
				var args []*pg_query.Node
				switch rv.Relname {
				case "pg_database":
					args = []*pg_query.Node{stringConst(env.database)}
				case "pg_settings":
					names, values, descs := env.settings()
					args = []*pg_query.Node{stringArray(names), stringArray(values), stringArray(descs)}
				default:
					args = []*pg_query.Node{stringConst(env.user)}
				}
				alias := rv.Alias
				if alias == nil {
					alias = &pg_query.Alias{Aliasname: rv.Relname}
				}
				fn := call([]string{layerSchema, "lakegate_" + rv.Relname}, args...)
				replace(n, &pg_query.Node{Node: &pg_query.Node_RangeFunction{RangeFunction: &pg_query.RangeFunction{
					Functions: []*pg_query.Node{pg_query.MakeListNode([]*pg_query.Node{fn, {}})},
					Alias:     alias,
				}}})
				return true
			}
		}
		return false
	})
}

// sessionValueName is the column name PostgreSQL gives a session value.
func sessionValueName(n *pg_query.Node) string {
	if svf := n.GetSqlvalueFunction(); svf != nil {
		switch svf.Op {
		case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_USER:
			return "current_user"
		case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_ROLE:
			return "current_role"
		case pg_query.SQLValueFunctionOp_SVFOP_USER:
			return "user"
		case pg_query.SQLValueFunctionOp_SVFOP_SESSION_USER:
			return "session_user"
		case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_CATALOG:
			return "current_catalog"
		case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_SCHEMA:
			return "current_schema"
		}
		return ""
	}
	if fc := n.GetFuncCall(); fc != nil {
		return funcName(fc)
	}
	return ""
}

// sessionValue returns the constant a session value is, or nil if n is
// not one.
func sessionValue(env *rewriteEnv, n *pg_query.Node) *pg_query.Node {
	if svf := n.GetSqlvalueFunction(); svf != nil {
		switch svf.Op {
		case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_USER, pg_query.SQLValueFunctionOp_SVFOP_CURRENT_ROLE,
			pg_query.SQLValueFunctionOp_SVFOP_USER, pg_query.SQLValueFunctionOp_SVFOP_SESSION_USER:
			return stringConst(env.user)
		case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_CATALOG:
			return stringConst(env.database)
		case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_SCHEMA:
			return currentSchema(env)
		}
		return nil
	}
	fc := n.GetFuncCall()
	if fc == nil || fc.AggStar || fc.Over != nil {
		return nil
	}
	switch funcName(fc) {
	case "current_database":
		if len(fc.Args) == 0 {
			return stringConst(env.database)
		}
	case "current_user", "session_user", "user":
		if len(fc.Args) == 0 {
			return stringConst(env.user)
		}
	case "current_schema":
		if len(fc.Args) == 0 {
			return currentSchema(env)
		}
	case "current_schemas":
		if len(fc.Args) == 1 {
			implicit := true
			if c := fc.Args[0].GetAConst(); c != nil && c.GetBoolval() != nil {
				implicit = c.GetBoolval().Boolval
			}
			return stringArray(searchPathSchemas(env, implicit))
		}
	case "current_setting":
		if len(fc.Args) >= 1 {
			name, ok := constStr(fc.Args[0])
			if !ok {
				return nil
			}
			if v, ok := env.setting(name); ok {
				return stringConst(v)
			}
			if len(fc.Args) == 2 { // missing_ok
				return &pg_query.Node{Node: &pg_query.Node_TypeCast{TypeCast: &pg_query.TypeCast{
					Arg:      &pg_query.Node{Node: &pg_query.Node_AConst{AConst: &pg_query.A_Const{Isnull: true}}},
					TypeName: &pg_query.TypeName{Names: strNodes("text"), Typemod: -1}}}}
			}
		}
	}
	return nil
}

// searchPathSchemas are the schemas of search_path that exist, after
// pg_catalog when implicit is true (PostgreSQL searches it first).
func searchPathSchemas(env *rewriteEnv, implicit bool) []string {
	var out []string
	if implicit {
		out = append(out, "pg_catalog")
	}
	path, _ := env.setting("search_path")
	for _, part := range splitSearchPath(path) {
		if part == "$user" {
			part = env.user
		}
		if env.schemaExists(part) && part != "pg_catalog" {
			out = append(out, part)
		}
	}
	return out
}

func currentSchema(env *rewriteEnv) *pg_query.Node {
	if s := searchPathSchemas(env, false); len(s) > 0 {
		return stringConst(s[0])
	}
	return &pg_query.Node{Node: &pg_query.Node_AConst{AConst: &pg_query.A_Const{Isnull: true}}}
}

// splitSearchPath splits a search_path value into schema names,
// unquoting quoted ones and folding the others to lower case.
func splitSearchPath(v string) []string {
	var out []string
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if len(part) >= 2 && part[0] == '"' && part[len(part)-1] == '"' {
			part = strings.ReplaceAll(part[1:len(part)-1], `""`, `"`)
		} else {
			part = strings.ToLower(part)
		}
		if part != "" {
			out = append(out, part)
		}
	}
	return out
}
