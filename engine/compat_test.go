package engine

import (
	"context"
	"os"
	"strings"
	"testing"
)

func openCompatEngine(t *testing.T) *Engine {
	t.Helper()
	e, err := Open(context.Background(), Config{Threads: 2, Views: []View{
		{Schema: "demo", Name: "sales", SQL: "SELECT 1::INTEGER AS id, 'x' AS region, 1.5::DECIMAL(18,2) AS amount, TIMESTAMPTZ '2024-01-01' AS sold_at, ['a'] AS tags"},
		{Schema: "public", Name: "t", SQL: "SELECT 1::INTEGER AS id, 'x' AS name, TIMESTAMPTZ '2024-01-01' AS ts, 2.5::DOUBLE AS amt"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// TestCompatClientQueries runs what psql 15 sends for \dn, \dt, \dt demo.*,
// \d demo.sales, \d+ demo.sales, \dv, \l and \df (captured with psql -E
// against PostgreSQL 15), and the SQL of ../shared/clients/tool-queries.json
// (DBeaver, Metabase, Grafana, Tableau, Npgsql): every one must run.
func TestCompatClientQueries(t *testing.T) {
	e := openCompatEngine(t)
	for _, file := range []string{"testdata/rewrite/psql15_describe.sql", "testdata/rewrite/tool_queries.sql"} {
		text, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		s := e.NewSession("alice", "lake")
		for _, q := range strings.Split(string(text), "\n----\n") {
			if q = strings.TrimSpace(q); q == "" {
				continue
			}
			if _, _, err := run(t, s, q); err != nil {
				t.Errorf("%s: %v\n%s", file, err, q)
				run(t, s, "ROLLBACK")
			}
		}
	}
}

func TestCompatValues(t *testing.T) {
	e := openCompatEngine(t)
	s := e.NewSession("alice", "lake")
	for _, tc := range []struct{ sql, want string }{
		{"SELECT version() LIKE 'PostgreSQL 16.4 (lakegate % DuckDB v%' AS ok", "true"},
		{"SELECT pg_catalog.version() LIKE 'PostgreSQL 16.%' AS ok", "true"},
		{"SELECT current_setting('server_version_num')", "160004"},
		{"SHOW server_version_num", "160004"},
		{"SELECT current_user, session_user, current_database(), current_schema()", "alice alice lake public"},
		{"SELECT n.nspname FROM pg_catalog.pg_namespace n WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' ORDER BY 1", "demo|lakegate|public"}, // lakegate: query_history,
		{"SELECT c.relname FROM pg_catalog.pg_class c WHERE c.relname OPERATOR(pg_catalog.~) '^(sales)$' COLLATE pg_catalog.default", "sales"},
		{"SELECT a.attname || ':' || pg_catalog.format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a WHERE a.attrelid = 'demo.sales'::regclass ORDER BY a.attnum",
			"id:integer|region:text|amount:numeric(18,2)|sold_at:timestamp with time zone|tags:text[]"},
		{"SELECT 'demo.sales'::regclass::oid = c.oid FROM pg_class c WHERE relname = 'sales'", "true"},
		{"SELECT c.oid::pg_catalog.regclass FROM pg_catalog.pg_class c WHERE c.relname = 'sales'", "demo.sales"},
		{"SELECT 'pg_class'::regclass::oid", "1259"},
		{"SELECT data_type || '/' || udt_name FROM information_schema.columns WHERE table_name = 'sales' ORDER BY ordinal_position",
			"integer/int4|text/text|numeric/numeric|timestamp with time zone/timestamptz|ARRAY/_text"},
		{"SELECT t.typname FROM pg_type t JOIN pg_proc p ON p.oid = t.typreceive WHERE p.proname = 'array_recv' AND t.typelem = 23", "_int4"},
		{"SELECT 1 = ANY('{1,2}'::int[])", "true"},
		{"SELECT x FROM unnest(ARRAY['a','b']) x ORDER BY 1", "a|b"},
	} {
		w, _, err := run(t, s, tc.sql)
		if err != nil {
			t.Errorf("%s: %v", tc.sql, err)
			continue
		}
		var rows []string
		for _, r := range w.rows {
			rows = append(rows, strings.Join(r, " "))
		}
		if got := strings.Join(rows, "|"); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.sql, got, tc.want)
		}
	}
}
