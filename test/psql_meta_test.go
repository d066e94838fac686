package test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lakegate/lakegate/test/pgcluster"
)

// TestPsqlMetaCommands runs psql's meta-commands (\l, \dn, \dt, \d, \d+,
// \dv, \df, \x, \copy, \timing) and error display against lakegate and
// against a real PostgreSQL holding an equivalent lake (the same schemas,
// tables, column names, types and rows), and requires the same output once
// what legitimately differs (timing numbers) is normalized. Everything else
// is made equal by construction: in PostgreSQL the user is called lakegate
// and owns the database, the schemas and the tables, and the cluster's own
// databases (postgres, template0, template1) are dropped, so \l lists the
// one database lakegate serves. The expected output, PostgreSQL's, is kept
// in testdata/psql/ (rewritten from PostgreSQL with -update), so the test
// still checks lakegate where no PostgreSQL server is installed.

var updatePsql = flag.Bool("update", false, "rewrite the golden files under testdata/ from PostgreSQL's output")

// psqlMetaLake is the lake both servers hold: its Parquet files are written
// by DuckDB from the same rows PostgreSQL inserts.
var psqlMetaLake = struct {
	duckdb   []string // %s is the directory of the Parquet files
	postgres []string
	yaml     string
}{
	duckdb: []string{
		`COPY (SELECT * FROM (VALUES
			(1::BIGINT, 10::INTEGER, 2::SMALLINT, 19.90::DECIMAL(10,2), 0.25::DOUBLE, 1.5::REAL, 'first order'::VARCHAR, true, DATE '2024-03-01', TIMESTAMP '2024-03-01 10:15:00', TIMESTAMPTZ '2024-03-01 10:15:00+00', ['a','b']::VARCHAR[], [1,2]::INTEGER[]),
			(2, 11, 1, 5.00, 0, 0.5, NULL, false, DATE '2024-03-02', TIMESTAMP '2024-03-02 08:00:00', TIMESTAMPTZ '2024-03-02 08:00:00+00', []::VARCHAR[], NULL),
			(3, 10, 7, 120.00, NULL, NULL, 'it''s, "quoted"', NULL, NULL, NULL, NULL, NULL, [3]::INTEGER[])
		) t(order_id, customer_id, quantity, price, discount, weight, note, paid, ordered_on, ordered_at, settled_at, tags, codes)) TO '%s/orders.parquet' (FORMAT parquet)`,
		`COPY (SELECT * FROM (VALUES (10::INTEGER, 'Ada'::VARCHAR, DATE '2020-01-02'), (11, 'Grace', DATE '2021-05-06')) t(customer_id, name, since)) TO '%s/customers.parquet' (FORMAT parquet)`,
		`COPY (SELECT * FROM (VALUES (1::BIGINT, 'opened'::VARCHAR)) t(event_id, kind)) TO '%s/events.parquet' (FORMAT parquet)`,
	},
	postgres: []string{
		// PostgreSQL's own public schema has grants and a comment; one
		// made like the lake's has neither.
		`DROP SCHEMA public`,
		`CREATE SCHEMA public`,
		`CREATE SCHEMA shop`,
		`CREATE TABLE shop.orders (order_id bigint, customer_id integer, quantity smallint, price numeric(10,2), discount double precision, weight real, note text, paid boolean, ordered_on date, ordered_at timestamp, settled_at timestamptz, tags text[], codes integer[])`,
		`INSERT INTO shop.orders VALUES
			(1, 10, 2, 19.90, 0.25, 1.5, 'first order', true, '2024-03-01', '2024-03-01 10:15:00', '2024-03-01 10:15:00+00', '{a,b}', '{1,2}'),
			(2, 11, 1, 5.00, 0, 0.5, NULL, false, '2024-03-02', '2024-03-02 08:00:00', '2024-03-02 08:00:00+00', '{}', NULL),
			(3, 10, 7, 120.00, NULL, NULL, 'it''s, "quoted"', NULL, NULL, NULL, NULL, NULL, '{3}')`,
		`CREATE TABLE shop.customers (customer_id integer, name text, since date)`,
		`INSERT INTO shop.customers VALUES (10, 'Ada', '2020-01-02'), (11, 'Grace', '2021-05-06')`,
		`CREATE TABLE public.events (event_id bigint, kind text)`,
		`INSERT INTO public.events VALUES (1, 'opened')`,
	},
	yaml: `schemas:
  shop:
    tables:
      orders: {format: parquet, location: orders.parquet}
      customers: {format: parquet, location: customers.parquet}
  public:
    tables:
      events: {format: parquet, location: events.parquet}
`,
}

// psqlMetaCase is one psql script; its output is compared.
type psqlMetaCase struct {
	name   string
	script string // COPYFILE is replaced by a file in the test's directory
}

