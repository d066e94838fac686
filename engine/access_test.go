package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/lakegate/lakegate/sqlstate"
)

// testAccess is an Access from a table: user → "schema.table" → policy.
type testAccess map[string]map[string]testPolicy

type testPolicy struct {
	filter string
	masks  map[string]string
}

func (a testAccess) Users() []string {
	var users []string
	for u := range a {
		users = append(users, u)
	}
	slices.Sort(users)
	return users
}

func (a testAccess) Table(user, schema, table string) (bool, string, map[string]string) {
	p, ok := a[user][schema+"."+table]
	return ok, p.filter, p.masks
}

func (a testAccess) HideUngranted() bool { return false }

// lakeAccess: alice sees the eu half with amounts masked, the user named
// "us" the rows whose region is its own name, carol everything, dave
// nothing (he is known, but granted no table).
var lakeAccess = testAccess{
	"alice": {"demo.sales": {filter: "region = 'eu'", masks: map[string]string{"amount": "0"}}},
	"us":    {"demo.sales": {filter: "region = current_user"}},
	"carol": {"demo.sales": {}, "demo.broken": {}},
	"dave":  {},
}

func TestAccessPolicies(t *testing.T) {
	e := openLakeEngineWith(t, lakeAccess)
	cases := []struct {
		user, sql, rows string
		code            sqlstate.Code
	}{
		{user: "alice", sql: "SELECT count(*), sum(amount)::INT FROM demo.sales", rows: "[[40 0]]"},
		{user: "alice", sql: "SELECT DISTINCT region FROM demo.sales", rows: "[[eu]]"},
		// Pruning ignores predicates on masked columns: the file
		// statistics are of the real amounts, the query is about zeros.
		{user: "alice", sql: "SELECT count(*) FROM demo.sales WHERE amount = 0", rows: "[[40]]"},
		{user: "alice", sql: "SELECT count(*) FROM demo.sales WHERE amount > 10", rows: "[[0]]"},
		{user: "us", sql: "SELECT count(*), min(region) FROM demo.sales", rows: "[[40 us]]"},
		{user: "carol", sql: "SELECT count(*) FROM demo.sales", rows: "[[80]]"},
		{user: "carol", sql: "SELECT count(*) FROM demo.sales WHERE amount > 10", rows: "[[73]]"},
		{user: "dave", sql: "SELECT count(*) FROM demo.sales", code: sqlstate.InsufficientPrivilege},
		{user: "mallory", sql: "SELECT count(*) FROM demo.sales", code: sqlstate.InsufficientPrivilege},
		{user: "alice", sql: "SELECT count(*) FROM demo.broken", code: sqlstate.InsufficientPrivilege},
		{user: "alice", sql: "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'demo'", rows: "[[1]]"},
		{user: "carol", sql: "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'demo'", rows: "[[1]]"}, // demo.broken has no view
		{user: "dave", sql: "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'demo'", rows: "[[0]]"},
	}
	sessions := map[string]*Session{}
	for _, c := range cases {
		s := sessions[c.user]
		if s == nil {
			s = e.NewSession(c.user, "lake")
			defer s.Close()
			sessions[c.user] = s
		}
		w, _, err := run(t, s, c.sql)
		switch {
		case c.code != "":
			if sqlstate.From(err).Code != c.code {
				t.Errorf("%s: %s: got %v, want %s", c.user, c.sql, err, c.code)
			}
		case err != nil:
			t.Errorf("%s: %s: %v", c.user, c.sql, err)
		case fmt.Sprint(w.rows) != c.rows:
			t.Errorf("%s: %s: got %v, want %s", c.user, c.sql, w.rows, c.rows)
		}
	}
}

// A masked column keeps its type for every user: the mask is cast to it.
func TestAccessMaskKeepsType(t *testing.T) {
	amountType := func(e *Engine, user string) Type {
		t.Helper()
		s := e.NewSession(user, "lake")
		defer s.Close()
		st, err := s.Prepare(context.Background(), "SELECT amount FROM demo.sales", nil)
		if err != nil {
			t.Fatal(err)
		}
		return st.Columns()[0].Type
	}
	want := amountType(openLakeEngine(t), "alice")
	e := openLakeEngineWith(t, testAccess{
		"alice": {"demo.sales": {masks: map[string]string{"amount": "-1::DOUBLE"}}},
		"carol": {"demo.sales": {}},
	})
	for _, user := range []string{"alice", "carol"} {
		if got := amountType(e, user); got != want {
			t.Errorf("%s: amount is %v, want %v as without access rules", user, got, want)
		}
	}
}

