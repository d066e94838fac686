package engine

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/lakegate/lakegate/catalog"
)

// Pushdown hints: which catalog tables a statement reads, and for each
// reference the predicates that every row the statement needs from it
// satisfies. The catalog prunes files with them, so a predicate that does
// not hold for some needed row silently loses that row: everything here
// errs towards fewer predicates, and towards more table references (an
// extra, unfiltered reference only makes pruning keep more files).
//
// hints.go walks the statement (query levels, FROM, joins, CTEs);
// hints_predicate.go turns a WHERE or ON clause into predicates;
// hints_value.go reads constants and binds parameters.

// TableRef is a catalog table as the table lookup resolves it.
type TableRef struct {
	Schema, Name string
	// Columns are the table's column names, needed to attribute an
	// unqualified column to the one table of a FROM that has it.
	Columns []string
}

// TableKey identifies a catalog table.
type TableKey struct{ Schema, Name string }

// Key is the table's identity, the same for every reference to it.
func (t TableRef) Key() TableKey { return TableKey{t.Schema, t.Name} }

// tableLookup resolves a table reference to a catalog table; schema is ""
// when the reference is unqualified. ok is false for anything that is not a
// catalog table. CTE names never reach it: extractHints resolves them.
//
// It must resolve every name that DuckDB resolves to a catalog table
// (DuckDB matches names without regard to case, and unqualified ones in its
// search path): a reference it misses gets no hint, and the table would be
// planned with only its other references' filters.
type tableLookup func(schema, name string) (t TableRef, ok bool)

// tableHint is one reference to a catalog table and the conjunction of
// predicates that holds for every row the statement needs from it. A table
// referenced twice (a self-join, a UNION) has two hints.
type tableHint struct {
	Table  TableRef
	Filter []hintPredicate
	// Location is the byte offset of the reference in the text pg_query
	// parsed, for rewriting or reporting that reference alone.
	Location int
}

// hintPredicate reads "Column Op Values", like catalog.Predicate, except
// that values may be parameters bound later.
type hintPredicate struct {
	// Column is spelled as in TableRef.Columns.
	Column string
	Op     catalog.Op
	Values []hintValue
}

// hintValue is a constant, or a $n parameter with the casts the statement
// applies to it ($1::date).
type hintValue struct {
	Const catalog.Value
	// Param is the 1-based parameter number, 0 for a constant.
	Param int
	// Casts apply, in order, to the parameter's value once it is bound.
	Casts []castType
}

// extractHints returns one hint per reference to a catalog table anywhere
// in stmt: FROM and JOIN, subqueries in any clause, CTEs (recursive ones
// too), set-operation arms, LATERAL. stmt is a RawStmt's Stmt: a SELECT, an
// EXPLAIN of one, or any statement wrapping queries (COPY (SELECT ...)).
func extractHints(stmt *pg_query.Node, lookup tableLookup) []tableHint {
	if stmt == nil || lookup == nil {
		return nil
	}
	x := &hintExtractor{lookup: lookup}
	x.visitNode(stmt, nil)
	return x.hints
}

type hintExtractor struct {
	lookup tableLookup
	hints  []tableHint
}

// cteScope is the WITH names visible at a point of a statement: a CTE
// shadows a catalog table of the same name.
type cteScope struct {
	names  []string
	parent *cteScope
}

// shadows reports whether an unqualified table name refers to a CTE. The
// match is exact (as PostgreSQL's) although DuckDB, which runs the query,
// matches without regard to case: taking a CTE for a catalog table costs
// only pruning, taking a catalog table for a CTE would lose its rows.
func (s *cteScope) shadows(name string) bool {
	for ; s != nil; s = s.parent {
		for _, n := range s.names {
			if n == name {
				return true
			}
		}
	}
	return false
}

// fromItem is one relation of a query level's FROM.
type fromItem struct {
	// name is what the query calls it (its alias, else the table name); ""
	// once hidden by the alias of an enclosing join.
	name string
	// schema is the catalog table's schema when it has no alias, so that
	// schema.table.column can name it.
	schema string
	// hint is the index of the catalog table's hint, -1 for anything else
	// (a CTE, a subquery, a function).
	hint int
	// columns are a catalog table's columns; nil when unknown or no longer
	// reachable by their names (renamed by an alias column list, hidden by
	// a join alias), which keeps predicates off the table.
	columns []string
	// nullable is set once an outer join above the item may fill its
	// columns with NULLs; predicates from higher up then do not restrict
	// the rows read from it.
	nullable bool
	// sampled tables (TABLESAMPLE) take no predicates: pruning would change
	// which rows the sample picks.
	sampled bool
}