var psqlMetaCases = []psqlMetaCase{
	{"list_databases", `\l`},
	{"list_schemas", `\dn`},
	{"list_tables", `\dt`},
	{"list_tables_schema", `\dt shop.*`},
	{"list_tables_pattern", `\dt *.cust*`},
	{"describe", `\d shop.orders`},
	{"describe_plus", `\d+ shop.orders`},
	{"describe_search_path", `\d events`},
	{"list_relations", `\d`},
	{"list_tables_plus", `\dt+ shop.*`},
	{"list_schemas_plus", `\dn+`},
	{"list_databases_plus", `\l+`},
	{"list_indexes", `\di`},
	{"list_types", `\dT`},
	{"list_views", `\dv`},
	{"list_functions", `\df`},
	{"expanded", "\\x\nselect * from shop.orders order by order_id;\n\\x off\nselect customer_id, name from shop.customers order by 1;"},
	{"copy", "\\copy (select order_id, note, price, ordered_at, tags from shop.orders order by order_id) to 'COPYFILE' csv header\n\\! cat COPYFILE"},
	{"timing", "\\timing on\nselect count(*) as n from shop.orders;\n\\timing off\nselect 1 as one;"},
	{"errors", "select * from shop.no_such_table;\nselect no_such_column from shop.orders;\nselect * from no_such_schema.orders;\nselec 1;\nselect 1 as still_working;"},
	{"errors_sqlstate", "\\set VERBOSITY sqlstate\nselect * from shop.no_such_table;\nselect no_such_column from shop.orders;\nselect 'a'::int;\nselec 1;\nselect 1 as still_working;"},
}

func TestPsqlMetaCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("starts lakegate and PostgreSQL")
	}
	psql := requireClient(t, "psql")
	lg := startPsqlMetaLakegate(t)
	lgTarget := psqlTarget{host: lg.host, port: lg.port}
	if *updatePsql && !postgresInstalled() {
		t.Fatal("-update rewrites the golden files from PostgreSQL's output, and no PostgreSQL server is installed")
	}

	var pgTarget *psqlTarget
	if postgresInstalled() {
		pg := startPostgres(t)
		setUpPostgresLake(t, pg)
		pgTarget = &psqlTarget{host: "127.0.0.1", port: fmt.Sprint(pg.Port)}
	}

	for _, c := range psqlMetaCases {
		t.Run(c.name, func(t *testing.T) {
			got := runPsqlScript(t, psql, lgTarget, c.script)
			golden := filepath.Join("testdata", "psql", c.name+".out")
			if pgTarget != nil {
				want := runPsqlScript(t, psql, *pgTarget, c.script)
				if *updatePsql {
					if err := os.WriteFile(golden, []byte(want), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				if got != want {
					t.Errorf("psql output differs from PostgreSQL's\n--- lakegate:\n%s\n--- PostgreSQL:\n%s", got, want)
					return
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update and a PostgreSQL server installed to create it)", err)
			}
			if got != string(want) {
				t.Errorf("psql output differs from %s\n--- lakegate:\n%s\n--- golden:\n%s", golden, got, want)
			}
		})
	}
}

// postgresInstalled reports whether a PostgreSQL server is installed where
// requirePostgresServer looks, or whether one is required.
func postgresInstalled() bool {
	_, err := pgcluster.ServerDir()
	return err == nil || os.Getenv("LAKEGATE_REQUIRE_CLIENTS") == "1"
}

// startPsqlMetaLakegate writes the psql tests' lake and serves it.
func startPsqlMetaLakegate(t *testing.T) *lakegate {
	t.Helper()
	lakeDir := t.TempDir()
	stmts := make([]string, len(psqlMetaLake.duckdb))
	for i, s := range psqlMetaLake.duckdb {
		stmts[i] = fmt.Sprintf(s, lakeDir)
	}
	writeLake(t, stmts...)
	return startLakegateCatalog(t, lakeDir, psqlMetaLake.yaml)
}

// connectPsqlMetaLakes serves the psql tests' lake from lakegate and from
// a PostgreSQL holding the same tables, and connects to both as user
// lakegate; the connections close when the test ends.
func connectPsqlMetaLakes(t *testing.T) (lg, pg *pgx.Conn) {
	t.Helper()
	server := startPsqlMetaLakegate(t)
	cluster := startPostgres(t)
	setUpPostgresLake(t, cluster)
	ctx := context.Background()
	for _, target := range []struct {
		url  string
		conn **pgx.Conn
	}{
		{server.url("lakegate"), &lg},
		{strings.Replace(cluster.URL("lakegate"), "postgres@", "lakegate@", 1), &pg},
	} {
		conn, err := pgx.Connect(ctx, target.url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close(context.Background()) })
		*target.conn = conn
	}
	return lg, pg
}

