package demolake

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lakegate/lakegate/catalog"
)

// syncBuffer collects log output from Ensure.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func bufferLogger() (*slog.Logger, *syncBuffer) {
	var buf syncBuffer
	return slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})), &buf
}

// skipGeneration skips tests that generate a whole lake (a few seconds
// each) under -short.
func skipGeneration(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("generates the demo lake; skipped with -short")
	}
}

func openDuckDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func queryInt(t *testing.T, db *sql.DB, query string) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// hashTree returns the SHA-256 of every file under root by relative path.
func hashTree(t *testing.T, root string) map[string]string {
	t.Helper()
	sums := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		sums[filepath.ToSlash(rel)] = hex.EncodeToString(h.Sum(nil))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sums
}

// siblings returns the names of the entries of dir's parent other than
// dir itself: temporary or replaced lakes left behind.
func siblings(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.Name() != filepath.Base(dir) {
			names = append(names, e.Name())
		}
	}
	return names
}

func TestEnsure(t *testing.T) {
	skipGeneration(t)
	ctx := context.Background()
	// A quote and a space in the path exercise the SQL quoting of both
	// the COPY targets and the tables' read_parquet paths.
	dir := filepath.Join(t.TempDir(), "lake's data", "demo")
	logger, logs := bufferLogger()

	start := time.Now()
	catalogFile, err := Ensure(ctx, dir, logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("generated in %v", time.Since(start))
	if !strings.Contains(logs.String(), "generating demo lake") || !strings.Contains(logs.String(), "demo lake ready") {
		t.Errorf("first Ensure did not log the generation:\n%s", logs)
	}
	if names := siblings(t, dir); len(names) != 0 {
		t.Errorf("generation left %v beside the lake", names)
	}

	db := openDuckDB(t)
	var names []string
	var returns *catalog.Table
	for _, tb := range openCatalog(t, catalogFile) {
		if tb.Schema != "demo" || tb.Description == "" {
			t.Errorf("table %s.%s: want schema demo and a description", tb.Schema, tb.Name)
		}
		names = append(names, tb.Name)
		createView(t, db, tb)
		if tb.Name == returnsDir {
			returns = tb
		}
	}
	if want := []string{"products", "returns", "sales", "stores"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("tables = %v, want %v", names, want)
	}
	if returns.Format != catalog.FormatIceberg {
		t.Errorf("demo.returns is %s, want iceberg", returns.Format)
	}

	t.Run("row counts", func(t *testing.T) {
		for table, want := range map[string]int64{"sales": salesRows, "stores": storeCount, "products": productCount} {
			if got := queryInt(t, db, "SELECT count(*) FROM "+table); got != want {
				t.Errorf("%s has %d rows, want %d", table, got, want)
			}
		}
	})

	t.Run("columns", func(t *testing.T) {
		want := map[string][]string{
			"sales": {
				"sale_id BIGINT", "sold_at TIMESTAMP", "settled_at TIMESTAMP WITH TIME ZONE",
				"store_id INTEGER", "product_id INTEGER", "customer_id BIGINT", "quantity SMALLINT",
				"unit_price DECIMAL(10,2)", "discount DOUBLE", "total DECIMAL(12,2)", "channel VARCHAR",
				"is_return BOOLEAN", "note VARCHAR", "sale_date DATE",
			},
			"stores":   {"store_id INTEGER", "name VARCHAR", "city VARCHAR", "region VARCHAR", "opened_on DATE"},
			"products": {"product_id INTEGER", "name VARCHAR", "category VARCHAR", "list_price DECIMAL(10,2)"},
			"returns": {
				"return_id BIGINT", "sale_id BIGINT", "returned_at TIMESTAMP", "store_id INTEGER", "product_id INTEGER",
				"quantity INTEGER", "refund DECIMAL(12,2)", "reason VARCHAR", "restocked BOOLEAN",
			},
		}
		for table, cols := range want {
			rows, err := db.Query("SELECT column_name || ' ' || data_type FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position", table)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for rows.Next() {
				var c string
				if err := rows.Scan(&c); err != nil {
					t.Fatal(err)
				}
				got = append(got, c)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, cols) {
				t.Errorf("%s columns:\n got %q\nwant %q", table, got, cols)
			}
		}
	})

	t.Run("partitions", func(t *testing.T) {
		entries, err := os.ReadDir(filepath.Join(dir, "sales"))
		if err != nil {
			t.Fatal(err)
		}
		days := map[string]bool{}
		for _, e := range entries {
			day, ok := strings.CutPrefix(e.Name(), "sale_date=")
			if !e.IsDir() || !ok {
				t.Errorf("unexpected entry %s in sales/", e.Name())
				continue
			}
			if _, err := time.Parse(time.DateOnly, day); err != nil || !strings.HasPrefix(day, "2024-") {
				t.Errorf("partition %s is not a day of 2024", e.Name())
			}
			days[day] = true
		}
		if len(days) != dayCount {
			t.Errorf("%d partition directories, want %d", len(days), dayCount)
		}
		// Each partition holds only its own day, and every day has sales.
		if n := queryInt(t, db, "SELECT count(DISTINCT sale_date) FROM sales"); n != dayCount {
			t.Errorf("%d distinct sale_date values, want %d", n, dayCount)
		}
		if n := queryInt(t, db, "SELECT count(*) FROM sales WHERE sold_at::DATE <> sale_date"); n != 0 {
			t.Errorf("%d sales sold on another day than their partition", n)
		}
		var first, last time.Time
		if err := db.QueryRow("SELECT min(sale_date), max(sale_date) FROM sales").Scan(&first, &last); err != nil {
			t.Fatal(err)
		}
		if first.Format(time.DateOnly) != "2024-01-01" || last.Format(time.DateOnly) != "2024-12-31" {
			t.Errorf("sale_date spans %s..%s, want the whole of 2024", first.Format(time.DateOnly), last.Format(time.DateOnly))
		}
	})

	t.Run("values", func(t *testing.T) {
		checks := []struct {
			name  string
			query string // counts violations
		}{
			{"sale_id is 1..n and unique", "SELECT " + strconv.Itoa(salesRows) + " - count(DISTINCT sale_id) + (max(sale_id) <> " + strconv.Itoa(salesRows) + ")::INT + (min(sale_id) <> 1)::INT FROM sales"},
			{"every store exists", "SELECT count(*) FROM sales s ANTI JOIN stores USING (store_id)"},
			{"every product exists", "SELECT count(*) FROM sales s ANTI JOIN products USING (product_id)"},
			{"unit price near list price", "SELECT count(*) FROM sales JOIN products USING (product_id) WHERE unit_price NOT IN (list_price, round(list_price * 0.9, 2))"},
			// Discounts are whole percentages, applied in exact decimal arithmetic.
			{"total is quantity × price less discount", "SELECT count(*) FROM sales WHERE total <> round(quantity * unit_price * (1 - coalesce(discount, 0)::DECIMAL(4, 2)), 2)"},
			{"returns have negative quantities", "SELECT count(*) FROM sales WHERE is_return <> (quantity < 0) OR quantity = 0"},
			{"settled after sold", "SELECT count(*) FROM sales WHERE settled_at < sold_at::TIMESTAMPTZ"},
			{"known channels", "SELECT count(*) FROM sales WHERE channel NOT IN ('store', 'web', 'phone', 'partner')"},
			{"discount in (0, 1)", "SELECT count(*) FROM sales WHERE discount <= 0 OR discount >= 1"},
			{"some anonymous customers", "SELECT (count(*) FILTER (WHERE customer_id IS NULL) NOT BETWEEN 1 AND count(*) / 2)::INT FROM sales"},
			{"some NULL discounts", "SELECT (count(*) FILTER (WHERE discount IS NULL) NOT BETWEEN 1 AND count(*) - 1)::INT FROM sales"},
			{"notes mostly NULL", "SELECT (count(note) NOT BETWEEN 1 AND count(*) / 10)::INT FROM sales"},
			{"all channels present", "SELECT 4 - count(DISTINCT channel) FROM sales"},
			{"unique product names", "SELECT count(*) - count(DISTINCT name) FROM products"},
			{"ten categories", "SELECT 10 - count(DISTINCT category) FROM products"},
			{"stores opened before 2024", "SELECT count(*) FROM stores WHERE opened_on >= DATE '2024-01-01'"},
		}
		for _, c := range checks {
			if n := queryInt(t, db, c.query); n != 0 {
				t.Errorf("%s: %d violations\n%s", c.name, n, c.query)
			}
		}
	})

	// Its row count is checked there, against the sales it derives from.
	t.Run("returns", func(t *testing.T) { checkReturns(t, db, dir, returns) })

	t.Run("idempotent", func(t *testing.T) {
		probe := filepath.Join(dir, "sales", "sale_date=2024-06-15", "part-0.parquet")
		before, err := os.Stat(probe)
		if err != nil {
			t.Fatal(err)
		}
		logger, logs := bufferLogger()
		again, err := Ensure(ctx, dir, logger)
		if err != nil {
			t.Fatal(err)
		}
		if again != catalogFile {
			t.Errorf("second Ensure returned %s, first %s", again, catalogFile)
		}
		if strings.Contains(logs.String(), "generating") {
			t.Errorf("second Ensure regenerated the lake:\n%s", logs)
		}
		after, err := os.Stat(probe)
		if err != nil {
			t.Fatal(err)
		}
		if !os.SameFile(before, after) || !before.ModTime().Equal(after.ModTime()) {
			t.Errorf("%s was rewritten by the second Ensure", probe)
		}
	})

	t.Run("deterministic", func(t *testing.T) {
		// A different local time zone must not change a byte: the
		// TIMESTAMPTZ column is computed in UTC whatever the host's zone.
		t.Setenv("TZ", "America/New_York")
		other := filepath.Join(t.TempDir(), "demo")
		if _, err := Ensure(ctx, other, slog.New(slog.DiscardHandler)); err != nil {
			t.Fatal(err)
		}
		first, second := hashTree(t, dir), hashTree(t, other)
		// The Parquet tables are compared byte for byte, the Iceberg
		// table by its rows (see compareReturns).
		maps.DeleteFunc(first, func(path, _ string) bool { return isReturnsFile(path) })
		maps.DeleteFunc(second, func(path, _ string) bool { return isReturnsFile(path) })
		if len(first) != dayCount+4 { // partitions, stores, products, catalog file, marker
			t.Errorf("lake has %d files besides demo.returns, want %d", len(first), dayCount+4)
		}
		for path, sum := range first {
			if second[path] != sum {
				t.Errorf("%s differs between two generations", path)
			}
		}
		for path := range second {
			if _, ok := first[path]; !ok {
				t.Errorf("%s exists only in the second generation", path)
			}
		}
		compareReturns(t, dir, other)
	})
}

func TestEnsureCancelledLeavesNothing(t *testing.T) {
	skipGeneration(t)
	dir := filepath.Join(t.TempDir(), "demo")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := Ensure(ctx, dir, slog.New(slog.DiscardHandler))
	if err == nil {
		// The machine generated the whole lake in 300ms: then it must be
		// complete and current.
		if state, err := inspect(dir); err != nil || state != lakeCurrent {
			t.Fatalf("Ensure succeeded but the lake is %v (%v)", state, err)
		}
		return
	}
	t.Logf("cancelled: %v", err)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Ensure failed with %v, want the cancellation", err)
	}
	if _, statErr := os.Stat(dir); !errors.Is(statErr, os.ErrNotExist) {
		t.Errorf("cancelled Ensure (%v) left %s behind", err, dir)
	}
	if names := siblings(t, dir); len(names) != 0 {
		t.Errorf("cancelled Ensure left %v beside the lake", names)
	}
}

