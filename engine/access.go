package engine

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/lakegate/lakegate/catalog"
	"github.com/lakegate/lakegate/sqlstate"
)

// Access decides which lake tables a user may read, and how: the row
// filter and column masks applied to them. auth.Grants implements it.
type Access interface {
	// Users are every user that may be granted anything; the others are
	// granted nothing.
	Users() []string
	// Table reports whether user may read schema.table and, if so, a SQL
	// predicate on its rows ("" for all rows, and it may use current_user)
	// and expressions that replace masked columns, by column name.
	Table(user, schema, table string) (granted bool, rowFilter string, masks map[string]string)
	// HideUngranted reports whether an ungranted table is reported as
	// missing (42P01) rather than forbidden (42501).
	HideUngranted() bool
}

// How policies reach DuckDB. The policy lives in the view of the table,
// where no SQL a user writes can route around it (DuckDB-only syntax,
// aliases, CTEs, cursors and COPY all read the same view). The view of a
// table reads
//
//	SELECT * REPLACE (CASE getvariable('lakegate_policy_N')
//	                    WHEN 2 THEN (<mask of policy 2>) ELSE "email" END AS "email")
//	FROM (<the table's own SQL>)
//	WHERE CASE getvariable('lakegate_policy_N')
//	        WHEN 0 THEN true WHEN 1 THEN (<filter 1>) ... ELSE false END
//
// Policy 0 is "granted, unrestricted"; every distinct (filter, masks) pair
// some user has is one more id, with current_user already replaced by the
// user's name. Each statement sets the variable of every table it reads
// from the session's user, exactly like the file lists (and resets it
// afterwards), so the prepared-statement cache key includes the policy
// ids. An unset variable (a table the statement was not found to read, an
// ungranted user) matches no WHEN: no rows. DuckDB folds getvariable when
// it binds, so the CASE costs nothing at run time.
//
// Visibility: the compatibility layer's lakegate_relations hides the
// relations listed in the variable lakegate_hidden, which each statement
// sets to the tables the session's user is not granted.

// hiddenVariable lists, per statement, the relations the user may not see.
const hiddenVariable = "lakegate_hidden"

// tablePolicies are the policies of one lake table.
type tablePolicies struct {
	variable string
	// ids is each user's policy id; a user missing is not granted.
	ids  map[string]int
	defs []policyDef // defs[id-1] is policy id
}

type policyDef struct {
	filter string            // "" for every row
	masks  map[string]string // column → expression
}

func (d policyDef) key() string {
	var b strings.Builder
	b.WriteString(d.filter)
	for _, col := range slices.Sorted(maps.Keys(d.masks)) {
		b.WriteString("\x00" + col + "\x00" + d.masks[col])
	}
	return b.String()
}

// baseTableName is the name of the table a snapshot table ("t@123") is of.
func baseTableName(name string) string {
	if i := strings.IndexByte(name, '@'); i >= 0 {
		return name[:i]
	}
	return name
}

// newTablePolicies computes the policies of t for every user access
// knows.
func newTablePolicies(access Access, t *catalog.Table, variable string) *tablePolicies {
	tp := &tablePolicies{variable: variable, ids: map[string]int{}}
	byKey := map[string]int{}
	for _, user := range access.Users() {
		granted, filter, masks := access.Table(user, t.Schema, baseTableName(t.Name))
		if !granted {
			continue
		}
		def := policyDef{filter: substituteCurrentUser(filter, user), masks: map[string]string{}}
		for col, m := range masks {
			def.masks[col] = substituteCurrentUser(m, user)
		}
		if def.filter == "" && len(def.masks) == 0 {
			tp.ids[user] = 0
			continue
		}
		k := def.key()
		id, ok := byKey[k]
		if !ok {
			tp.defs = append(tp.defs, def)
			id = len(tp.defs)
			byKey[k] = id
		}
		tp.ids[user] = id
	}
	return tp
}

