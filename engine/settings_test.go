package engine

import (
	"context"
	"testing"
)

// TestResetGoesBackToStartup checks that RESET, RESET ALL and DISCARD ALL
// return a parameter to the value the session started with (the startup
// packet's, or the user's default the server applied), as PostgreSQL's
// reset_val, and to the built-in default for the others.
func TestResetGoesBackToStartup(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession("alice", "lake")
	defer s.Close()
	if err := s.SetStartupParameter("statement_timeout", "1500"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetStartupParameter("application_name", "notebook"); err != nil {
		t.Fatal(err)
	}
	show := func() string {
		t.Helper()
		w, _, err := run(t, s, "SELECT current_setting('statement_timeout') || ' ' || current_setting('application_name') || ' ' || current_setting('extra_float_digits')")
		if err != nil {
			t.Fatal(err)
		}
		return w.rows[0][0]
	}
	for _, reset := range []string{"RESET statement_timeout; RESET application_name; RESET extra_float_digits", "RESET ALL", "DISCARD ALL", "SET statement_timeout TO DEFAULT; SET application_name TO DEFAULT; SET extra_float_digits TO DEFAULT"} {
		if _, _, err := run(t, s, "SET statement_timeout = 5; SET application_name = 'other'; SET extra_float_digits = 3"); err != nil {
			t.Fatal(err)
		}
		if got := show(); got != "5 other 3" {
			t.Fatalf("after SET: %q", got)
		}
		if _, _, err := run(t, s, reset); err != nil {
			t.Fatal(err)
		}
		if got := show(); got != "1500 notebook 1" {
			t.Errorf("after %s: %q, want the startup values and the default", reset, got)
		}
	}
}

// TestPreparedStatementSeesSettings checks that a prepared statement whose
// rewrite reads a session setting is rewritten again at each execution,
// while one whose rewrite reads none keeps its text.
func TestPreparedStatementSeesSettings(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession("alice", "lake")
	defer s.Close()
	ctx := context.Background()
	variable, err := s.Prepare(ctx, "SELECT current_setting('application_name')", nil)
	if err != nil {
		t.Fatal(err)
	}
	fixed, err := s.Prepare(ctx, "SELECT 2 = ANY('{1,2}'::int[])", nil)
	if err != nil {
		t.Fatal(err)
	}
	execute := func(st *Statement) string {
		t.Helper()
		p, err := s.Bind(st, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		w := &captureWriter{}
		if _, err := p.Execute(ctx, w, 0); err != nil {
			t.Fatal(err)
		}
		return w.rows[0][0]
	}
	for _, name := range []string{"first", "second"} {
		if _, _, err := run(t, s, "SET application_name = '"+name+"'"); err != nil {
			t.Fatal(err)
		}
		if got := execute(variable); got != name {
			t.Errorf("after SET application_name = %q the prepared statement reads %q", name, got)
		}
		if got := execute(fixed); got != "t" && got != "true" {
			t.Errorf("the rewritten ANY: %q", got)
		}
	}
}