func TestEnsureConcurrent(t *testing.T) {
	skipGeneration(t)
	dir := filepath.Join(t.TempDir(), "demo")
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = Ensure(context.Background(), dir, slog.New(slog.DiscardHandler))
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if state, err := inspect(dir); err != nil || state != lakeCurrent {
		t.Errorf("after concurrent Ensure the lake is %v (%v)", state, err)
	}
	if names := siblings(t, dir); len(names) != 0 {
		t.Errorf("concurrent Ensure left %v beside the lake", names)
	}
}

func TestEnsureRefusesForeignDirectory(t *testing.T) {
	dir := t.TempDir()
	precious := filepath.Join(dir, "precious.txt")
	if err := os.WriteFile(precious, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Ensure(context.Background(), dir, slog.New(slog.DiscardHandler)); err == nil {
		t.Fatal("Ensure accepted a non-empty directory it did not create")
	}
	if data, err := os.ReadFile(precious); err != nil || string(data) != "keep me" {
		t.Errorf("Ensure touched a foreign file: %q, %v", data, err)
	}
}

// fakeLake makes a directory that looks like a lake with the given marker
// and one data file.
func fakeLake(t *testing.T, dir, marker, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, "sales"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sales", "data"), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	if marker != "" {
		if err := os.WriteFile(filepath.Join(dir, markerName), []byte(marker), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestInspect(t *testing.T) {
	root := t.TempDir()
	empty := filepath.Join(root, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	fakeLake(t, filepath.Join(root, "current"), markerContent(), "x")
	fakeLake(t, filepath.Join(root, "stale"), "lakegate demo lake, generation version 0\n", "x")
	fakeLake(t, filepath.Join(root, "foreign"), "", "x")

	for _, tc := range []struct {
		dir     string
		want    lakeState
		wantErr bool
	}{
		{"missing", lakeMissing, false},
		{"empty", lakeMissing, false},
		{"current", lakeCurrent, false},
		{"stale", lakeStale, false},
		{"foreign", 0, true},
	} {
		got, err := inspect(filepath.Join(root, tc.dir))
		if (err != nil) != tc.wantErr || (!tc.wantErr && got != tc.want) {
			t.Errorf("inspect(%s) = %v, %v; want %v, error %v", tc.dir, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestInstall(t *testing.T) {
	logger := slog.New(slog.DiscardHandler)
	read := func(t *testing.T, dir string) string {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(dir, "sales", "data"))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}

	t.Run("replaces a stale lake", func(t *testing.T) {
		root := t.TempDir()
		dir, tmp := filepath.Join(root, "demo"), filepath.Join(root, ".demo.tmp-1")
		fakeLake(t, dir, "lakegate demo lake, generation version 0\n", "old")
		fakeLake(t, tmp, markerContent(), "new")
		installed, err := install(tmp, dir, logger)
		if err != nil || !installed {
			t.Fatalf("install = %v, %v", installed, err)
		}
		if got := read(t, dir); got != "new" {
			t.Errorf("lake holds %q after install, want the new one", got)
		}
		if names := siblings(t, dir); len(names) != 0 {
			t.Errorf("install left %v beside the lake", names)
		}
	})

	t.Run("replaces an empty directory", func(t *testing.T) {
		root := t.TempDir()
		dir, tmp := filepath.Join(root, "demo"), filepath.Join(root, ".demo.tmp-1")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		fakeLake(t, tmp, markerContent(), "new")
		if installed, err := install(tmp, dir, logger); err != nil || !installed {
			t.Fatalf("install = %v, %v", installed, err)
		}
		if got := read(t, dir); got != "new" {
			t.Errorf("lake holds %q after install, want the new one", got)
		}
	})

	t.Run("keeps a lake another process installed", func(t *testing.T) {
		root := t.TempDir()
		dir, tmp := filepath.Join(root, "demo"), filepath.Join(root, ".demo.tmp-1")
		fakeLake(t, dir, markerContent(), "winner")
		fakeLake(t, tmp, markerContent(), "loser")
		installed, err := install(tmp, dir, logger)
		if err != nil || installed {
			t.Fatalf("install = %v, %v; want false, nil", installed, err)
		}
		if got := read(t, dir); got != "winner" {
			t.Errorf("lake holds %q, want the one already installed", got)
		}
	})

	t.Run("refuses a foreign directory", func(t *testing.T) {
		root := t.TempDir()
		dir, tmp := filepath.Join(root, "demo"), filepath.Join(root, ".demo.tmp-1")
		fakeLake(t, dir, "", "theirs")
		fakeLake(t, tmp, markerContent(), "new")
		if _, err := install(tmp, dir, logger); err == nil {
			t.Fatal("install replaced a directory without a marker")
		}
		if got := read(t, dir); got != "theirs" {
			t.Errorf("foreign directory holds %q, want it untouched", got)
		}
	})
}

func TestRemoveAbandoned(t *testing.T) {
	root := t.TempDir()
	old := time.Now().Add(-2 * abandonedAfter)
	dirs := map[string]bool{ // name: should survive
		".demo.tmp-crashed":  false,
		".demo.old-crashed":  false,
		".demo.tmp-running":  true,
		".other.tmp-crashed": true,
		"demo":               true,
	}
	for name, survives := range dirs {
		path := filepath.Join(root, name)
		fakeLake(t, path, "", "x")
		if !survives || name == ".other.tmp-crashed" || name == "demo" {
			if err := os.Chtimes(path, old, old); err != nil {
				t.Fatal(err)
			}
		}
	}
	removeAbandoned(root, "demo", slog.New(slog.DiscardHandler))
	for name, survives := range dirs {
		_, err := os.Stat(filepath.Join(root, name))
		if exists := err == nil; exists != survives {
			t.Errorf("%s: exists = %v, want %v", name, exists, survives)
		}
	}
}

func TestDefaultDir(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the user cache directory is XDG_CACHE_HOME only on Linux")
	}
	t.Setenv("XDG_CACHE_HOME", "/var/cache/someone")
	dir, err := DefaultDir()
	if err != nil {
		t.Fatal(err)
	}
	if want := "/var/cache/someone/lakegate/demo"; dir != want {
		t.Errorf("DefaultDir() = %s, want %s", dir, want)
	}
}

// openCatalog loads the demo's catalog file, as lakegate does.
func openCatalog(t *testing.T, file string) []*catalog.Table {
	t.Helper()
	cfg, err := catalog.LoadConfig(file)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.Open(context.Background(), cfg, catalog.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cat.Close)
	for _, tb := range cat.Tables() {
		if err := tb.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return cat.Tables()
}

// createView makes a DuckDB view of a whole catalog table.
func createView(t *testing.T, db *sql.DB, tb *catalog.Table) {
	t.Helper()
	scan, err := tb.Plan(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer scan.Release()
	paths := make([]string, len(scan.Paths))
	for i, p := range scan.Paths {
		paths[i] = "'" + strings.ReplaceAll(p, "'", "''") + "'"
	}
	locations := ""
	if tb.NeedsLocations() {
		quoted := make([]string, len(scan.Locations))
		for i, l := range scan.Locations {
			quoted[i] = "'" + strings.ReplaceAll(l, "'", "''") + "'"
		}
		locations = "[" + strings.Join(quoted, ", ") + "]"
	}
	view, err := tb.ViewSQL(context.Background(), "["+strings.Join(paths, ", ")+"]", locations)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE VIEW " + tb.Name + " AS " + view); err != nil {
		t.Fatalf("table %s: %v\n%s", tb.Name, err, view)
	}
}