// substituteCurrentUser replaces current_user and session_user in a
// policy expression by the user's name as a string literal, so the policy
// of each user is a constant DuckDB folds.
func substituteCurrentUser(expr, user string) string {
	if expr == "" {
		return ""
	}
	res, err := pg_query.Scan(expr)
	if err != nil {
		return expr // DuckDB reports the error when the view is created
	}
	var b strings.Builder
	last := 0
	for _, tok := range res.Tokens {
		text := strings.ToLower(expr[tok.Start:tok.End])
		if tok.KeywordKind == pg_query.KeywordKind_NO_KEYWORD || (text != "current_user" && text != "session_user") {
			continue
		}
		b.WriteString(expr[last:tok.Start])
		b.WriteString(quoteLiteral(user))
		last = int(tok.End)
	}
	b.WriteString(expr[last:])
	return b.String()
}

// PolicyError is a row filter or mask DuckDB cannot apply to its table
// (an unknown column, a type error): a config error, fatal at Open.
type PolicyError struct {
	Table string
	Err   error
}

func (e *PolicyError) Error() string {
	return "the access rules of " + e.Table + ": " + e.Err.Error()
}

func (e *PolicyError) Unwrap() error { return e.Err }

// wrapTable returns the view SQL of t that applies the policies to body,
// the table's own SQL. Masks are cast to their column's type, so a masked
// column keeps its type for every user.
func (tp *tablePolicies) wrapTable(ctx context.Context, c *duckConn, t *catalog.Table, body string) (string, error) {
	types := map[string]string{}
	if tp.masksAny() {
		rows, err := queryStrings(ctx, c, "SELECT column_name, column_type FROM (DESCRIBE "+body+")")
		if err != nil {
			return "", fmt.Errorf("describing %s.%s: %w", t.Schema, t.Name, err)
		}
		for _, r := range rows {
			types[strings.ToLower(r[0])] = r[1]
		}
		for _, d := range tp.defs {
			for col := range d.masks {
				if _, ok := types[strings.ToLower(col)]; !ok {
					return "", &PolicyError{Table: t.Schema + "." + t.Name, Err: fmt.Errorf("masked column %q does not exist", col)}
				}
			}
		}
	}
	return tp.wrap(body, types), nil
}

func (tp *tablePolicies) masksAny() bool {
	for _, d := range tp.defs {
		if len(d.masks) > 0 {
			return true
		}
	}
	return false
}

// wrap returns the view SQL that applies the policies to body; types are
// the DuckDB types of the masked columns, by lower-case name.
func (tp *tablePolicies) wrap(body string, types map[string]string) string {
	get := "getvariable(" + quoteLiteral(tp.variable) + ")"
	masked := map[string][]int{} // column → policy ids that mask it
	for i, d := range tp.defs {
		for col := range d.masks {
			masked[col] = append(masked[col], i+1)
		}
	}
	var b strings.Builder
	b.WriteString("SELECT *")
	if len(masked) > 0 {
		b.WriteString(" REPLACE (")
		for n, col := range slices.Sorted(maps.Keys(masked)) {
			if n > 0 {
				b.WriteString(", ")
			}
			b.WriteString("CASE " + get)
			for _, id := range masked[col] {
				mask := "(" + tp.defs[id-1].masks[col] + ")"
				if typ, ok := types[strings.ToLower(col)]; ok {
					mask = "CAST(" + mask + " AS " + typ + ")"
				}
				b.WriteString(" WHEN " + strconv.Itoa(id) + " THEN " + mask)
			}
			b.WriteString(" ELSE " + quoteIdent(col) + " END AS " + quoteIdent(col))
		}
		b.WriteString(")")
	}
	b.WriteString(" FROM (" + body + ") AS lakegate_rows WHERE CASE " + get + " WHEN 0 THEN true")
	for i, d := range tp.defs {
		cond := "true"
		if d.filter != "" {
			cond = "(" + d.filter + ")"
		}
		b.WriteString(" WHEN " + strconv.Itoa(i+1) + " THEN " + cond)
	}
	b.WriteString(" ELSE false END")
	return b.String()
}

