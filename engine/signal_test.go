package engine

import (
	"testing"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

func TestSignalCall(t *testing.T) {
	for _, c := range []struct {
		sql       string
		ok        bool
		terminate bool
		column    string
	}{
		{"SELECT pg_cancel_backend(1234)", true, false, "pg_cancel_backend"},
		{"SELECT pg_catalog.pg_terminate_backend($1)", true, true, "pg_terminate_backend"},
		{"SELECT pg_terminate_backend(1234::int, 5000) AS killed", true, true, "killed"},
		{"SELECT pg_cancel_backend($1::integer)", true, false, "pg_cancel_backend"},
		{"SELECT pg_cancel_backend(pid) FROM pg_stat_activity", false, false, ""},
		{"SELECT pg_cancel_backend(1), 2", false, false, ""},
		{"SELECT pg_cancel_backend(1, 2)", false, false, ""},
		{"SELECT other.pg_cancel_backend(1)", false, false, ""},
		{"SELECT pg_cancel_backend('1')", false, false, ""},
	} {
		tree, err := pg_query.Parse(c.sql)
		if err != nil {
			t.Fatal(err)
		}
		_, terminate, _, column, ok := signalCall(tree.Stmts[0].Stmt.GetSelectStmt())
		if ok != c.ok || (ok && (terminate != c.terminate || column != c.column)) {
			t.Errorf("%s: ok=%v terminate=%v column=%q", c.sql, ok, terminate, column)
		}
	}
}

func TestSnapshotsIn(t *testing.T) {
	for sql, want := range map[string]snapshotViews{
		"SELECT * FROM pg_stat_activity":                {activity: true},
		`SELECT * FROM pg_catalog."pg_stat_activity"`:   {activity: true},
		"SELECT * FROM lakegate.query_history":          {history: true},
		"SELECT 'pg_stat_activity'":                     {},
		"SELECT 1":                                      {},
		"SELECT * FROM query_history, pg_stat_activity": {activity: true, history: true},
	} {
		if got := snapshotsIn(sql); got != want {
			t.Errorf("%s: %+v, want %+v", sql, got, want)
		}
	}
}
