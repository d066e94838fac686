package engine

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// This file is the framework of the rewrites: pure transformations of a
// statement's pg_query parse tree, one per file (rewrite_*.go), for what
// PostgreSQL clients send that DuckDB cannot run as written. A statement no
// rewrite changes runs as the client wrote it; a changed one is deparsed
// by pg_query and that text is what DuckDB prepares. Some rewrites put the
// session's values into the tree (current_user, current_setting('x')...),
// so a rewritten statement is rewritten again at each Bind.

// rewriteEnv is what a rewrite may know of the session.
type rewriteEnv struct {
	user     string
	database string
	// setting returns a run-time parameter's value.
	setting func(name string) (string, bool)
	// settings lists every parameter for pg_settings: names, values and
	// descriptions.
	settings func() (names, values, descriptions []string)
	// schemaExists reports whether a schema is one clients can see.
	schemaExists func(name string) bool
	// variable is set when a rewrite read a setting or the schemas, which
	// may change while the session goes on: the statement must then be
	// rewritten again at each Bind.
	variable bool
}

// rewrite is one rewrite: it changes n in place and reports whether it did.
type rewrite struct {
	name  string
	apply func(env *rewriteEnv, n *pg_query.Node) bool
}

// rewrites run in this order on every statement pg_query parses.
var rewrites = []rewrite{
	{"pgcatalog", rewritePgCatalog},
	{"session", rewriteSession},
	{"regclass", rewriteRegclass},
	{"oidtypes", rewriteOIDTypes},
	{"regex", rewriteRegex},
	{"collate", rewriteCollate},
	{"arrays", rewriteArrays},
	{"funcalias", rewriteFuncAlias},
	{"funcnames", rewriteFuncNames},
	{"format", rewriteFormat},
	{"datestyle", rewriteDateStyle},
}

// rewriteStatement applies every rewrite to a copy of node. It returns the
// deparsed SQL and the new tree, or ok false when nothing changed.
func rewriteStatement(env *rewriteEnv, node *pg_query.Node) (sql string, tree *pg_query.Node, ok bool, err error) {
	tree = proto.Clone(node).(*pg_query.Node)
	changed := false
	for _, r := range rewrites {
		if r.apply(env, tree) {
			changed = true
		}
	}
	if !changed {
		return "", nil, false, nil
	}
	sql, err = deparse(tree)
	return sql, tree, err == nil, err
}

func deparse(n *pg_query.Node) (string, error) {
	return pg_query.Deparse(&pg_query.ParseResult{Version: rewriteTreeVersion,
		Stmts: []*pg_query.RawStmt{{Stmt: n}}})
}

// rewriteTreeVersion is the version pg_query stamps its parse trees with,
// which Deparse checks.
var rewriteTreeVersion = func() int32 {
	r, _ := pg_query.Parse("SELECT 1")
	return r.GetVersion()
}()

// walk calls f on every Node of the tree, parents before children; f may
// replace n.Node, and the walk then descends into the replacement.
func walk(n *pg_query.Node, f func(n *pg_query.Node) bool) bool {
	changed := false
	var visit func(m protoreflect.Message)
	visit = func(m protoreflect.Message) {
		if node, ok := m.Interface().(*pg_query.Node); ok {
			if f(node) {
				changed = true
			}
			m = node.ProtoReflect()
		}
		m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			switch {
			case fd.IsList() && fd.Message() != nil:
				l := v.List()
				for i := 0; i < l.Len(); i++ {
					visit(l.Get(i).Message())
				}
			case fd.IsMap():
			case fd.Message() != nil:
				visit(v.Message())
			}
			return true
		})
	}
	visit(n.ProtoReflect())
	return changed
}

// names returns the strings of a qualified name list.
func names(list []*pg_query.Node) []string {
	out := make([]string, len(list))
	for i, n := range list {
		out[i] = n.GetString_().GetSval()
	}
	return out
}

func strNodes(parts ...string) []*pg_query.Node {
	out := make([]*pg_query.Node, len(parts))
	for i, p := range parts {
		out[i] = pg_query.MakeStrNode(p)
	}
	return out
}

// funcName is a function call's name without a pg_catalog qualifier, in
// lower case.
func funcName(fc *pg_query.FuncCall) string {
	parts := names(fc.Funcname)
	if len(parts) == 2 && (parts[0] == "pg_catalog" || parts[0] == layerSchema) {
		parts = parts[1:]
	}
	return strings.ToLower(strings.Join(parts, "."))
}

func call(name []string, args ...*pg_query.Node) *pg_query.Node {
	return pg_query.MakeFuncCallNode(strNodes(name...), args, -1)
}

func stringConst(s string) *pg_query.Node { return pg_query.MakeAConstStrNode(s, -1) }

// constStr returns the value of a string constant.
func constStr(n *pg_query.Node) (string, bool) {
	c := n.GetAConst()
	if c == nil || c.GetSval() == nil {
		return "", false
	}
	return c.GetSval().Sval, true
}

func stringArray(values []string) *pg_query.Node {
	elems := make([]*pg_query.Node, len(values))
	for i, v := range values {
		elems[i] = stringConst(v)
	}
	return &pg_query.Node{Node: &pg_query.Node_AArrayExpr{AArrayExpr: &pg_query.A_ArrayExpr{Elements: elems, Location: -1}}}
}

func not(n *pg_query.Node) *pg_query.Node {
	return pg_query.MakeBoolExprNode(pg_query.BoolExprType_NOT_EXPR, []*pg_query.Node{n}, -1)
}

// replace makes n the node repl (a freshly built node).
func replace(n, repl *pg_query.Node) { n.Node = repl.Node }
