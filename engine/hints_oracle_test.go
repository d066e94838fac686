package engine

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/lakegate/lakegate/catalog"
)

// TestHintsOracle checks that the hints are sound on real data: DuckDB
// runs each query as written, and again with every catalog table reference
// replaced by a subquery that keeps only the rows its hint allows (what
// pruning amounts to at its most aggressive). The results must be equal.
// Queries come from the golden files and from a generator of joins, outer
// joins, ORs, NOTs, NULL tests and subqueries over tables holding NULLs.
func TestHintsOracle(t *testing.T) {
	db := openOracleDB(t)
	queries := goldenOracleQueries(t)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 800 {
		queries = append(queries, (&queryGen{rng: rng}).query())
	}
	ran, filtered := 0, 0
	for _, q := range queries {
		want, err := oracleRows(db, q)
		if err != nil {
			continue // generated or golden SQL that DuckDB does not accept
		}
		ran++
		hints := extractHints(parseOne(t, q), lookupHintTable)
		var with []int
		for i, h := range hints {
			if len(h.Filter) > 0 {
				with = append(with, i)
			}
		}
		if len(with) == 0 {
			continue
		}
		filtered++
		check := func(which []int) {
			rewritten := restrictReferences(t, q, hints, which)
			got, err := oracleRows(db, rewritten)
			if err != nil {
				t.Errorf("%s\nrewritten: %s\n%v", q, rewritten, err)
			} else if got != want {
				t.Errorf("hints change the result of\n%s\nrewritten: %s\ngot  %s\nwant %s", q, rewritten, got, want)
			}
		}
		check(with)
		if len(with) > 1 {
			for _, i := range with {
				check([]int{i})
			}
		}
	}
	t.Logf("%d queries ran, %d with predicates", ran, filtered)
	if filtered < 300 {
		t.Errorf("only %d queries with predicates ran", filtered)
	}
}

func openOracleDB(t *testing.T) *sql.DB {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1) // the search path is per connection
	for _, stmt := range []string{
		"CREATE SCHEMA demo",
		"CREATE SCHEMA other",
		`CREATE TABLE demo.sales AS SELECT i AS sale_id,
			CASE WHEN i % 9 = 0 THEN NULL ELSE DATE '2024-01-01' + (i % 5)::INT END AS sale_date,
			CASE WHEN i % 7 = 0 THEN NULL ELSE i % 4 END AS store_id,
			CASE WHEN i % 11 = 0 THEN NULL ELSE i * 1.5 END::DOUBLE AS amount,
			['EU', 'US', NULL][1 + i % 3] AS region
			FROM range(40) r(i)`,
		`CREATE TABLE demo.stores AS SELECT i AS store_id, ['EU', 'US', 'EU', NULL, 'XX'][1 + i] AS region,
			CASE WHEN i = 2 THEN NULL ELSE DATE '2019-06-01' + (i * 200)::INT END AS opened
			FROM range(5) r(i)`,
		`CREATE TABLE demo."Events" AS SELECT TIMESTAMP '2024-01-01 00:00:00' + i * INTERVAL 7 HOUR AS "EventTime",
			['click', 'view'][1 + i % 2] AS kind, i % 3 = 0 AS active FROM range(20) r(i)`,
		"CREATE TABLE other.sales AS SELECT i AS sale_id, ['x', 'y'][1 + i % 2] AS note FROM range(6) r(i)",
		"SET search_path = 'demo'",
	} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	return db
}

// goldenOracleQueries are the golden queries that run deterministically
// without parameters.
func goldenOracleQueries(t *testing.T) []string {
	files, err := filepath.Glob(filepath.Join("testdata", "hints", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var cases []hintCase
		if err := json.Unmarshal(data, &cases); err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			q := strings.ToLower(c.Query)
			// LIMIT and TABLESAMPLE pick rows arbitrarily, EXPLAIN shows
			// the plan, COPY writes to the test's stdout. A CTE whose name differs from a table's only
			// by case is one for DuckDB, so its (harmless) hint would
			// restrict the CTE in the rewrite. The rewrite cannot keep
			// schema.table.column or two tables exposed as "sales" working.
			skip := []string{"$", "limit", "tablesample", "explain", "copy", `"sales"`, "demo.sales.", "other.sales.", "natural join"}
			if slices.ContainsFunc(skip, func(s string) bool { return strings.Contains(q, s) }) {
				continue
			}
			out = append(out, c.Query)
		}
	}
	return out
}

