package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
)

// writeParquet runs DuckDB COPY statements that write test tables.
func writeParquet(t testing.TB, stmts ...string) {
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

// countingStore counts footer reads.
type countingStore struct {
	localStore
	reads atomic.Int64
}

func (s *countingStore) readRange(ctx context.Context, loc string, off, n int64) ([]byte, error) {
	s.reads.Add(1)
	return s.localStore.readRange(ctx, loc, off, n)
}

// hiveTable writes 4 daily partitions x 2 regions, 10 rows each.
func hiveTable(t testing.TB) string {
	dir := t.TempDir()
	writeParquet(t, fmt.Sprintf(`COPY (
		SELECT i AS id, DATE '2024-01-01' + (i %% 4)::INT AS day, ['eu','us'][1 + (i // 4) %% 2] AS region,
		       i * 1.5 AS amount, CASE WHEN i %% 4 = 3 THEN NULL ELSE 'n' || i END AS note
		FROM range(80) r(i)) TO '%s' (FORMAT parquet, PARTITION_BY (day, region))`, dir))
	return dir
}

func TestParquetHivePruning(t *testing.T) {
	dir := hiveTable(t)
	store := &countingStore{}
	cfg := TableConfig{Format: FormatParquet, Location: dir, Partitioning: PartitionHive}
	src := newParquetSource("t.sales", store, location{path: dir}, cfg, testLogger(t))
	ctx := context.Background()
	if err := src.load(ctx); err != nil {
		t.Fatal(err)
	}
	if n := store.reads.Load(); n != 8 {
		t.Errorf("first load read %d footers, want 8", n)
	}
	day := func(d string) Value { v, _ := String(d).CoerceTo(KindDate); return v }
	cases := []struct {
		name    string
		filters []Filter
		want    int
	}{
		{"all", nil, 8},
		{"day =", []Filter{{{Column: "day", Op: OpEq, Values: []Value{String("2024-01-02")}}}}, 2},
		{"day = typed", []Filter{{{Column: "DAY", Op: OpEq, Values: []Value{day("2024-01-02")}}}}, 2},
		{"day and region", []Filter{{{Column: "day", Op: OpEq, Values: []Value{day("2024-01-02")}}, {Column: "region", Op: OpEq, Values: []Value{String("eu")}}}}, 1},
		{"day >=", []Filter{{{Column: "day", Op: OpGe, Values: []Value{day("2024-01-03")}}}}, 4},
		{"day in", []Filter{{{Column: "day", Op: OpIn, Values: []Value{day("2024-01-01"), day("2024-01-04"), day("2025-01-01")}}}}, 4},
		{"timestamp vs date", []Filter{{{Column: "day", Op: OpLt, Values: []Value{Timestamp(time.Date(2024, 1, 2, 0, 0, 0, 1000, time.UTC))}}}}, 4},
		{"or of references", []Filter{{{Column: "region", Op: OpEq, Values: []Value{String("us")}}}, {{Column: "day", Op: OpEq, Values: []Value{day("2024-01-01")}}}}, 5},
		{"unreferenced filter reads all", []Filter{{{Column: "region", Op: OpEq, Values: []Value{String("us")}}}, {}}, 8},
		{"footer stats: id", []Filter{{{Column: "id", Op: OpGt, Values: []Value{Int(76)}}}}, 3},
		{"footer stats: id range", []Filter{{{Column: "id", Op: OpGt, Values: []Value{Int(78)}}}}, 1},
		{"footer stats: amount float vs int", []Filter{{{Column: "amount", Op: OpLe, Values: []Value{Int(1)}}}}, 1},
		{"note is null", []Filter{{{Column: "note", Op: OpIsNull}}}, 2},
		{"note is not null", []Filter{{{Column: "note", Op: OpIsNotNull}}}, 6},
		{"no match", []Filter{{{Column: "region", Op: OpEq, Values: []Value{String("apac")}}}}, 0},
		{"unknown column keeps all", []Filter{{{Column: "nope", Op: OpEq, Values: []Value{Int(1)}}}}, 8},
		{"unparsable constant keeps all", []Filter{{{Column: "day", Op: OpEq, Values: []Value{String("soon")}}}}, 8},
	}
	for _, c := range cases {
		kept, total, err := src.plan(ctx, c.filters)
		if err != nil {
			t.Fatal(err)
		}
		if len(kept) != c.want || total.Files != 8 {
			t.Errorf("%s: kept %d of %d, want %d", c.name, len(kept), total.Files, c.want)
		}
	}

	// Adding a partition reads only the new footer.
	os.MkdirAll(filepath.Join(dir, "day=2024-02-01", "region=eu"), 0o755)
	writeParquet(t, fmt.Sprintf(`COPY (SELECT 1000 AS id, 'eu' AS region, 1.0 AS amount, 'x' AS note)
		TO '%s' (FORMAT parquet)`, filepath.Join(dir, "day=2024-02-01", "region=eu", "new.parquet")))
	store.reads.Store(0)
	if err := src.load(ctx); err != nil {
		t.Fatal(err)
	}
	if n := store.reads.Load(); n != 1 {
		t.Errorf("reload read %d footers, want 1", n)
	}
	kept, _, _ := src.plan(ctx, []Filter{{{Column: "day", Op: OpGe, Values: []Value{String("2024-01-10")}}}})
	if len(kept) != 1 {
		t.Errorf("new partition: kept %d files", len(kept))
	}
	sqlText, _ := src.viewSQL(ctx, "getvariable('f')")
	want := "SELECT * FROM read_parquet(getvariable('f'), hive_partitioning = true, hive_types = {'day': 'DATE', 'region': 'VARCHAR'}, hive_types_autocast = false)"
	if sqlText != want {
		t.Errorf("view SQL\n got %s\nwant %s", sqlText, want)
	}
}

func TestParquetGlobAndFile(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "a"), 0o755)
	writeParquet(t,
		fmt.Sprintf(`COPY (SELECT 1 AS x) TO '%s/a/one.parquet'`, dir),
		fmt.Sprintf(`COPY (SELECT 2 AS x) TO '%s/two.parquet'`, dir),
		fmt.Sprintf(`COPY (SELECT 3 AS x) TO '%s/three.csv'`, dir))
	for loc, want := range map[string]int{dir: 2, dir + "/*.parquet": 1, dir + "/**/*.parquet": 2, dir + "/a/one.parquet": 1} {
		src := newParquetSource("t", localStore{}, location{path: loc}, TableConfig{}, testLogger(t))
		if err := src.load(context.Background()); err != nil {
			t.Fatalf("%s: %v", loc, err)
		}
		if _, total, _ := src.plan(context.Background(), nil); total.Files != want {
			t.Errorf("%s: %d files, want %d", loc, total.Files, want)
		}
	}
	src := newParquetSource("t", localStore{}, location{path: dir + "/missing"}, TableConfig{}, testLogger(t))
	if err := src.load(context.Background()); err == nil {
		t.Error("a missing directory loaded")
	}
}

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}