// A filter or mask DuckDB cannot apply is a startup error, not a table
// left unserved (or served without it).
func TestAccessBadPolicyFailsOpen(t *testing.T) {
	for _, p := range []testPolicy{
		{filter: "nosuch = 1"},
		{masks: map[string]string{"nosuch": "0"}},
		{masks: map[string]string{"amount": "nosuch + 1"}},
	} {
		_, err := openLakeEngineErr(t, testAccess{"alice": {"demo.sales": p}})
		var pe *PolicyError
		if !errors.As(err, &pe) || pe.Table != "demo.sales" {
			t.Errorf("%+v: Open error %v, want a PolicyError on demo.sales", p, err)
		}
	}
}

func TestSubstituteCurrentUser(t *testing.T) {
	cases := []struct{ expr, user, want string }{
		{"owner = current_user", "alice", "owner = 'alice'"},
		{"owner IN (CURRENT_USER, session_user)", "bob", "owner IN ('bob', 'bob')"},
		{"owner = current_user", "o'brien", "owner = 'o''brien'"},
		{"note = 'current_user' AND \"current_user\" = 1", "alice", "note = 'current_user' AND \"current_user\" = 1"},
		{"", "alice", ""},
	}
	for _, c := range cases {
		if got := substituteCurrentUser(c.expr, c.user); got != c.want {
			t.Errorf("%q as %s: %q, want %q", c.expr, c.user, got, c.want)
		}
	}
}

