package test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// escapeAttempt is one way a user might try to leave the sandbox or get
// around grants, row filters and masks, with the SQLSTATE lakegate must
// answer. {lake}, {outside} and {link} are replaced by the lake directory,
// a directory outside the lake holding secret.csv, and a symlink inside
// the lake pointing at it.
type escapeAttempt struct {
	sql  string
	code string
	why  string
}

var escapeAttempts = []escapeAttempt{
	// Reading files outside the lake.
	{"SELECT * FROM read_csv('/etc/passwd')", "42501", "table functions that read files are refused before DuckDB runs them"},
	{"SELECT * FROM read_csv_auto('{outside}/secret.csv')", "42501", "every reader, not only the common ones"},
	{"SELECT * FROM read_parquet('/etc/passwd')", "42501", "parquet reader"},
	{"SELECT * FROM read_json('/etc/passwd')", "42501", "json reader"},
	{"SELECT * FROM read_ndjson_objects('/etc/passwd')", "42501", "json objects reader"},
	{"SELECT * FROM read_text('/etc/passwd')", "42501", "read_text reads any file whole"},
	{"SELECT * FROM read_blob('/etc/passwd')", "42501", "read_blob reads any file whole"},
	{"SELECT * FROM glob('/etc/*')", "42501", "glob lists directories"},
	{"SELECT * FROM sniff_csv('/etc/passwd')", "42501", "sniff_csv shows a file's first lines"},
	{"SELECT * FROM '/etc/passwd.csv'", "42501", "a replacement scan (a path as a table name) reads files in DuckDB-only syntax"},
	{"FROM '{outside}/secret.csv'", "42501", "FROM-first replacement scan"},
	{"SELECT * FROM '{lake}/../outside/secret.csv'", "42501", "path with .. out of the lake"},
	{"SELECT * FROM '{outside}/secret@1.csv'", "42501", "a path that looks like a table snapshot (name@version)"},
	{"SELECT * FROM read_csv('{lake}/../outside/secret.csv')", "42501", ".. inside a reader"},
	{"SELECT * FROM read_csv('{link}')", "42501", "a symlink in the lake pointing outside"},
	{"SELECT * FROM '{link}'", "42501", "the symlink by replacement scan"},
	{"SELECT * FROM read_csv('file:///etc/passwd')", "42501", "file:// URL"},
	{"SELECT * FROM 'file:///etc/passwd.csv'", "42501", "file:// URL by replacement scan"},
	{"SELECT * FROM read_csv('https://example.com/x.csv')", "42501", "network reads"},

	// Reading the lake's own files, which would skip grants, filters and masks.
	{"SELECT * FROM read_parquet('{lake}/sales/part-0.parquet')", "42501", "read_parquet of a lake file skips the row filter"},
	{"SELECT * FROM read_parquet(['{lake}/salaries/part-0.parquet'])", "42501", "a list of lake files, of an ungranted table"},
	{"SELECT * FROM '{lake}/customers/part-0.parquet'", "42501", "replacement scan of a lake file skips the masks"},
	{"FROM '{lake}/sales/*.parquet'", "42501", "replacement scan with a glob"},
	{"SELECT * FROM parquet_metadata('{lake}/salaries/part-0.parquet')", "42501", "parquet_metadata shows min/max statistics"},
	{"SELECT * FROM parquet_schema('{lake}/salaries/part-0.parquet')", "42501", "parquet_schema shows an ungranted table's columns"},
	{"SELECT * FROM parquet_file_metadata('{lake}/sales/part-0.parquet')", "42501", "parquet_file_metadata"},
	{"SELECT * FROM parquet_kv_metadata('{lake}/sales/part-0.parquet')", "42501", "parquet_kv_metadata"},
	{"SELECT * FROM glob('{lake}/**')", "42501", "listing the lake shows ungranted tables' files"},

	// lakegate's own variables: the file lists and the policy ids.
	{"SELECT getvariable('lakegate_files_0')", "42501", "the file list names the lake's paths"},
	{"SELECT * FROM read_parquet(getvariable('lakegate_files_3'))", "42501", "reading a view's files through its variable"},
	{"SELECT getvariable('lakegate_hidden')", "42501", "the list of hidden tables"},
	{"SET VARIABLE lakegate_policy_0 = 0", "42501", "setting one's policy to unrestricted"},
	{"RESET VARIABLE lakegate_policy_0", "42501", "resetting a policy variable"},
	{"SELECT 1; SET VARIABLE lakegate_policy_0 = 0", "42501", "a SET VARIABLE smuggled after a query in one simple Query"},
	{"PREPARE sv AS SET VARIABLE lakegate_policy_0 = 0", "42601", "SET VARIABLE inside PREPARE: neither grammar prepares a SET"},
	{"SELECT set_config('lakegate_policy_0', '0', false)", "42704", "set_config knows PostgreSQL parameters only, not DuckDB variables"},
	{"SELECT set_config('allowed_directories', '/', false)", "42704", "nor DuckDB settings"},

	// SQL that runs other SQL, out of sight of any check of the outer text.
	{"SELECT * FROM query('SELECT * FROM hr.salaries')", "42501", "query() runs a string as SQL"},
	{"SELECT * FROM query_table('hr.salaries')", "42501", "query_table() reads a table named by a string"},
	{"SELECT * FROM query_table(['demo.sales'])", "42501", "query_table() of a granted table would still dodge the checks"},
	{"SELECT * FROM json_execute_serialized_sql(json_serialize_sql('SELECT * FROM hr.salaries'))", "42501", "running serialized SQL"},

	// DuckDB's own catalog and settings: view definitions, paths, secrets.
	{"SELECT * FROM duckdb_views()", "42501", "view definitions hold policies and variable names"},
	{"SELECT * FROM duckdb_settings()", "42501", "settings hold allowed_directories and temp_directory paths"},
	{"SELECT * FROM duckdb_secrets()", "42501", "secrets"},
	{"SELECT * FROM duckdb_tables", "42501", "DuckDB's system views without parentheses"},
	{"SELECT * FROM duckdb_columns()", "42501", "DuckDB's columns of every table, granted or not"},
	{"SELECT * FROM duckdb_extensions()", "42501", "extension paths"},
	{"SELECT * FROM system.main.duckdb_databases", "42501", "another catalog"},
	{"FROM pg_catalog.pg_views", "42501", "DuckDB's own pg_views (DuckDB-only syntax keeps the name) has view definitions"},
	{"SELECT which_secret('s3://bucket/x', 's3')", "42501", "which_secret names secrets"},
	{"SELECT * FROM lakegate_pg_catalog.lakegate_descriptions", "42501", "the compatibility layer's helper table lists every table, granted or not"},
	{"SELECT * FROM lakegate_relations", "42501", "its helper views are read through pg_class and information_schema only"},
	{"SELECT current_setting('allowed_directories')", "42501", "DuckDB settings are not PostgreSQL parameters: the call reaches DuckDB, refused"},
	{"SELECT current_setting('s3_secret_access_key')", "42501", "secret settings are not parameters either"},
	{"FROM (SELECT current_setting('temp_directory'))", "42501", "current_setting in DuckDB-only syntax reaches DuckDB: refused"},

	// Writing.
	{"COPY (SELECT 1) TO '/tmp/lakegate-escape.csv'", "42501", "COPY to a file"},
	{"COPY demo.sales TO '{lake}/sales/evil.parquet' (FORMAT parquet)", "42501", "COPY into the lake"},
	{"EXPORT DATABASE '{outside}/export'", "25006", "EXPORT DATABASE writes files (and DuckDB creates the directory when it prepares it: refused before that)"},
	{"EXPORT DATABASE '{lake}/export'", "25006", "even inside the lake, where the sandbox would let it write"},
	{"ATTACH '{outside}/new.duckdb' AS evil", "42501", "ATTACH creates a database file"},
	{"ATTACH ':memory:' AS evil", "42501", "even an in-memory one"},
	{"CREATE TABLE t AS SELECT 1", "25006", "CREATE TABLE"},
	{"CREATE TEMP TABLE t (a int)", "25006", "temporary tables too"},
	{"CREATE VIEW demo.v AS SELECT * FROM read_csv('/etc/passwd')", "25006", "CREATE VIEW"},
	{"CREATE OR REPLACE VIEW demo.sales AS SELECT * FROM read_parquet('{lake}/sales/part-0.parquet')", "25006", "replacing a lake view without its policy"},
	{"CREATE MACRO m(x) AS x + 1", "25006", "CREATE MACRO"},
	{"CREATE SECRET s (TYPE s3, KEY_ID 'a', SECRET 'b')", "25006", "CREATE SECRET"},
	{"CREATE SCHEMA evil", "25006", "CREATE SCHEMA"},
	{"DROP VIEW demo.sales", "25006", "dropping a view"},
	{"INSERT INTO demo.sales VALUES (1, 'EU', 1, 1)", "25006", "INSERT"},
	{"CHECKPOINT", "25006", "CHECKPOINT"},

	// Extensions.
	{"INSTALL httpfs", "42501", "INSTALL"},
	{"LOAD httpfs", "42501", "LOAD"},
	{"FORCE INSTALL httpfs FROM 'http://evil'", "42501", "INSTALL from a repository"},

	// DuckDB settings.
	{"SET enable_external_access = true", "42704", "DuckDB settings are not PostgreSQL parameters"},
	{"SET GLOBAL lock_configuration = false", "42501", "SET GLOBAL (DuckDB-only syntax)"},
	{"SET allowed_directories = ['/']", "42501", "widening the sandbox (DuckDB-only value syntax)"},
	{"RESET GLOBAL allowed_directories", "42501", "RESET GLOBAL"},
	{"PRAGMA enable_profiling", "42501", "PRAGMA"},
	{"PRAGMA disable_checkpoint_on_shutdown", "42501", "PRAGMA"},
	{"CALL pragma_database_size()", "42883", "CALL knows no DuckDB function: PostgreSQL's no such procedure"},
	{"USE system.main", "42501", "switching the default catalog"},
	{"DETACH memory", "42501", "DETACH"},

	// Statements hidden in comments or DuckDB-only syntax.
	{"SELECT 1 --\n; INSTALL httpfs", "42501", "a statement after a line comment"},
	{"SELECT 1 /* ; */ ; ATTACH ':memory:' AS x", "42501", "a semicolon inside a comment does not hide the next statement"},
	// (Nested comments, "SELECT 1 /* /* */ ; ATTACH ... -- */", hide
	// nothing: DuckDB's parser descends from PostgreSQL's and nests them
	// too, so both see one SELECT 1.)
	{"SELECT * FROM (FROM read_text('/etc/passwd'))", "42501", "a reader nested in DuckDB-only syntax"},
	{"SELECT (SELECT content FROM read_text('/etc/passwd'))", "42501", "a reader in a scalar subquery"},
	{"SELECT * FROM demo.sales, LATERAL (SELECT * FROM read_text('/etc/hosts'))", "42501", "a reader in a LATERAL join"},
	{"VALUES ((SELECT content FROM read_text('/etc/passwd')))", "42501", "a reader in VALUES"},
	{"WITH x AS (SELECT * FROM read_text('/etc/passwd')) SELECT * FROM x", "42501", "a reader in a CTE"},
	{"WITH \"{lake}/sales/part-0.parquet\" AS (SELECT 1) FROM '{lake}/customers/part-0.parquet'", "42501", "a CTE named like a path does not make other paths pass"},
	{"SELECT list_transform([1], x -> (SELECT count(*) FROM read_text('/etc/passwd')))", "42501", "a reader inside a lambda"},
	{"SELECT content::ENUM('a', 'b') FROM read_text('/etc/passwd')", "42501", "DuckDB cannot serialize an ENUM cast: the check reads the text with VARCHAR instead, and still sees the reader"},
	{"SELECT 'a'::ENUM((SELECT content FROM read_text('/etc/passwd')))", "42601", "an ENUM parameter that is not a constant: DuckDB's parser refuses it (and the check would, unable to read it)"},
	{"PIVOT demo.sales ON region USING count(*)", "0A000", "PIVOT cannot be serialized, so not checked, and preparing it creates a type: refused unprepared"},
	{"SUMMARIZE hr.salaries", "0A000", "SUMMARIZE is refused whatever it summarizes"},
	{"SUMMARIZE demo.sales", "0A000", "SUMMARIZE cannot be checked: refused"},
	{"EXPLAIN ANALYZE SELECT * FROM read_csv('/etc/passwd')", "42501", "EXPLAIN ANALYZE runs the query: checked"},
	{"EXPLAIN (ANALYZE, FORMAT text) FROM '{lake}/sales/part-0.parquet'", "42501", "EXPLAIN with options of a replacement scan"},
	{"DECLARE c CURSOR WITH HOLD FOR SELECT * FROM read_csv('/etc/passwd')", "42501", "a cursor over a reader"},
	{"COPY (SELECT * FROM read_parquet('{lake}/customers/part-0.parquet')) TO STDOUT", "42501", "COPY TO STDOUT of a lake file would skip the masks"},
	{"COPY (SELECT * FROM '{lake}/customers/part-0.parquet') TO STDOUT", "25006", "a COPY pg_query cannot parse is refused without preparing it"},
	{"PREPARE p AS SELECT * FROM read_parquet('{lake}/sales/part-0.parquet'); EXECUTE p", "42501", "SQL-level PREPARE of a reader"},

	// Grants: every way to name an ungranted table.
	{"SELECT * FROM hr.salaries", "42501", "ungranted table"},
	{"SELECT * FROM \"HR\".\"SALARIES\"", "42501", "quoted upper case resolves the same in DuckDB"},
	{"SELECT * FROM memory.hr.salaries", "42501", "catalog-qualified"},
	{"TABLE hr.salaries", "42501", "TABLE syntax"},
	{"SELECT * FROM range((SELECT max(salary) FROM hr.salaries))", "42501", "an ungranted table in a table function's argument"},
	{"SELECT * FROM demo.sales WHERE amount IN (FROM hr.salaries SELECT salary)", "42501", "in a DuckDB-only subquery"},
	{"COPY hr.salaries TO STDOUT", "42501", "COPY of an ungranted table"},
	{"CALL lakegate.refresh('hr.salaries')", "42501", "refreshing an ungranted table"},
	{"COPY (SELECT * FROM hr.salaries) TO STDOUT", "42501", "COPY of a query over an ungranted table"},
	{"DECLARE c CURSOR WITH HOLD FOR SELECT * FROM hr.salaries", "42501", "a cursor over an ungranted table"},
	{"PREPARE p2 AS SELECT * FROM hr.salaries", "42501", "SQL-level PREPARE of an ungranted table (checked when PREPARE runs)"},
	{"EXPLAIN SELECT * FROM hr.salaries", "42501", "EXPLAIN of an ungranted table (its plan names its files)"},
}

