package test

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/jackc/pgx/v5"

	"github.com/lakegate/lakegate/auth"
	"github.com/lakegate/lakegate/catalog"
	"github.com/lakegate/lakegate/engine"
	"github.com/lakegate/lakegate/server"
	"github.com/lakegate/lakegate/test/versitygw"
)

// startLakegateCatalog serves the catalog declared by yamlText (with
// locations relative to dir) on a random loopback port.
func startLakegateCatalog(t testing.TB, dir, yamlText string) *lakegate {
	t.Helper()
	cfg, err := catalog.ParseConfig(filepath.Join(dir, "lake.yaml"), []byte(yamlText))
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	cat, err := catalog.Open(context.Background(), cfg, catalog.Options{CacheDirectory: filepath.Join(dir, "cache"), Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.Open(context.Background(), engine.Config{Threads: 2, Lake: cat, AllowedDirectories: cat.LocalDirectories(), Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	srv := &server.Server{Engine: eng, Auth: auth.TrustLoopback("lakegate"), Logger: logger}
	return serve(t, srv, cat.Close)
}

// writeLake runs DuckDB statements that write Parquet test data.
func writeLake(t testing.TB, stmts ...string) {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// upload copies every file under dir to bucket, under prefix.
func upload(t testing.TB, s3 *versitygw.Server, bucket, prefix, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		s3.PutObject(t, bucket, prefix+filepath.ToSlash(rel), body)
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func queryString(t testing.TB, conn *pgx.Conn, sql string, args ...any) string {
	t.Helper()
	var out string
	if err := conn.QueryRow(context.Background(), sql, args...).Scan(&out); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out
}

// explainFiles returns the "Lake Scan" line EXPLAIN gives for a query.
func explainFiles(t testing.TB, conn *pgx.Conn, query string, args ...any) string {
	t.Helper()
	rows, err := conn.Query(context.Background(), "EXPLAIN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var line string
		rows.Scan(&line)
		if strings.HasPrefix(line, "Lake Scan") {
			return line
		}
	}
	t.Fatalf("EXPLAIN %s has no Lake Scan line", query)
	return ""
}

func TestLakeOnS3(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an S3 server and uploads ~1,100 objects")
	}
	s3 := versitygw.Start(t)
	s3.Env(t)
	s3.CreateBucket(t, "lake")
	data := t.TempDir()
	writeLake(t,
		fmt.Sprintf(`COPY (SELECT i AS id, DATE '2024-01-01' + (i %% 10)::INT AS day, i * 0.5 AS amount
			FROM range(1000) r(i)) TO '%s/sales' (FORMAT parquet, PARTITION_BY (day))`, data),
		fmt.Sprintf(`COPY (SELECT i AS id, i %% 1050 AS part FROM range(2100) r(i)) TO '%s/many' (FORMAT parquet, PARTITION_BY (part))`, data),
		fmt.Sprintf(`COPY (SELECT i AS id, i %% 10 AS k FROM range(100) r(i)) TO '%s/cold' (FORMAT parquet, PARTITION_BY (k))`, data),
		fmt.Sprintf(`COPY (SELECT 'local' AS origin) TO '%s/local.parquet'`, data))
	upload(t, s3, "lake", "cold/", filepath.Join(data, "cold"))
	upload(t, s3, "lake", "sales/", filepath.Join(data, "sales"))
	if n := upload(t, s3, "lake", "many/", filepath.Join(data, "many")); n != 1050 {
		t.Fatalf("uploaded %d objects", n)
	}
	dir := t.TempDir()
	lg := startLakegateCatalog(t, dir, fmt.Sprintf(`
s3: {endpoint: %q, path_style: true, region: %q}
schemas:
  s3:
    tables:
      sales: {format: parquet, location: "s3://lake/sales/", partitioning: hive}
      many: {format: parquet, location: "s3://lake/many", partitioning: hive}
      cold: {format: parquet, location: "s3://lake/cold/", partitioning: hive}
  disk:
    tables:
      local: {format: parquet, location: %q}
`, s3.Endpoint, s3.Region, filepath.Join(data, "local.parquet")))
	conn := lg.connect(t)
	ctx := context.Background()

	t.Run("hive on S3 with pruning", func(t *testing.T) {
		if got := queryString(t, conn, "SELECT count(*)::text || ' ' || sum(amount)::text FROM s3.sales"); got != "1000 249750.0" {
			t.Errorf("whole table: %s", got)
		}
		q := "SELECT count(*)::text FROM s3.sales WHERE day = $1"
		if got := queryString(t, conn, q, "2024-01-03"); got != "100" {
			t.Errorf("one day: %s", got)
		}
		if line := explainFiles(t, conn, "SELECT * FROM s3.sales WHERE day = $1", "2024-01-03"); !strings.Contains(line, "1 of 10 files") {
			t.Errorf("EXPLAIN: %s", line)
		}
	})

	t.Run("listing pagination", func(t *testing.T) {
		if got := queryString(t, conn, "SELECT count(*)::text || ' ' || count(DISTINCT part)::text FROM s3.many WHERE part >= 1000"); got != "100 50" {
			t.Errorf("many: %s", got)
		}
		if line := explainFiles(t, conn, "SELECT * FROM s3.many"); !strings.Contains(line, "1050 of 1050 files") {
			t.Errorf("EXPLAIN: %s", line)
		}
	})

	t.Run("object replaced between queries", func(t *testing.T) {
		key := "sales/day=2024-01-05/data_0.parquet"
		replacement := filepath.Join(t.TempDir(), "r.parquet")
		writeLake(t, fmt.Sprintf(`COPY (SELECT 1 AS id, 42.0 AS amount) TO '%s' (FORMAT parquet)`, replacement))
		body, _ := os.ReadFile(replacement)
		s3.PutObject(t, "lake", key, body)
		// The cached copy is of the old version, which the index still
		// names: a refresh picks up the new one.
		if _, err := conn.Exec(ctx, "CALL lakegate.refresh('s3.sales')"); err != nil {
			t.Fatal(err)
		}
		if got := queryString(t, conn, "SELECT count(*)::text || ' ' || sum(amount)::text FROM s3.sales WHERE day = '2024-01-05'"); got != "1 42.0" {
			t.Errorf("after replacing the object: %s", got)
		}
		// An object replaced before it was ever read, without a refresh:
		// the download of the version the index names fails, the table
		// reloads, and the query sees the new object.
		writeLake(t, fmt.Sprintf(`COPY (SELECT 1000 AS id UNION ALL SELECT 1001) TO '%s' (FORMAT parquet)`, replacement))
		body, _ = os.ReadFile(replacement)
		s3.PutObject(t, "lake", "cold/k=1/data_0.parquet", body)
		if got := queryString(t, conn, "SELECT count(*)::text || ' ' || min(id)::text FROM s3.cold WHERE k = 1"); got != "2 1000" {
			t.Errorf("after replacing an unread object: %s", got)
		}
	})

	t.Run("S3 stopped", func(t *testing.T) {
		s3.Stop()
		start := time.Now()
		_, err := conn.Exec(ctx, "SELECT * FROM s3.cold WHERE k = 2")
		if err == nil || !strings.Contains(err.Error(), s3.Endpoint) {
			t.Errorf("query with S3 down: %v", err)
		}
		if d := time.Since(start); d > 20*time.Second {
			t.Errorf("the failure took %v", d)
		}
		if got := queryString(t, conn, "SELECT origin FROM disk.local"); got != "local" {
			t.Errorf("local table while S3 is down: %s", got)
		}
		s3.Restart(t)
		if got := queryString(t, conn, "SELECT count(*)::text FROM s3.cold WHERE k = 2"); got != "10" {
			t.Errorf("after restart: %s", got)
		}
	})
}