// filterable reports whether predicates may be attached to the item.
func (it *fromItem) filterable() bool {
	return it.hint >= 0 && it.columns != nil && !it.sampled
}

// column returns the item's column named name, compared without regard to
// case as DuckDB does; two columns that differ only by case make it
// ambiguous.
func (it *fromItem) column(name string) (string, bool) {
	found := ""
	for _, c := range it.columns {
		if strings.EqualFold(c, name) {
			if found != "" {
				return "", false
			}
			found = c
		}
	}
	return found, found != ""
}

func (x *hintExtractor) visitNode(n *pg_query.Node, scope *cteScope) {
	if n != nil {
		x.visit(n.ProtoReflect(), scope)
	}
}

func (x *hintExtractor) visitNodes(ns []*pg_query.Node, scope *cteScope) {
	for _, n := range ns {
		x.visitNode(n, scope)
	}
}

// visit finds the query levels and table references in any part of the
// tree. It goes through protobuf reflection rather than a switch over node
// types so that no expression type (present or added by a later parser)
// can hide a subquery, and with it a table reference, from the walk.
func (x *hintExtractor) visit(m protoreflect.Message, scope *cteScope) {
	switch n := m.Interface().(type) {
	case *pg_query.SelectStmt:
		x.walkSelect(n, scope)
		return
	case *pg_query.RangeVar:
		// A relation outside the FROM clauses walkSelect understands (a
		// statement other than a query): read, with no predicates.
		x.fromRangeVar(n, scope)
		return
	}
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.Kind() != protoreflect.MessageKind:
		case fd.IsList():
			list := v.List()
			for i := range list.Len() {
				x.visit(list.Get(i).Message(), scope)
			}
		case !fd.IsMap():
			x.visit(v.Message(), scope)
		}
		return true
	})
}

// walkSelect walks one query level (or a set operation of them).
func (x *hintExtractor) walkSelect(sel *pg_query.SelectStmt, scope *cteScope) {
	if sel == nil {
		return
	}
	scope = x.walkWith(sel.WithClause, scope)
	if sel.Op != pg_query.SetOperation_SETOP_NONE || sel.Larg != nil || sel.Rarg != nil {
		// Each arm is a query level of its own, with its own predicates.
		x.walkSelect(sel.Larg, scope)
		x.walkSelect(sel.Rarg, scope)
		x.visitNodes(sel.SortClause, scope)
		x.visitNode(sel.LimitOffset, scope)
		x.visitNode(sel.LimitCount, scope)
		return
	}
	var items []*fromItem
	for _, f := range sel.FromClause {
		items = append(items, x.walkFrom(f, scope)...)
	}
	if where := sel.WhereClause; where != nil {
		x.visitNode(where, scope)
		for _, p := range predicatesOf(where, items) {
			if !p.item.nullable {
				x.attach(p)
			}
		}
	}
	// HAVING filters groups, not rows, and the other clauses filter
	// nothing: only the subqueries in them matter.
	x.visitNodes(sel.TargetList, scope)
	x.visitNodes(sel.DistinctClause, scope)
	x.visitNodes(sel.GroupClause, scope)
	x.visitNode(sel.HavingClause, scope)
	x.visitNodes(sel.WindowClause, scope)
	x.visitNodes(sel.ValuesLists, scope)
	x.visitNodes(sel.SortClause, scope)
	x.visitNode(sel.LimitOffset, scope)
	x.visitNode(sel.LimitCount, scope)
}

// walkWith walks the CTEs of a WITH clause and returns the scope in which
// the rest of the query sees them. A CTE sees the ones before it, or all of
// them (itself included) in WITH RECURSIVE.
func (x *hintExtractor) walkWith(with *pg_query.WithClause, outer *cteScope) *cteScope {
	if with == nil {
		return outer
	}
	all := &cteScope{parent: outer}
	for _, n := range with.Ctes {
		if cte := n.GetCommonTableExpr(); cte != nil {
			all.names = append(all.names, cte.Ctename)
		}
	}
	seen := 0
	for _, n := range with.Ctes {
		cte := n.GetCommonTableExpr()
		if cte == nil {
			x.visitNode(n, all)
			continue
		}
		scope := all
		if !with.Recursive {
			scope = &cteScope{names: all.names[:seen], parent: outer}
		}
		seen++
		x.visitNode(cte.Ctequery, scope)
	}
	return all
}