// expand fills the placeholders of an attempt.
func (a escapeAttempt) expand(lake, outside, link string) string {
	return strings.NewReplacer("{lake}", lake, "{outside}", outside, "{link}", link).Replace(a.sql)
}

func TestSandboxEscapes(t *testing.T) {
	root := t.TempDir()
	lakeDir := filepath.Join(root, "lake")
	outside := filepath.Join(root, "outside")
	for _, d := range []string{lakeDir, outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(outside, "secret.csv"), []byte("password\nhunter2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	writeAccessLake(t, lakeDir)
	link := filepath.Join(lakeDir, "sales", "link.csv")
	if err := os.Symlink(filepath.Join(outside, "secret.csv"), link); err != nil {
		t.Fatal(err)
	}
	lg := startLakegateAccess(t, lakeDir, accessCatalog, accessUsers...)
	ctx := context.Background()
	for _, mode := range []struct {
		name string
		mode pgx.QueryExecMode
	}{{"extended", pgx.QueryExecModeCacheStatement}, {"simple", pgx.QueryExecModeSimpleProtocol}} {
		t.Run(mode.name, func(t *testing.T) {
			cfg, err := pgx.ParseConfig(lg.url("alice"))
			if err != nil {
				t.Fatal(err)
			}
			cfg.DefaultQueryExecMode = mode.mode
			conn, err := pgx.ConnectConfig(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			for _, a := range escapeAttempts {
				sql := a.expand(lakeDir, outside, link)
				var err error
				if strings.Contains(sql, ";") || strings.HasPrefix(sql, "DECLARE") {
					if mode.mode != pgx.QueryExecModeSimpleProtocol {
						continue // several statements: simple protocol only
					}
					_, err = conn.PgConn().Exec(ctx, sql).ReadAll()
				} else {
					_, err = queryLines(t, conn, sql)
				}
				var pe *pgconn.PgError
				if !errors.As(err, &pe) {
					t.Errorf("%s (%s): not refused: %v", sql, a.why, err)
				} else if pe.Code != a.code {
					t.Errorf("%s (%s): %s %s, want %s", sql, a.why, pe.Code, pe.Message, a.code)
				} else if pe.Message == "" || strings.Contains(pe.Message, "hunter2") {
					t.Errorf("%s: message %q", sql, pe.Message)
				}
				// The session and the policy survive every attempt.
				if got := queryString(t, conn, "SELECT count(*)::text FROM demo.sales"); got != euSalesCount {
					t.Fatalf("after %s: alice sees %s sales, want %s", sql, got, euSalesCount)
				}
			}
		})
	}
	// Nothing was written.
	for _, p := range []string{"/tmp/lakegate-escape.csv", filepath.Join(outside, "new.duckdb"), filepath.Join(outside, "export"),
		filepath.Join(lakeDir, "export"), filepath.Join(lakeDir, "sales", "evil.parquet")} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s was written", p)
		}
	}
}

// The compatibility layer shows no view definitions: they would reveal
// other users' policies and lakegate's variables.
func TestSandboxCatalogShowsNoDefinitions(t *testing.T) {
	lg, _ := startAccessLake(t, "")
	alice := lg.connectAs(t, "alice")
	for _, q := range []string{
		"SELECT coalesce(definition, '') FROM pg_views",
		"SELECT coalesce(view_definition, '') FROM information_schema.views",
		"SELECT coalesce(pg_get_viewdef(c.oid), '') FROM pg_class c",
		"SELECT coalesce(setting, '') FROM pg_settings",
	} {
		lines, err := queryLines(t, alice, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		all := strings.Join(lines, "\n")
		for _, leak := range []string{"getvariable", "lakegate_files", "lakegate_policy", "region = 'EU'", "/lake", os.TempDir()} {
			if strings.Contains(all, leak) {
				t.Errorf("%s shows %q", q, leak)
			}
		}
	}
}