// policyVariable is the value of t's policy variable for the session's
// user, and whether the user is granted t.
func (tp *tablePolicies) policyVariable(user string) (fileList, bool) {
	id, ok := tp.ids[user]
	if !ok {
		return fileList{}, false
	}
	return fileList{variable: tp.variable, literal: strconv.Itoa(id)}, true
}

// maskedColumns are the columns masked for user.
func (tp *tablePolicies) maskedColumns(user string) map[string]string {
	id := tp.ids[user]
	if id == 0 {
		return nil
	}
	return tp.defs[id-1].masks
}

// checkGranted refuses a statement that reads a lake table the session's
// user is not granted: 42501, or 42P01 when the config hides ungranted
// tables. It runs before DuckDB sees the statement.
func (s *Session) checkGranted(t *catalog.Table) error {
	access := s.engine.lake.Load().access
	if access == nil {
		return nil
	}
	if granted, _, _ := access.Table(s.user, t.Schema, baseTableName(t.Name)); granted {
		return nil
	}
	if access.HideUngranted() {
		return sqlstate.Errorf(sqlstate.UndefinedTable, "relation \"%s.%s\" does not exist", t.Schema, t.Name)
	}
	return sqlstate.Errorf(sqlstate.InsufficientPrivilege, "permission denied for table %s", t.Name).
		WithDetail("User \"" + s.user + "\" is not granted SELECT on " + t.Schema + "." + t.Name + ".")
}

// sessionVariables are the variables every statement of the session sets
// besides its tables' file lists: who is looking (pg_stat_activity and
// lakegate.query_history show other users' statements to admins only),
// and the tables the user is not granted.
func (s *Session) sessionVariables() []fileList {
	admin := "false"
	if s.engine.isAdmin(s.user) {
		admin = "true"
	}
	return append([]fileList{
		{variable: "lakegate_viewer", literal: quoteLiteral(s.user)},
		{variable: "lakegate_viewer_admin", literal: admin},
	}, s.hiddenRelations()...)
}

// hiddenRelations is the value of lakegate_hidden for the session: the
// lake tables its user is not granted, as "schema.table".
func (s *Session) hiddenRelations() []fileList {
	lv := s.engine.lake.Load()
	access, lake := lv.access, lv.lake
	if access == nil || lake == nil {
		return nil
	}
	if l, ok := lv.hidden.Load(s.user); ok {
		return []fileList{l.(fileList)}
	}
	var hidden []string
	for _, t := range lake.Tables() {
		if granted, _, _ := access.Table(s.user, t.Schema, baseTableName(t.Name)); !granted {
			hidden = append(hidden, t.Schema+"."+t.Name)
		}
	}
	l := fileList{variable: hiddenVariable, paths: hidden}
	if len(hidden) == 0 {
		l.literal = "[]::VARCHAR[]" // an empty list has no type of its own
	}
	lv.hidden.Store(s.user, l)
	return []fileList{l}
}

// dropMaskedPredicates removes, from the pruning filters, predicates on
// columns masked for the session's user: they are about the values the
// user sees (the mask), not the file statistics (the real values), and
// pruning by the real values would both give wrong answers and, through
// EXPLAIN, leak them.
func (s *Session) dropMaskedPredicates(filters map[*catalog.Table][]catalog.Filter) {
	lv := s.engine.lake.Load()
	if lv.access == nil {
		return
	}
	for t, fs := range filters {
		masks := lv.maskedColumns(t, s.user)
		if len(masks) == 0 {
			continue
		}
		var kept []catalog.Filter
		for _, f := range fs {
			var conj catalog.Filter
			for _, p := range f {
				if !isMasked(masks, p.Column) {
					conj = append(conj, p)
				}
			}
			if len(conj) == 0 { // this branch of the OR may read anything
				kept = nil
				break
			}
			kept = append(kept, conj)
		}
		if kept == nil {
			delete(filters, t)
		} else {
			filters[t] = kept
		}
	}
}

func isMasked(masks map[string]string, column string) bool {
	for col := range masks {
		if strings.EqualFold(col, column) {
			return true
		}
	}
	return false
}
