package test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runPsql runs psql against lg with extra arguments and returns its output
// and exit error.
func runPsql(t *testing.T, lg *lakegate, args ...string) (string, string, error) {
	t.Helper()
	psql := requireClient(t, "psql")
	base := []string{"-X", "-h", lg.host, "-p", lg.port, "-U", "lakegate", "-d", "lakegate", "-v", "ON_ERROR_STOP=1", "--no-psqlrc", "-A", "-t"}
	cmd := exec.Command(psql, append(base, args...)...)
	cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=10", "PGSSLMODE=prefer")
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

func TestPsqlSeveralStatements(t *testing.T) {
	lg := startLakegate(t)
	out, stderr, err := runPsql(t, lg, "-c", "select 1 as a; select 'two' as b; select i from range(3) t(i) order by i")
	if err != nil {
		t.Fatalf("psql: %v\n%s", err, stderr)
	}
	// psql 15+ prints the result of every statement of a -c string.
	if got := strings.TrimSpace(out); got != "1\ntwo\n0\n1\n2" {
		t.Errorf("output %q", got)
	}
}

func TestPsqlFile(t *testing.T) {
	lg := startLakegate(t)
	file := filepath.Join(t.TempDir(), "q.sql")
	script := `
-- a comment
select 42 as answer;
begin;
show DateStyle;
select true, null::int, 1.5::double, 'it''s';
commit;
`
	os.WriteFile(file, []byte(script), 0o600)
	out, stderr, err := runPsql(t, lg, "-f", file)
	if err != nil {
		t.Fatalf("psql -f: %v\n%s", err, stderr)
	}
	want := "42\nBEGIN\nISO, MDY\nt||1.5|it's\nCOMMIT"
	if got := strings.TrimSpace(out); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}

func TestPsqlErrors(t *testing.T) {
	lg := startLakegate(t)
	_, stderr, err := runPsql(t, lg, "-c", "select * from no_such_table")
	if err == nil {
		t.Fatal("psql succeeded on an error")
	}
	if !strings.Contains(stderr, "ERROR:") || !strings.Contains(stderr, "no_such_table") {
		t.Errorf("stderr: %s", stderr)
	}
	_, stderr, err = runPsql(t, lg, "-c", "delete from demo.sales")
	if err == nil || !strings.Contains(stderr, "read-only") {
		t.Errorf("delete: %v %s", err, stderr)
	}
	// VERBOSITY verbose shows the SQLSTATE.
	_, stderr, _ = runPsql(t, lg, "-v", "VERBOSITY=verbose", "-c", "select 1/'a'::int")
	if !strings.Contains(stderr, "22P02") {
		t.Errorf("want SQLSTATE 22P02 in: %s", stderr)
	}
}