// setUpPostgresLake gives the cluster a database lakegate, owned by a
// superuser lakegate, holding the lake's tables, and drops the cluster's
// other databases.
func setUpPostgresLake(t *testing.T, pg *postgresServer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin := pg.connect(t)
	for _, s := range []string{
		`CREATE ROLE lakegate SUPERUSER LOGIN`,
		`CREATE DATABASE lakegate OWNER lakegate`,
	} {
		if _, err := admin.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	admin.Close(ctx)
	conn, err := pgx.Connect(ctx, strings.Replace(pg.URL("lakegate"), "postgres@", "lakegate@", 1))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	for _, s := range append(psqlMetaLake.postgres,
		`UPDATE pg_database SET datistemplate = false WHERE datname IN ('template0', 'template1')`,
		`DROP DATABASE template0`,
		`DROP DATABASE template1`,
		`DROP DATABASE postgres`,
	) {
		if _, err := conn.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// psqlTarget is a server psql connects to, as lakegate to database lakegate.
type psqlTarget struct{ host, port string }

// runPsqlScript runs script with psql against target, in psql's default
// (aligned) output, and returns its normalized stdout and stderr together,
// in the order psql wrote them.
func runPsqlScript(t *testing.T, psql string, target psqlTarget, script string) string {
	t.Helper()
	dir := t.TempDir()
	copyFile := filepath.Join(dir, "copy.csv")
	script = strings.ReplaceAll(script, "COPYFILE", copyFile)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, psql, "-X", "--no-psqlrc", "-h", target.host, "-p", target.port, "-U", "lakegate", "-d", "lakegate", "-P", "pager=off", "-f", "-")
	cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=10", "PGSSLMODE=disable", "PGTZ=UTC", "PGDATESTYLE=ISO, MDY", "PAGER=", "COLUMNS=200")
	cmd.Stdin = strings.NewReader(script + "\n")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("psql on port %s: %v\n%s", target.port, err, out.String())
	}
	return normalizePsql(strings.ReplaceAll(out.String(), copyFile, "COPYFILE"))
}

// timingLine is psql's \timing report, e.g. "Time: 0.512 ms" or
// "Time: 1503.2 ms (00:01.503)".
var timingLine = regexp.MustCompile(`(?m)^Time: [0-9.]+ ms( \([0-9:.]+\))?$`)

// normalizePsql replaces what legitimately differs between two servers
// in psql's output: how long a statement took, how big a relation or a
// database is (lakegate's live in files it does not own), and the
// suggestions lakegate adds to some errors as HINTs (PostgreSQL gives none
// for these cases).
func normalizePsql(out string) string {
	out = timingLine.ReplaceAllString(out, "Time: N ms")
	lines := strings.Split(out, "\n")
	kept := lines[:0]
	for _, line := range lines {
		if !strings.HasPrefix(line, "HINT:  ") {
			kept = append(kept, line)
		}
	}
	return strings.Join(maskColumns(kept, "Size"), "\n")
}

// separatorLine is the line under an aligned table's header.
var separatorLine = regexp.MustCompile(`^-+(\+-+)*$`)

// maskColumns replaces the values of the named columns of psql's aligned
// tables (psql's default format, one line per row) with "*", and lays the
// table out again as psql would: the columns as wide as their widest
// value or header, headers centered, the title centered above.
func maskColumns(lines []string, names ...string) []string {
	for i := 1; i < len(lines); i++ {
		if !separatorLine.MatchString(lines[i]) {
			continue
		}
		header := splitAligned(lines[i-1])
		masked := map[int]bool{}
		for c, h := range header {
			if slices.Contains(names, h) {
				masked[c] = true
			}
		}
		if len(masked) == 0 {
			continue
		}
		end := i + 1
		for end < len(lines) && strings.Contains(lines[end], "|") {
			end++
		}
		rows := [][]string{}
		for _, line := range lines[i+1 : end] {
			row := splitAligned(line)
			for c := range masked {
				if c < len(row) {
					row[c] = "*"
				}
			}
			rows = append(rows, row)
		}
		widths := make([]int, len(header))
		for c, h := range header {
			widths[c] = len(h)
			for _, row := range rows {
				if c < len(row) {
					widths[c] = max(widths[c], len(row[c]))
				}
			}
		}
		var head, sep []string
		for c, h := range header {
			left := (widths[c] - len(h)) / 2
			head = append(head, strings.Repeat(" ", left)+h+strings.Repeat(" ", widths[c]-len(h)-left))
			sep = append(sep, strings.Repeat("-", widths[c]+2))
		}
		lines[i-1] = " " + strings.Join(head, " | ") + " "
		lines[i] = strings.Join(sep, "+")
		for r, row := range rows {
			cells := make([]string, len(row))
			for c, v := range row {
				cells[c] = v + strings.Repeat(" ", widths[c]-len(v))
			}
			// psql pads the last column too, except on a row's last line.
			lines[i+1+r] = " " + strings.Join(cells, " | ") + " "
		}
		if i >= 2 && strings.TrimSpace(lines[i-2]) != "" && !strings.Contains(lines[i-2], "|") {
			title := strings.TrimSpace(lines[i-2])
			lines[i-2] = strings.Repeat(" ", max(0, (len(lines[i])-len(title))/2)) + title
		}
	}
	return lines
}

// splitAligned splits a line of an aligned table into its trimmed cells.
func splitAligned(line string) []string {
	cells := strings.Split(line, "|")
	for c := range cells {
		cells[c] = strings.TrimSpace(cells[c])
	}
	return cells
}