func TestExplainedQuery(t *testing.T) {
	cases := map[string]string{
		"EXPLAIN SELECT 1":                        "SELECT 1",
		"explain analyze FROM t":                  "FROM t",
		"EXPLAIN (ANALYZE, FORMAT json) SELECT 1": "SELECT 1",
		"EXPLAIN ANALYZE VERBOSE SELECT (1)":      "SELECT (1)",
		"SELECT 'EXPLAIN'":                        "SELECT 'EXPLAIN'",
		"EXPLAIN":                                 "EXPLAIN",
	}
	for in, want := range cases {
		if got := explainedQuery(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

func TestPolicyViewSQL(t *testing.T) {
	tp := &tablePolicies{variable: "lakegate_policy_0", defs: []policyDef{
		{filter: "region = 'eu'", masks: map[string]string{"amount": "0", "id": "-1"}},
		{masks: map[string]string{"amount": "NULL"}},
	}}
	want := `SELECT * REPLACE (CASE getvariable('lakegate_policy_0') WHEN 1 THEN (0) WHEN 2 THEN (NULL) ELSE "amount" END AS "amount", ` +
		`CASE getvariable('lakegate_policy_0') WHEN 1 THEN (-1) ELSE "id" END AS "id") ` +
		`FROM (SELECT 1) AS lakegate_rows WHERE CASE getvariable('lakegate_policy_0') WHEN 0 THEN true WHEN 1 THEN (region = 'eu') WHEN 2 THEN true ELSE false END`
	if got := tp.wrap("SELECT 1", nil); got != want {
		t.Errorf("view SQL\n got %s\nwant %s", got, want)
	}
}

// The sandbox settings are in force once Open returns.
func TestSandboxSettings(t *testing.T) {
	e := openLakeEngine(t)
	c, err := e.pool.get()
	if err != nil {
		t.Fatal(err)
	}
	defer e.pool.put(c)
	rows, err := queryStrings(context.Background(), c, `SELECT name, value FROM duckdb_settings() WHERE name IN
		('enable_external_access', 'autoinstall_known_extensions', 'autoload_known_extensions', 'lock_configuration', 'temp_directory', 'allowed_directories', 'allow_persistent_secrets')
		ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range rows {
		got[r[0]] = r[1]
	}
	want := map[string]string{"enable_external_access": "false", "autoinstall_known_extensions": "false",
		"autoload_known_extensions": "false", "lock_configuration": "true", "temp_directory": e.tempDir,
		"allow_persistent_secrets": "false"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	// The lake's directories, and the temp directory DuckDB adds itself.
	dirs := strings.Split(strings.Trim(got["allowed_directories"], "[]"), ", ")
	if len(dirs) != 3 || !strings.HasSuffix(dirs[0], "/nowhere/") || !strings.HasSuffix(dirs[1], "/sales/") || dirs[2] != e.tempDir+"/" {
		t.Errorf("allowed_directories = %q, want the lake's two and the temp directory %s", dirs, e.tempDir)
	}
	// DuckDB holds no secret: S3 credentials stay in Go (catalog/store_s3.go),
	// which downloads objects into the file cache.
	if rows, err := queryStrings(context.Background(), c, "SELECT count(*)::VARCHAR FROM duckdb_secrets()"); err != nil || rows[0][0] != "0" {
		t.Errorf("duckdb_secrets(): %v %v, want none", rows, err)
	}
}

// What the statement checks let through: the forms the compatibility layer
// and ordinary queries use.
func TestStatementChecksAllow(t *testing.T) {
	e := openLakeEngine(t)
	c, err := e.pool.get()
	if err != nil {
		t.Fatal(err)
	}
	defer e.pool.put(c)
	for _, sql := range []string{
		"SELECT * FROM range(3)",
		"SELECT * FROM generate_series(1, 3) g(i)",
		"SELECT * FROM unnest([1, 2])",
		"SELECT * FROM json_each('{\"a\": 1}')",
		"WITH x AS (SELECT 1) SELECT * FROM x",
		"WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r",
		"SELECT relname FROM pg_class JOIN lakegate_pg_catalog.pg_namespace n ON true",
		"SELECT * FROM lakegate_information_schema.tables('lake')",
		"SELECT * FROM lakegate_pg_catalog.pg_get_keywords()",
		"SELECT * FROM demo.sales s, (VALUES (1)) v(x)",
		"FROM main.nosuch", // DuckDB reports it missing
		"SELECT $1::INT + 1",
		"EXPLAIN ANALYZE SELECT count(*) FROM demo.sales",
	} {
		v := e.checks.check(context.Background(), c, sql)
		if v.err != nil || v.unchecked {
			t.Errorf("%s: refused: %v (unchecked %v)", sql, v.err, v.unchecked)
		}
	}
	if v := e.checks.check(context.Background(), c, "SELECT * FROM demo.sales a JOIN \"DEMO\".\"SALES\" b USING (id)"); len(v.tables) != 2 || v.tables[0] != v.tables[1] {
		t.Errorf("lake tables found: %v", v.tables)
	}
}

// BenchmarkStatementChecks measures what the checks add to a statement:
// "cold" is a text seen for the first time (DuckDB parses it to JSON and
// the tree is walked), "cached" one seen before.
func BenchmarkStatementChecks(b *testing.B) {
	e := openLakeEngineWith(b, lakeAccess)
	c, err := e.pool.get()
	if err != nil {
		b.Fatal(err)
	}
	defer e.pool.put(c)
	const query = "SELECT region, count(*), sum(amount) FROM demo.sales s JOIN (SELECT * FROM range(10)) r(i) ON r.i = s.id WHERE day >= DATE '2024-01-02' AND id < %d GROUP BY region ORDER BY 2 DESC"
	b.Run("cold", func(b *testing.B) {
		for i := range b.N {
			if v := e.checks.check(context.Background(), c, fmt.Sprintf(query, i)); v.err != nil {
				b.Fatal(v.err)
			}
		}
	})
	b.Run("cached", func(b *testing.B) {
		sql := fmt.Sprintf(query, -1)
		for range b.N {
			if v := e.checks.check(context.Background(), c, sql); v.err != nil {
				b.Fatal(v.err)
			}
		}
	})
}

// BenchmarkLakeQueryPolicy runs one query end to end (prepare, plan,
// execute) as a user without policy (carol) and as one with a row filter
// and a mask (alice), and with no access rules at all.
func BenchmarkLakeQueryPolicy(b *testing.B) {
	const query = "SELECT count(*), sum(amount) FROM demo.sales WHERE day >= '2024-01-02'"
	for _, bc := range []struct {
		name   string
		access Access
		user   string
	}{{"no-rules", nil, "alice"}, {"granted-unrestricted", lakeAccess, "carol"}, {"filter-and-mask", lakeAccess, "alice"}} {
		b.Run(bc.name, func(b *testing.B) {
			e := openLakeEngineWith(b, bc.access)
			s := e.NewSession(bc.user, "lake")
			defer s.Close()
			ctx := context.Background()
			for range b.N {
				st, err := s.Prepare(ctx, query, nil)
				if err != nil {
					b.Fatal(err)
				}
				p, err := s.Bind(st, nil)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := p.Execute(ctx, &captureWriter{}, 0); err != nil {
					b.Fatal(err)
				}
				p.Close()
			}
		})
	}
}
