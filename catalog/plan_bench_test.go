package catalog

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// Planning must take milliseconds at 100,000 files (DESIGN.md §5). These
// benchmarks build the index in memory, as a hive table of one file per
// partition with ten columns of statistics would index it, and time the
// pruning itself (BenchmarkPrune) and a whole Table.Plan over local files
// (BenchmarkTablePlan: pruning, the bookkeeping of the kept files, and
// the Scan the engine receives).
//
//	go test ./catalog -run '^$' -bench 'Prune|TablePlan' -benchmem

const (
	benchFiles       = 100_000
	benchRowsPerFile = 100
)

var benchBase = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// benchIndex is the index of a table of n files under /lake/events,
// partitioned by part_id (file i is partition i), with nine Parquet
// columns whose bounds follow the file number: id and ts increase from
// file to file (as in a table written in time order), the others overlap.
func benchIndex(n int) *fileIndex {
	columns := []string{"amount", "category", "day", "flag", "id", "name", "qty", "ts", "x", "part_id"}
	files := make([]File, n)
	for i := range files {
		lo := int64(i) * benchRowsPerFile
		t0 := benchBase.Add(time.Duration(i) * time.Hour)
		part := Int(int64(i))
		files[i] = File{
			Object: ObjectInfo{
				Location: fmt.Sprintf("/lake/events/part_id=%d/data_0.parquet", i),
				Size:     4096 + int64(i%512),
				ModTime:  benchBase,
			},
			Rows: benchRowsPerFile,
			Columns: []ColumnStats{
				{Min: Float(0.5), Max: Float(9999.5), HasBounds: true},
				{Min: String("books"), Max: String("toys"), HasBounds: true},
				{Min: Date(t0), Max: Date(t0.Add(59 * time.Minute)), HasBounds: true},
				{Min: Bool(false), Max: Bool(true), HasBounds: true},
				{Min: Int(lo), Max: Int(lo + benchRowsPerFile - 1), HasBounds: true},
				{Min: String("a" + strconv.Itoa(i)), Max: String("z" + strconv.Itoa(i)), HasBounds: true, Nulls: 3},
				{Min: Int(1), Max: Int(50), HasBounds: true},
				{Min: Timestamp(t0), Max: Timestamp(t0.Add(time.Hour - time.Second)), HasBounds: true},
				{Min: Int(-1000), Max: Int(1000), HasBounds: true},
				{Min: part, Max: part, HasBounds: true},
			},
		}
	}
	ix := newFileIndex(columns, files)
	runtime.GC() // the garbage of building it is not the benchmark's
	return ix
}

// benchFilters are the cases: what a query's WHERE clause gives the
// catalog, and how many of benchFiles files it keeps.
var benchFilters = []struct {
	name    string
	filters []Filter
	kept    int
}{
	{"partition_eq", []Filter{{{Column: "part_id", Op: OpEq, Values: []Value{Int(42424)}}}}, 1},
	// A constant the engine could not type: a quoted literal or a
	// parameter sent as text, coerced to the column's kind per file.
	{"partition_eq_text", []Filter{{{Column: "part_id", Op: OpEq, Values: []Value{String("42424")}}}}, 1},
	{"partition_in_10", []Filter{{{Column: "part_id", Op: OpIn, Values: []Value{
		Int(10), Int(20), Int(30), Int(40), Int(50), Int(60), Int(70), Int(80), Int(90), Int(100)}}}}, 10},
	// One day of ts: 24 files (each file holds one hour).
	{"range_ts_day", []Filter{{
		{Column: "ts", Op: OpGe, Values: []Value{Timestamp(benchBase.AddDate(0, 0, 100))}},
		{Column: "ts", Op: OpLt, Values: []Value{Timestamp(benchBase.AddDate(0, 0, 101))}},
	}}, 24},
	{"range_ts_day_text", []Filter{{
		{Column: "ts", Op: OpGe, Values: []Value{String("2024-04-10 00:00:00")}},
		{Column: "ts", Op: OpLt, Values: []Value{String("2024-04-11 00:00:00")}},
	}}, 24},
	// 1% of the table by id.
	{"range_id_1pct", []Filter{{
		{Column: "id", Op: OpGe, Values: []Value{Int(50_000 * benchRowsPerFile)}},
		{Column: "id", Op: OpLt, Values: []Value{Int(51_000 * benchRowsPerFile)}},
	}}, 1000},
	// A predicate that prunes nothing: every file is compared and kept.
	{"no_pruning", []Filter{{{Column: "qty", Op: OpGe, Values: []Value{Int(1)}}}}, benchFiles},
}

func BenchmarkPrune(b *testing.B) {
	ix := benchIndex(benchFiles)
	for _, c := range benchFilters {
		b.Run(c.name, func(b *testing.B) {
			if got := len(ix.prune(c.filters)); got != c.kept {
				b.Fatalf("kept %d files, want %d", got, c.kept)
			}
			b.ReportAllocs()
			for b.Loop() {
				ix.prune(c.filters)
			}
		})
	}
}

// BenchmarkTablePlan plans through the Table, as the engine does for every
// statement: pruning, then one local path per kept file.
func BenchmarkTablePlan(b *testing.B) {
	src := &parquetSource{name: "bench.events", store: localStore{}, hive: true}
	src.state = &parquetState{index: benchIndex(benchFiles), root: "/lake/events/", partCols: []string{"part_id"}, partTypes: []string{"BIGINT"}}
	t := &Table{Schema: "bench", Name: "events", Format: FormatParquet, src: src, store: src.store, loaded: true}
	ctx := context.Background()
	for _, c := range benchFilters {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s, err := t.Plan(ctx, c.filters)
				if err != nil {
					b.Fatal(err)
				}
				if s.Kept.Files != c.kept {
					b.Fatalf("kept %d files, want %d", s.Kept.Files, c.kept)
				}
				s.Release()
			}
		})
	}
}
