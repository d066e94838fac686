package test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lakegate/lakegate/demolake"
)

// The client compatibility tests: every client of clientSuites (see
// clients_matrix_test.go) runs its program from test/clients/ against one
// lakegate serving the demo lake. The program prints one JSON line per
// check, and each outcome must be the one the table records: a check
// marked "not yet" that starts to work fails the test as surely as a
// check marked "works" that breaks, so the table, and docs/clients.md
// generated from it, cannot drift.

var updateClients = flag.Bool("update-clients", false, "rewrite docs/clients.md from the client check table")

// clientMatrixFile is the compatibility matrix, relative to this package.
const clientMatrixFile = "../docs/clients.md"

// clientResult is one line a client program prints.
type clientResult struct {
	Check  string `json:"check"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

func TestClients(t *testing.T) {
	// The demo lake is generated once for all clients (3-5 s).
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	catalogFile, err := demolake.Ensure(ctx, filepath.Join(t.TempDir(), "demo"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	yamlText, err := os.ReadFile(catalogFile)
	if err != nil {
		t.Fatal(err)
	}
	lg := startLakegateCatalog(t, filepath.Dir(catalogFile), string(yamlText))

	for _, suite := range clientSuites {
		t.Run(suite.name, func(t *testing.T) {
			t.Parallel()
			cmd := suite.command(t, lg)
			results := runClientProgram(t, cmd)
			compareClientResults(t, suite, results)
		})
	}
}

// runClientProgram runs a client program and returns the checks it
// reported, in order.
func runClientProgram(t *testing.T, cmd *exec.Cmd) []clientResult {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	t.Logf("%s: %.1fs", strings.Join(cmd.Args, " "), time.Since(start).Seconds())
	if err != nil {
		t.Errorf("%s: %v\nstderr:\n%s", cmd.Args[0], err, stderr.String())
	}
	var results []clientResult
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var r clientResult
		if err := json.Unmarshal(line, &r); err != nil || r.Check == "" {
			t.Errorf("not a check result: %q", line)
			continue
		}
		results = append(results, r)
	}
	if len(results) == 0 && err == nil {
		t.Errorf("%s reported no checks\nstderr:\n%s", cmd.Args[0], stderr.String())
	}
	return results
}

// compareClientResults fails the test for every check whose outcome is
// not the one the table records.
func compareClientResults(t *testing.T, suite clientSuite, results []clientResult) {
	t.Helper()
	reported := map[string]clientResult{}
	for _, r := range results {
		if _, dup := reported[r.Check]; dup {
			t.Errorf("check %s reported twice", r.Check)
		}
		reported[r.Check] = r
	}
	known := map[string]bool{}
	for _, c := range suite.checks {
		known[c.name] = true
		r, ok := reported[c.name]
		switch {
		case !ok:
			t.Errorf("%s: not reported by the program", c.name)
		case c.notYet == "" && !r.OK:
			t.Errorf("%s: FAILS, and the table says it works: %s", c.name, r.Detail)
		case c.notYet == "" && r.OK:
			t.Logf("%s: works: %s", c.name, r.Detail)
		case r.OK:
			t.Errorf("%s: WORKS NOW (%s): in clients_matrix_test.go, clear its notYet and failure, then run go test ./test/ -run Clients -update-clients", c.name, r.Detail)
		case !strings.Contains(r.Detail, c.failure):
			t.Errorf("%s: not yet, but the failure changed: %q does not contain %q; update its notYet and failure in clients_matrix_test.go, then run go test ./test/ -run Clients -update-clients", c.name, r.Detail, c.failure)
		default:
			t.Logf("%s: not yet, as recorded: %s", c.name, r.Detail)
		}
	}
	for _, r := range results {
		if !known[r.Check] {
			t.Errorf("%s: reported (ok=%v: %s) but not in the table in clients_matrix_test.go", r.Check, r.OK, r.Detail)
		}
	}
}

// TestClientsMatrix checks that docs/clients.md is the one the table
// generates; -update-clients rewrites it.
func TestClientsMatrix(t *testing.T) {
	for _, suite := range clientSuites {
		seen := map[string]bool{}
		for _, c := range suite.checks {
			if seen[c.name] {
				t.Errorf("%s: check %s listed twice", suite.name, c.name)
			}
			seen[c.name] = true
			if c.what == "" {
				t.Errorf("%s: check %s says nothing about what it verifies", suite.name, c.name)
			}
			if (c.notYet == "") != (c.failure == "") {
				t.Errorf("%s: check %s: a check that does not work yet needs both notYet (why) and failure (what its error says); one that works needs neither", suite.name, c.name)
			}
		}
	}
	want := clientMatrix(t)
	if *updateClients {
		if err := os.WriteFile(clientMatrixFile, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(clientMatrixFile)
	if err != nil {
		t.Fatalf("%v; run go test ./test/ -run Clients -update-clients", err)
	}
	if string(got) != want {
		t.Errorf("%s is stale: run go test ./test/ -run Clients -update-clients", clientMatrixFile)
	}
}

// clientMatrix renders docs/clients.md.
func clientMatrix(t *testing.T) string {
	var b strings.Builder
	b.WriteString(`# Client compatibility

What real PostgreSQL clients do against lakegate today. Each client below runs
a program from ` + "`test/clients/`" + ` against a lakegate serving the demo lake
(` + "`TestClients`" + ` in ` + "`test/clients_test.go`" + `, part of ` + "`go test ./...`" + `);
every check prints whether it passed, and its outcome must be the one recorded
here: a check marked *works* that breaks fails the test, and so does a check
marked *not yet* that starts to work or fails for another reason than the one
given. This file is generated from the table in
` + "`test/clients_matrix_test.go`" + ` (` + "`go test ./test/ -run Clients -update-clients`" + `),
and ` + "`TestClientsMatrix`" + ` fails when it is stale, so it cannot drift.

The client programs need the clients installed as ` + "`.ci/run`" + ` does
(Debian packages, and ` + "`npm ci`" + ` in ` + "`test/clients/node`" + `); a missing
client skips its part, or fails it when ` + "`LAKEGATE_REQUIRE_CLIENTS=1`" + ` (CI).
psql and pgx are covered by their own tests (` + "`test/psql_test.go`" + `,
` + "`test/pgx_test.go`" + `, ` + "`test/binary_test.go`" + `).

| client | checks | works | not yet |
|---|---:|---:|---:|
`)
	total, totalWorks := 0, 0
	for _, s := range clientSuites {
		works := 0
		for _, c := range s.checks {
			if c.notYet == "" {
				works++
			}
		}
		total += len(s.checks)
		totalWorks += works
		fmt.Fprintf(&b, "| [%s](#%s) | %d | %d | %d |\n", s.title, s.name, len(s.checks), works, len(s.checks)-works)
	}
	fmt.Fprintf(&b, "| all | %d | %d | %d |\n", total, totalWorks, total-totalWorks)
	for _, s := range clientSuites {
		fmt.Fprintf(&b, "\n## %s\n\n%s\n\n| check | what is verified | result |\n|---|---|---|\n", s.name, s.about(t))
		for _, c := range s.checks {
			result := "works"
			if c.notYet != "" {
				result = "**not yet**: " + c.notYet + "; fails with `" + c.failure + "`"
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s |\n", c.name, markdownCell(c.what), markdownCell(result))
		}
	}
	return b.String()
}

func markdownCell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ")
}

// missingClient skips the test for a client that is not installed, or
// fails it when LAKEGATE_REQUIRE_CLIENTS=1 (as requireClient does).
func missingClient(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("LAKEGATE_REQUIRE_CLIENTS") == "1" {
		t.Fatalf("%s, and LAKEGATE_REQUIRE_CLIENTS=1", msg)
	}
	t.Skipf("%s; install it (see .ci/run) to run this test", msg)
}

// clientCommand returns the command that runs a client program with the
// server's host, port and user, from dir under test/clients.
func clientCommand(t *testing.T, lg *lakegate, dir, program string, args ...string) *exec.Cmd {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, program, append(args, lg.host, lg.port, "lakegate")...)
	cmd.Dir = filepath.Join("clients", dir)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// debianPython is the interpreter Debian's python3-* packages are for; a
// python3 earlier on PATH (pyenv) cannot import them.
const debianPython = "/usr/bin/python3"

// pythonCommand runs a check script with Debian's python3 once its modules
// import.
func pythonCommand(t *testing.T, lg *lakegate, script string, modules ...string) *exec.Cmd {
	if _, err := os.Stat(debianPython); err != nil {
		missingClient(t, "%s is not installed", debianPython)
	}
	check := exec.Command(debianPython, "-c", "import "+strings.Join(modules, ", "))
	if out, err := check.CombinedOutput(); err != nil {
		missingClient(t, "%s cannot import %s: %s", debianPython, strings.Join(modules, ", "), lastLine(out))
	}
	return clientCommand(t, lg, "python", debianPython, script)
}

func lastLine(out []byte) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1]
}

// pgjdbcJar is where Debian's libpostgresql-jdbc-java puts the driver;
// LAKEGATE_PGJDBC_JAR points elsewhere.
func pgjdbcJar() string {
	if jar := os.Getenv("LAKEGATE_PGJDBC_JAR"); jar != "" {
		return jar
	}
	return "/usr/share/java/postgresql.jar"
}

// jdbcCommand runs JdbcChecks.java as a single-file source program (a JDK
// compiles it in memory: one JVM start, faster than javac then java).
func jdbcCommand(t *testing.T, lg *lakegate) *exec.Cmd {
	java := requireClient(t, "java")
	jar := pgjdbcJar()
	if _, err := os.Stat(jar); err != nil {
		missingClient(t, "pgjdbc is not installed (%v)", err)
	}
	return clientCommand(t, lg, "jdbc", java, "-cp", jar, "JdbcChecks.java")
}

// nodeCommand runs checks.js with the pg that npm ci installed from the
// lockfile.
func nodeCommand(t *testing.T, lg *lakegate) *exec.Cmd {
	node := requireClient(t, "node")
	if _, err := os.Stat(filepath.Join("clients", "node", "node_modules", "pg", "package.json")); err != nil {
		missingClient(t, "node-postgres is not installed: run npm ci in test/clients/node")
	}
	return clientCommand(t, lg, "node", node, "checks.js")
}

// nodePgVersion is the pg version pinned by test/clients/node/package-lock.json.
func nodePgVersion(t *testing.T) string {
	data, err := os.ReadFile(filepath.Join("clients", "node", "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	var lock struct {
		Packages map[string]struct {
			Version string `json:"version"`
		} `json:"packages"`
	}
	if err := json.Unmarshal(data, &lock); err != nil {
		t.Fatal(err)
	}
	v := lock.Packages["node_modules/pg"].Version
	if v == "" {
		t.Fatal("package-lock.json pins no pg")
	}
	return v
}