// walkFrom walks one FROM item and returns the relations it brings into the
// query level, attaching the predicates of its joins' ON clauses.
func (x *hintExtractor) walkFrom(n *pg_query.Node, scope *cteScope) []*fromItem {
	switch f := n.GetNode().(type) {
	case *pg_query.Node_RangeVar:
		return []*fromItem{x.fromRangeVar(f.RangeVar, scope)}
	case *pg_query.Node_JoinExpr:
		return x.walkJoin(f.JoinExpr, scope)
	case *pg_query.Node_RangeSubselect:
		// The subquery's own WHERE restricts its tables; the outer query's
		// predicates on its columns are not pushed into it.
		x.visitNode(f.RangeSubselect.Subquery, scope)
		return []*fromItem{{name: f.RangeSubselect.GetAlias().GetAliasname(), hint: -1}}
	case *pg_query.Node_RangeFunction:
		x.visitNodes(f.RangeFunction.Functions, scope)
		return []*fromItem{{name: f.RangeFunction.GetAlias().GetAliasname(), hint: -1}}
	case *pg_query.Node_RangeTableSample:
		ts := f.RangeTableSample
		x.visitNodes(ts.Args, scope)
		x.visitNode(ts.Repeatable, scope)
		items := x.walkFrom(ts.Relation, scope)
		for _, it := range items {
			it.sampled = true
		}
		return items
	}
	// Table functions of other kinds (XMLTABLE, JSON_TABLE): not catalog
	// tables, but their arguments may hold subqueries.
	x.visitNode(n, scope)
	return []*fromItem{{hint: -1}}
}

// fromRangeVar resolves a table name: a CTE in scope, a catalog table (which
// gets a hint), or something else.
func (x *hintExtractor) fromRangeVar(rv *pg_query.RangeVar, scope *cteScope) *fromItem {
	alias := rv.GetAlias()
	it := &fromItem{name: rv.Relname, hint: -1}
	if alias != nil {
		it.name = alias.Aliasname
	}
	if rv.Schemaname == "" && rv.Catalogname == "" && scope.shadows(rv.Relname) {
		return it
	}
	// A database name (db.schema.table) is ignored rather than trusted to
	// mean another database: an extra reference only costs pruning.
	t, ok := x.lookup(rv.Schemaname, rv.Relname)
	if !ok {
		return it
	}
	it.hint = len(x.hints)
	x.hints = append(x.hints, tableHint{Table: t, Location: int(rv.Location)})
	if alias == nil {
		it.schema = t.Schema
	}
	if alias == nil || len(alias.Colnames) == 0 {
		// An alias column list renames columns by position; rather than
		// trust Columns to be in table order, such a table takes no
		// predicates.
		it.columns = t.Columns
	}
	return it
}

// walkJoin walks a join and attaches its ON predicates to the tables whose
// rows they restrict: both sides of an inner join, the nullable side of an
// outer one (LEFT JOIN keeps every left row whatever ON says), never a table
// that a join inside this one may already have null-extended.
func (x *hintExtractor) walkJoin(j *pg_query.JoinExpr, scope *cteScope) []*fromItem {
	left := x.walkFrom(j.Larg, scope)
	right := x.walkFrom(j.Rarg, scope)
	items := append(append([]*fromItem(nil), left...), right...)
	var restricted []*fromItem
	switch j.Jointype {
	case pg_query.JoinType_JOIN_INNER:
		restricted = items
	case pg_query.JoinType_JOIN_LEFT:
		restricted = right
	case pg_query.JoinType_JOIN_RIGHT:
		restricted = left
	}
	if j.Quals != nil {
		x.visitNode(j.Quals, scope)
		for _, p := range predicatesOf(j.Quals, items) {
			if !p.item.nullable && containsItem(restricted, p.item) {
				x.attach(p)
			}
		}
	}
	var nullable []*fromItem
	switch j.Jointype {
	case pg_query.JoinType_JOIN_INNER:
	case pg_query.JoinType_JOIN_LEFT:
		nullable = right
	case pg_query.JoinType_JOIN_RIGHT:
		nullable = left
	default: // FULL, and anything the parser may add
		nullable = items
	}
	for _, it := range nullable {
		it.nullable = true
	}
	if j.Alias != nil {
		// The join's alias hides the names of the tables inside it, and its
		// column list may rename their columns.
		for _, it := range items {
			it.name, it.schema, it.columns = "", "", nil
		}
	}
	return items
}

func containsItem(items []*fromItem, it *fromItem) bool {
	for _, i := range items {
		if i == it {
			return true
		}
	}
	return false
}

func (x *hintExtractor) attach(p boundPredicate) {
	h := &x.hints[p.item.hint]
	h.Filter = append(h.Filter, p.pred)
}
