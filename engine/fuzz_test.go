package engine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/lakegate/lakegate/sqlstate"
)

// addSQLSeeds seeds a SQL fuzz target with what clients really send: the
// psql and tool queries of the compat tests, one statement each.
func addSQLSeeds(f *testing.F) {
	files, _ := filepath.Glob("testdata/rewrite/*.sql")
	for _, file := range files {
		text, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for _, q := range strings.Split(string(text), "\n----\n") {
			if q = strings.TrimSpace(q); q != "" {
				f.Add(q)
			}
		}
	}
	for _, q := range []string{
		"select 1; copy (select 1) to '/tmp/x'",
		"SELECT '{1,2}'::int[] OPERATOR(pg_catalog.~) 'x' COLLATE pg_catalog.default",
		"show search_path; set extra_float_digits = 3; discard all",
		"declare c cursor with hold for select * from demo.sales; fetch 2 from c",
		"FROM read_csv('/etc/passwd')",
		"select 1 /* ; attach 'x.db' */; pragma version",
	} {
		f.Add(q)
	}
}

// FuzzRewrite checks the compatibility rewrites on arbitrary statements:
// they never panic, and what they produce is SQL that parses again, since
// that text is what DuckDB is given (for statements pg_query's deparser
// itself can write back).
func FuzzRewrite(f *testing.F) {
	addSQLSeeds(f)
	env := &rewriteEnv{
		user:     "alice",
		database: "lake",
		setting: func(name string) (string, bool) {
			return "x", name == "search_path" || name == "application_name"
		},
		settings: func() (names, values, descriptions []string) {
			return []string{"search_path"}, []string{`"$user", public`}, []string{"schemas"}
		},
		schemaExists: func(name string) bool { return name == "demo" || name == "public" },
	}
	f.Fuzz(func(t *testing.T, sql string) {
		tree, err := pg_query.Parse(sql)
		if err != nil {
			return
		}
		for _, raw := range tree.Stmts {
			out, _, ok, err := rewriteStatement(env, raw.Stmt)
			if !ok || err != nil {
				continue
			}
			// pg_query's deparser cannot write everything its parser
			// reads (a three-part operator name, which PostgreSQL then
			// refuses anyway): only what it writes back unchanged counts.
			if same, err := deparse(raw.Stmt); err != nil {
				continue
			} else if _, err := pg_query.Parse(same); err != nil {
				continue
			}
			if _, err := pg_query.Parse(out); err != nil {
				t.Fatalf("rewrite of %q gave %q, which does not parse: %v", sql, out, err)
			}
		}
	})
}

// FuzzPrepare sends arbitrary text through a session's whole preparation
// path (splitting, pg_query classification, rewrites, DuckDB's own
// statement check and prepare): it never panics, every error is a
// PostgreSQL error with a SQLSTATE, and the session keeps working.
// Statements are prepared, not run, so that the fuzzer cannot start an
// endless query.
func FuzzPrepare(f *testing.F) {
	addSQLSeeds(f)
	e, err := Open(context.Background(), Config{Threads: 1, Views: []View{
		{Schema: "demo", Name: "sales", SQL: "SELECT 1::INTEGER AS id, 'x' AS region"},
	}})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { e.Close() })
	f.Fuzz(func(t *testing.T, text string) {
		s := e.NewSession("alice", "lake")
		defer s.Close()
		for _, src := range SplitQuery(text) {
			_, err := s.PrepareSource(context.Background(), src)
			var pgErr *sqlstate.Error
			if err != nil && !errors.As(err, &pgErr) {
				t.Fatalf("%q: error without a SQLSTATE: %v", src.stmt.sql, err)
			}
		}
		s.FailTransaction() // whatever state the text left, ROLLBACK ends it
		if _, _, err := run(t, s, "ROLLBACK; SELECT 1"); err != nil {
			t.Fatalf("after %q the session fails: %v", text, err)
		}
	})
}