// oracleRows runs a query and returns its rows as sorted text.
func oracleRows(db *sql.DB, q string) (string, error) {
	rows, err := db.Query(q)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	var lines []string
	for rows.Next() {
		values := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range values {
			ptrs[i] = &values[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		lines = append(lines, fmt.Sprint(values...))
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	sort.Strings(lines)
	return fmt.Sprintf("%d rows: %s", len(lines), strings.Join(lines, " | ")), nil
}

// restrictReferences replaces the table references of hints listed in
// which by subqueries reading only the rows their filters allow.
func restrictReferences(t *testing.T, q string, hints []tableHint, which []int) string {
	rangeVars := map[int]*pg_query.RangeVar{}
	var walk func(m protoreflect.Message)
	walk = func(m protoreflect.Message) {
		if rv, ok := m.Interface().(*pg_query.RangeVar); ok {
			rangeVars[int(rv.Location)] = rv
		}
		m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			switch {
			case fd.Kind() != protoreflect.MessageKind:
			case fd.IsList():
				for i := range v.List().Len() {
					walk(v.List().Get(i).Message())
				}
			case !fd.IsMap():
				walk(v.Message())
			}
			return true
		})
	}
	walk(parseOne(t, q).ProtoReflect())
	scan, err := pg_query.Scan(q)
	if err != nil {
		t.Fatal(err)
	}
	which = slices.Clone(which)
	sort.Slice(which, func(a, b int) bool { return hints[which[a]].Location > hints[which[b]].Location })
	for _, i := range which {
		h := hints[i]
		rv := rangeVars[h.Location]
		if rv == nil {
			t.Fatalf("%s: no table reference at %d", q, h.Location)
		}
		end := nameEnd(scan.Tokens, int32(h.Location))
		if end < 0 {
			t.Fatalf("%s: cannot find the name at %d", q, h.Location)
		}
		conds := make([]string, len(h.Filter))
		for j, p := range h.Filter {
			conds[j] = predicateSQL(p)
		}
		sub := "(SELECT * FROM " + q[h.Location:end] + " WHERE " + strings.Join(conds, " AND ") + ")"
		if rv.Alias == nil {
			sub += " AS " + quoteIdent(rv.Relname)
		}
		q = q[:h.Location] + sub + q[end:]
	}
	return q
}

// nameEnd returns where the (possibly qualified) name starting at start
// ends.
func nameEnd(tokens []*pg_query.ScanToken, start int32) int {
	for i, tok := range tokens {
		if tok.Start != start {
			continue
		}
		end := tok.End
		for i+2 < len(tokens) && tokens[i+1].Token == pg_query.Token_ASCII_46 && tokens[i+1].Start == end {
			i += 2
			end = tokens[i].End
		}
		return int(end)
	}
	return -1
}

func predicateSQL(p hintPredicate) string {
	s := quoteIdent(p.Column) + " " + p.Op.String()
	switch {
	case p.Op == catalog.OpIn:
		values := make([]string, len(p.Values))
		for i, v := range p.Values {
			values[i] = v.String()
		}
		s += " (" + strings.Join(values, ", ") + ")"
	case len(p.Values) > 0:
		s += " " + p.Values[0].String()
	}
	return s
}

// queryGen writes random queries over demo.sales and demo.stores.
type queryGen struct {
	rng     *rand.Rand
	aliases []genAlias
	n       int
}

type genAlias struct {
	name, table string
}

var genColumns = map[string][]string{
	"sales":  {"sale_id", "sale_date", "store_id", "amount", "region"},
	"stores": {"store_id", "region", "opened"},
}

func (g *queryGen) pick(options ...string) string { return options[g.rng.IntN(len(options))] }

func (g *queryGen) constant(column string) string {
	switch column {
	case "sale_id":
		return fmt.Sprint(g.rng.IntN(45) - 2)
	case "store_id":
		return fmt.Sprint(g.rng.IntN(6) - 1)
	case "amount":
		return g.pick(fmt.Sprint(g.rng.IntN(60)), fmt.Sprintf("%d.5", g.rng.IntN(60)), "-1", "30::bigint", "'12'")
	case "region":
		return g.pick("'EU'", "'US'", "'XX'", "'EU'::text")
	case "sale_date":
		d := fmt.Sprintf("2024-01-0%d", 1+g.rng.IntN(6))
		return g.pick("'"+d+"'", "DATE '"+d+"'", "'"+d+"'::date", "TIMESTAMP '"+d+" 12:00:00'")
	case "opened":
		return g.pick("'2019-06-01'", "DATE '2020-01-01'", "'2021-01-01'::date", "DATE '2019-12-18'")
	}
	return "NULL"
}

// predicate writes a condition on one of the aliases in scope.
func (g *queryGen) predicate(depth int) string {
	a := g.aliases[g.rng.IntN(len(g.aliases))]
	cols := genColumns[a.table]
	col := cols[g.rng.IntN(len(cols))]
	ref := a.name + "." + col
	if g.rng.IntN(4) == 0 {
		ref = col // unqualified: taken only when unambiguous
	}
	switch r := g.rng.IntN(12); {
	case r < 3:
		return ref + " " + g.pick("=", "<>", "<", "<=", ">", ">=") + " " + g.constant(col)
	case r == 3:
		return g.constant(col) + " " + g.pick("=", "<", ">=") + " " + ref
	case r == 4:
		return ref + g.pick(" IN ", " NOT IN ") + "(" + g.constant(col) + ", " + g.constant(col) + g.pick("", ", NULL") + ")"
	case r == 5:
		return ref + g.pick(" BETWEEN ", " NOT BETWEEN ", " BETWEEN SYMMETRIC ") + g.constant(col) + " AND " + g.constant(col)
	case r == 6:
		return ref + g.pick(" IS NULL", " IS NOT NULL")
	case r == 7:
		return "(" + ref + " = " + g.constant(col) + " OR " + ref + " = " + g.constant(col) + ")"
	case r == 8 && depth < 2:
		return "NOT (" + g.predicate(depth+1) + ")"
	case r == 9 && depth < 2:
		return "(" + g.predicate(depth+1) + " OR " + g.predicate(depth+1) + ")"
	case r == 10 && depth < 1:
		return g.pick("", "NOT ") + "EXISTS (" + g.subquery(a) + ")"
	}
	return ref + " = " + g.constant(col)
}

// subquery writes a correlated subquery over stores or sales.
func (g *queryGen) subquery(outer genAlias) string {
	saved := g.aliases
	defer func() { g.aliases = saved }()
	g.n++
	inner := genAlias{fmt.Sprintf("q%d", g.n), g.pick("sales", "stores")}
	g.aliases = []genAlias{inner}
	conds := []string{inner.name + ".store_id = " + outer.name + ".store_id"}
	for range g.rng.IntN(3) {
		conds = append(conds, g.predicate(1))
	}
	if g.rng.IntN(3) == 0 {
		g.aliases = append(g.aliases, outer) // a correlated condition
		conds = append(conds, g.predicate(1))
	}
	return "SELECT 1 FROM " + inner.table + " " + inner.name + " WHERE " + strings.Join(conds, " AND ")
}

// relation writes a FROM item: a table, a filtered subquery or a CTE.
func (g *queryGen) relation() (string, genAlias) {
	g.n++
	a := genAlias{fmt.Sprintf("t%d", g.n), g.pick("sales", "stores")}
	switch g.rng.IntN(5) {
	case 0:
		saved := g.aliases
		g.aliases = []genAlias{{"x", a.table}}
		where := g.predicate(0)
		g.aliases = saved
		return "(SELECT * FROM " + a.table + " x WHERE " + where + ") " + a.name, a
	case 1:
		return a.table + " AS " + a.name, a
	}
	return a.table + " " + a.name, a
}

func (g *queryGen) joinConds(right genAlias) string {
	conds := []string{g.aliases[g.rng.IntN(len(g.aliases)-1)].name + ".store_id = " + right.name + ".store_id"}
	for range g.rng.IntN(3) {
		conds = append(conds, g.predicate(1))
	}
	return strings.Join(conds, g.pick(" AND ", " AND ", " OR "))
}

func (g *queryGen) from() string {
	first, a := g.relation()
	g.aliases = []genAlias{a}
	from := first
	for range g.rng.IntN(3) {
		text, b := g.relation()
		if g.rng.IntN(5) == 0 {
			// Right-nested: the new table joins a third one first.
			text2, c := g.relation()
			g.aliases = append(g.aliases, b, c)
			inner := text + " " + g.pick("JOIN", "LEFT JOIN") + " " + text2 + " ON " + b.name + ".store_id = " + c.name + ".store_id AND " + g.predicate(1)
			from += " " + g.pick("JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN") + " (" + inner + ") ON " + g.joinConds(c)
			continue
		}
		g.aliases = append(g.aliases, b)
		if g.rng.IntN(5) == 0 {
			from += ", " + text
			continue
		}
		from += " " + g.pick("JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN", "LEFT JOIN") + " " + text + " ON " + g.joinConds(b)
	}
	return from
}

func (g *queryGen) query() string {
	from := g.from()
	var conds []string
	for range g.rng.IntN(4) {
		conds = append(conds, g.predicate(0))
	}
	q := "SELECT * FROM " + from
	if len(conds) > 0 {
		q += " WHERE " + strings.Join(conds, g.pick(" AND ", " AND ", " OR "))
	}
	switch g.rng.IntN(6) {
	case 0:
		other := (&queryGen{rng: g.rng, n: g.n + 10}).query()
		// Keep the arms' column counts compatible.
		return "SELECT count(*) FROM (" + q + ") u UNION ALL SELECT count(*) FROM (" + other + ") v"
	case 1:
		return "WITH c AS (" + q + ") SELECT count(*) FROM c"
	}
	return q
}
