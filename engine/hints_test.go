package engine

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/lakegate/lakegate/catalog"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/ with the current output")

// hintTables is the catalog the hint tests resolve against; unqualified
// names are looked up in schema demo.
var hintTables = []TableRef{
	{Schema: "demo", Name: "sales", Columns: []string{"sale_id", "sale_date", "store_id", "amount", "region"}},
	{Schema: "demo", Name: "stores", Columns: []string{"store_id", "region", "opened"}},
	{Schema: "demo", Name: "Events", Columns: []string{"EventTime", "kind", "active"}},
	{Schema: "other", Name: "sales", Columns: []string{"sale_id", "note"}},
}

func lookupHintTable(schema, name string) (TableRef, bool) {
	if schema == "" {
		schema = "demo"
	}
	for _, t := range hintTables {
		if t.Schema == schema && t.Name == name {
			return t, true
		}
	}
	return TableRef{}, false
}

// hintCase is one golden case: a statement and the hints expected from it,
// each table written as schema.name with its predicates as SQL.
type hintCase struct {
	Comment string       `json:"comment,omitempty"`
	Query   string       `json:"query"`
	Hints   []goldenHint `json:"hints"`
}

type goldenHint struct {
	Table  string   `json:"table"`
	Filter []string `json:"filter"`
}

func goldenHints(hints []tableHint) []goldenHint {
	out := make([]goldenHint, len(hints))
	for i, h := range hints {
		out[i] = goldenHint{Table: h.Table.Schema + "." + h.Table.Name, Filter: []string{}}
		for _, p := range h.Filter {
			out[i].Filter = append(out[i].Filter, p.String())
		}
	}
	return out
}

func parseOne(t testing.TB, sql string) *pg_query.Node {
	t.Helper()
	tree, err := pg_query.Parse(sql)
	if err != nil {
		t.Fatalf("parse %q: %v", sql, err)
	}
	if len(tree.Stmts) != 1 {
		t.Fatalf("%q: %d statements, want 1", sql, len(tree.Stmts))
	}
	return tree.Stmts[0].Stmt
}

func TestHintsGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "hints", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no golden files")
	}
	total := 0
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var cases []hintCase
			if err := json.Unmarshal(data, &cases); err != nil {
				t.Fatal(err)
			}
			total += len(cases)
			for i := range cases {
				c := &cases[i]
				stmt := parseOne(t, c.Query)
				hints := extractHints(stmt, lookupHintTable)
				checkHintInvariants(t, c.Query, stmt, hints)
				got := goldenHints(hints)
				if *update {
					c.Hints = got
					continue
				}
				if !slices.EqualFunc(got, c.Hints, func(a, b goldenHint) bool {
					return a.Table == b.Table && slices.Equal(a.Filter, b.Filter)
				}) {
					t.Errorf("%s\n%s\ngot  %s\nwant %s", c.Comment, c.Query, mustJSON(t, got), mustJSON(t, c.Hints))
				}
			}
			if *update {
				var buf bytes.Buffer
				enc := json.NewEncoder(&buf)
				enc.SetEscapeHTML(false)
				enc.SetIndent("", "  ")
				if err := enc.Encode(cases); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
	if total < 40 {
		t.Errorf("only %d golden cases", total)
	}
}

func mustJSON(t testing.TB, v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(buf.String())
}

// checkHintInvariants checks what must hold for any statement: predicates
// name columns of their table, and there is a hint for every reference to
// a catalog table. The count of references is bounded without resolving
// scopes: at least the table names that no CTE of the statement shadows,
// at most every name that resolves.
func checkHintInvariants(t testing.TB, sql string, stmt *pg_query.Node, hints []tableHint) {
	t.Helper()
	for _, h := range hints {
		for _, p := range h.Filter {
			if !slices.Contains(h.Table.Columns, p.Column) {
				t.Errorf("%s: predicate %s on a column %s.%s does not have", sql, p, h.Table.Schema, h.Table.Name)
			}
			wantValues := p.Op != catalog.OpIsNull && p.Op != catalog.OpIsNotNull
			if wantValues != (len(p.Values) > 0) || (p.Op != catalog.OpIn && len(p.Values) > 1) {
				t.Errorf("%s: predicate %s has %d values", sql, p, len(p.Values))
			}
		}
	}
	var cteNames []string
	var rangeVars []*pg_query.RangeVar
	var walk func(m protoreflect.Message)
	walk = func(m protoreflect.Message) {
		switch n := m.Interface().(type) {
		case *pg_query.CommonTableExpr:
			cteNames = append(cteNames, n.Ctename)
		case *pg_query.RangeVar:
			rangeVars = append(rangeVars, n)
		case *pg_query.IntoClause, *pg_query.LockingClause:
			return // names a target, not a relation read
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
	walk(stmt.ProtoReflect())
	lower, upper := 0, 0
	for _, rv := range rangeVars {
		if _, ok := lookupHintTable(rv.Schemaname, rv.Relname); !ok {
			continue
		}
		upper++
		if rv.Schemaname != "" || !slices.Contains(cteNames, rv.Relname) {
			lower++
		}
	}
	if len(hints) < lower || len(hints) > upper {
		t.Errorf("%s: %d hints, want between %d and %d", sql, len(hints), lower, upper)
	}
}

// formatFilters writes resolveFilters' result in a stable order.
func formatFilters(m map[TableKey][]catalog.Filter) string {
	var tables []string
	for k, filters := range m {
		s := k.Schema + "." + k.Name + ": "
		if filters == nil {
			s += "all"
		}
		for i, f := range filters {
			if i > 0 {
				s += " OR "
			}
			preds := make([]string, len(f))
			for j, p := range f {
				values := make([]hintValue, len(p.Values))
				for k, v := range p.Values {
					values[k] = hintValue{Const: v}
				}
				preds[j] = hintPredicate{Column: p.Column, Op: p.Op, Values: values}.String()
			}
			s += "[" + strings.Join(preds, " AND ") + "]"
		}
		tables = append(tables, s)
	}
	sort.Strings(tables)
	return strings.Join(tables, "; ")
}

func TestHintsResolveFilters(t *testing.T) {
	cases := []struct {
		name string
		sql  string
		args []any
		want string
	}{
		{"text parameter stays a string for the catalog to coerce",
			"select * from sales where sale_date = $1", []any{"2024-03-01"},
			"demo.sales: [sale_date = '2024-03-01']"},
		{"text parameter cast to date",
			"select * from sales where sale_date >= $1::date", []any{"2024-03-01"},
			"demo.sales: [sale_date >= DATE '2024-03-01']"},
		{"binary date arrives as its text form",
			"select * from sales where sale_date < $1::date and store_id = $2", []any{"2024-03-01", int32(7)},
			"demo.sales: [sale_date < DATE '2024-03-01' AND store_id = 7]"},
		{"integer parameter cannot be a date",
			"select * from sales where sale_date >= $1::date", []any{int64(20240301)},
			"demo.sales: all"},
		{"binary integers",
			"select * from sales where store_id = $1 and sale_id > $2 and amount <= $3", []any{int16(3), int64(1) << 40, int32(-9)},
			"demo.sales: [store_id = 3 AND sale_id > 1099511627776 AND amount <= -9]"},
		{"binary floats compare as sent",
			"select * from sales where amount > $1 and amount < $2", []any{float64(5.5), float32(0.25)},
			"demo.sales: [amount > 5.5 AND amount < 0.25]"},
		{"boolean",
			`select * from "Events" where active = $1`, []any{true},
			"demo.Events: [active = true]"},
		{"NULL parameter: the comparison is never true, but nothing is pruned on it",
			"select * from sales where store_id = $1 and region = $2", []any{nil, "EU"},
			"demo.sales: [region = 'EU']"},
		{"NULL in an IN list is left out",
			"select * from sales where store_id in ($1, $2, 4)", []any{nil, int64(3)},
			"demo.sales: [store_id IN (3, 4)]"},
		{"IN list of NULLs only is dropped",
			"select * from sales where store_id in ($1, $2)", []any{nil, nil},
			"demo.sales: all"},
		{"one unconvertible value drops the whole IN",
			"select * from sales where store_id in ($1, $2)", []any{[]byte{1}, int64(3)},
			"demo.sales: all"},
		{"bytea is not converted",
			"select * from sales where region = $1", []any{[]byte("EU")},
			"demo.sales: all"},
		{"missing argument",
			"select * from sales where region = $2", []any{"EU"},
			"demo.sales: all"},
		{"text rounded by an integer cast is not taken",
			"select * from sales where store_id <= $1::int", []any{"5.7"},
			"demo.sales: all"},
		{"float4 cast of a value float4 cannot hold",
			"select * from sales where amount <= $1::float4", []any{float64(0.1)},
			"demo.sales: all"},
		{"float4 cast of a value it holds",
			"select * from sales where amount <= $1::float4", []any{float64(0.5)},
			"demo.sales: [amount <= 0.5]"},
		{"timestamptz parameter with an offset",
			"select * from sales where sale_date >= $1::timestamptz", []any{"2024-01-01 10:00:00+02"},
			"demo.sales: [sale_date >= TIMESTAMP '2024-01-01 08:00:00']"},
		{"timestamp parameter with an offset is refused by DuckDB",
			"select * from sales where sale_date >= $1::timestamp", []any{"2024-01-01 10:00:00+02"},
			"demo.sales: all"},
		{"chain of casts",
			"select * from sales where sale_date = $1::text::date", []any{"2024-02-29"},
			"demo.sales: [sale_date = DATE '2024-02-29']"},
		{"BETWEEN parameters",
			"select * from sales where sale_date between $1 and $2", []any{"2024-01-01", "2024-01-31"},
			"demo.sales: [sale_date >= '2024-01-01' AND sale_date <= '2024-01-31']"},
		{"self-join with one side unfiltered reads the whole table",
			"select * from sales a join sales b on a.sale_id = b.sale_id where a.store_id = $1", []any{int64(1)},
			"demo.sales: all"},
		{"UNION arms are ORed",
			"select sale_id from sales where store_id = $1 union all select sale_id from sales where region = $2", []any{int64(1), "EU"},
			"demo.sales: [store_id = 1] OR [region = 'EU']"},
		{"every table is present",
			"select * from sales s join stores st using (store_id) where s.region = 'EU'", nil,
			"demo.sales: [region = 'EU']; demo.stores: all"},
		{"an unfiltered reference wins whatever the order",
			"select 1 from sales where store_id = 1 union all select 1 from sales union all select 1 from sales where store_id = 2", nil,
			"demo.sales: all"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hints := extractHints(parseOne(t, c.sql), lookupHintTable)
			if got := formatFilters(resolveFilters(hints, c.args)); got != c.want {
				t.Errorf("%s\ngot  %s\nwant %s", c.sql, got, c.want)
			}
		})
	}
}

func TestHintsNilInputs(t *testing.T) {
	if h := extractHints(nil, lookupHintTable); h != nil {
		t.Errorf("nil statement: %v", h)
	}
	if h := extractHints(parseOne(t, "select * from sales"), nil); h != nil {
		t.Errorf("nil lookup: %v", h)
	}
	if m := resolveFilters(nil, nil); len(m) != 0 {
		t.Errorf("no hints: %v", m)
	}
}

// FuzzExtractHints checks that no statement the parser accepts makes the
// extraction panic or break its invariants.
func FuzzExtractHints(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "hints", "*.json"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		var cases []hintCase
		if err := json.Unmarshal(data, &cases); err != nil {
			f.Fatal(err)
		}
		for _, c := range cases {
			f.Add(c.Query)
		}
	}
	f.Add("select * from sales where (store_id, region) in ((1, 'a')) and sale_date = any($1)")
	f.Add("with recursive r(n) as (select 1 union all select n + 1 from r where n < 3) select * from r, sales")
	argSets := [][]any{nil, {"1", "2024-01-01", nil}, {int64(1), float64(2.5), true, []byte{0}}}
	f.Fuzz(func(t *testing.T, sql string) {
		tree, err := pg_query.Parse(sql)
		if err != nil {
			return
		}
		for _, raw := range tree.Stmts {
			hints := extractHints(raw.Stmt, lookupHintTable)
			checkHintInvariants(t, sql, raw.Stmt, hints)
			for _, args := range argSets {
				m := resolveFilters(hints, args)
				for _, h := range hints {
					if _, ok := m[h.Table.Key()]; !ok {
						t.Fatalf("%s: table %v missing from resolved filters", sql, h.Table.Key())
					}
				}
			}
		}
	})
}
