package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/iceberg-go"
	iceio "github.com/apache/iceberg-go/io"
	"github.com/apache/iceberg-go/table"
)

// Tables written by iceberg-go itself (on local disk, committed by a
// minimal directory catalog), for what the fixtures do not cover: bucket, truncate and
// day partitions, positional deletes, deletion vectors, renames and type
// promotion, and reloads as the table grows.

type genTable struct {
	t   *testing.T
	tbl *table.Table
	dir string
}

func newGenTable(t *testing.T, schema *iceberg.Schema, spec iceberg.PartitionSpec, props iceberg.Properties) *genTable {
	t.Helper()
	dir := t.TempDir()
	meta, err := table.NewMetadata(schema, &spec, table.UnsortedSortOrder, dir, props)
	if err != nil {
		t.Fatal(err)
	}
	cat := &dirCatalog{dir: dir, meta: meta}
	loc, err := cat.write(meta)
	if err != nil {
		t.Fatal(err)
	}
	fsF := func(context.Context) (iceio.IO, error) { return iceio.LocalFS{}, nil }
	return &genTable{t: t, tbl: table.New(table.Identifier{"db", "t"}, meta, loc, fsF, cat), dir: dir}
}

// dirCatalog commits a table by writing metadata/vN.metadata.json and
// version-hint.text, as Hadoop tables are laid out (single writer).
type dirCatalog struct {
	dir     string
	meta    table.Metadata
	version int
}

func (c *dirCatalog) LoadTable(context.Context, table.Identifier) (*table.Table, error) {
	return nil, errors.New("dirCatalog: not implemented")
}

func (c *dirCatalog) CommitTable(_ context.Context, _ table.Identifier, _ []table.Requirement, updates []table.Update) (table.Metadata, string, error) {
	meta, err := table.UpdateTableMetadata(c.meta, updates, "")
	if err != nil {
		return nil, "", err
	}
	loc, err := c.write(meta)
	if err != nil {
		return nil, "", err
	}
	c.meta = meta
	return meta, loc, nil
}

func (c *dirCatalog) write(meta table.Metadata) (string, error) {
	b, err := json.Marshal(meta)
	if err != nil {
		return "", err
	}
	c.version++
	md := filepath.Join(c.dir, "metadata")
	if err := os.MkdirAll(md, 0o755); err != nil {
		return "", err
	}
	loc := filepath.Join(md, fmt.Sprintf("v%d.metadata.json", c.version))
	if err := os.WriteFile(loc, b, 0o644); err != nil {
		return "", err
	}
	return loc, os.WriteFile(filepath.Join(md, "version-hint.text"), []byte(strconv.Itoa(c.version)), 0o644)
}

func (g *genTable) commit(tx *table.Transaction) {
	g.t.Helper()
	tbl, err := tx.Commit(context.Background())
	if err != nil {
		g.t.Fatal(err)
	}
	g.tbl = tbl
}

// appendJSON appends rows given as a JSON array of objects.
func (g *genTable) appendJSON(rows string) {
	g.t.Helper()
	sc, err := table.SchemaToArrowSchema(g.tbl.Schema(), nil, true, false)
	if err != nil {
		g.t.Fatal(err)
	}
	tb, err := array.TableFromJSON(memory.DefaultAllocator, sc, []string{rows})
	if err != nil {
		g.t.Fatal(err)
	}
	defer tb.Release()
	tx := g.tbl.NewTransaction()
	if err := tx.AppendTable(context.Background(), tb, 1000, nil); err != nil {
		g.t.Fatal(err)
	}
	g.commit(tx)
}

func (g *genTable) delete(filter iceberg.BooleanExpression) {
	g.t.Helper()
	tx := g.tbl.NewTransaction()
	if err := tx.Delete(context.Background(), filter, nil); err != nil {
		g.t.Fatal(err)
	}
	g.commit(tx)
}

// eqDelete writes equality deletes on ids: rows of the table's schema
// (the partition columns route them to their partitions).
func (g *genTable) eqDelete(ids []int, rows string) {
	g.t.Helper()
	sc, err := table.SchemaToArrowSchema(g.tbl.Schema(), nil, true, false)
	if err != nil {
		g.t.Fatal(err)
	}
	rec, _, err := array.RecordFromJSON(memory.DefaultAllocator, sc, strings.NewReader(rows))
	if err != nil {
		g.t.Fatal(err)
	}
	defer rec.Release()
	tx := g.tbl.NewTransaction()
	records := func(yield func(arrow.RecordBatch, error) bool) { yield(rec, nil) }
	if err := tx.CommitEqualityDeletes(context.Background(), ids, records, nil); err != nil {
		g.t.Fatal(err)
	}
	g.commit(tx)
}

var genCategories = []string{"alpha", "alps", "beta", "gamma"}

var genStart = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// genRow is row i of the events table: 12 rows a day.
func genRow(i int, evolved bool) string {
	ts := genStart.Add(time.Duration(i) * 2 * time.Hour).Format(time.RFC3339)
	row := fmt.Sprintf(`{"id": %d, "ts": %q, "category": %q, "amount": "%.2f", "%s": %d, "price": %g`,
		i, ts, genCategories[i%4], float64(i)*1.25, map[bool]string{false: "qty", true: "quantity"}[evolved], i%7, float64(i)*0.5)
	if evolved {
		row += fmt.Sprintf(`, "extra": "x%d"`, i)
	}
	return row + "}"
}

func genRows(from, to int, evolved bool) string {
	var rows []string
	for i := from; i < to; i++ {
		rows = append(rows, genRow(i, evolved))
	}
	return "[" + strings.Join(rows, ",") + "]"
}

// wantGenRow is row i as the evolved view shows it (price doubled to an
// integer, to compare without float formatting).
func wantGenRow(i int) []string {
	extra := "NULL"
	if i >= 120 {
		extra = "x" + strconv.Itoa(i)
	}
	return []string{strconv.Itoa(i), genStart.Add(time.Duration(i) * 2 * time.Hour).Format("2006-01-02 15:04:05+00"),
		genCategories[i%4], fmt.Sprintf("%.2f", float64(i)*1.25), strconv.Itoa(i % 7), strconv.Itoa(i), extra}
}

// eventsTable builds a v2 merge-on-read table partitioned by bucket(4,
// id), truncate(2, category) and day(ts): two appends, positional deletes
// of id < 5, equality deletes of ids 7 and 100, then qty renamed to
// quantity and promoted to long, price promoted to double, amount
// widened to decimal(18,2), a column added, identity(category) added to
// the spec, and a third append.
// It returns the table and the snapshot id before the deletes.
func eventsTable(t *testing.T) (*genTable, int64) {
	schema := iceberg.NewSchema(0,
		iceberg.NestedField{ID: 1, Name: "id", Type: iceberg.PrimitiveTypes.Int64, Required: true},
		iceberg.NestedField{ID: 2, Name: "ts", Type: iceberg.PrimitiveTypes.TimestampTz},
		iceberg.NestedField{ID: 3, Name: "category", Type: iceberg.PrimitiveTypes.String},
		iceberg.NestedField{ID: 4, Name: "amount", Type: iceberg.DecimalTypeOf(10, 2)},
		iceberg.NestedField{ID: 5, Name: "qty", Type: iceberg.PrimitiveTypes.Int32},
		iceberg.NestedField{ID: 6, Name: "price", Type: iceberg.PrimitiveTypes.Float32},
	)
	spec := iceberg.NewPartitionSpec(
		iceberg.PartitionField{SourceIDs: []int{1}, FieldID: 1000, Name: "id_bucket", Transform: iceberg.BucketTransform{NumBuckets: 4}},
		iceberg.PartitionField{SourceIDs: []int{3}, FieldID: 1001, Name: "category_trunc", Transform: iceberg.TruncateTransform{Width: 2}},
		iceberg.PartitionField{SourceIDs: []int{2}, FieldID: 1002, Name: "ts_day", Transform: iceberg.DayTransform{}},
	)
	g := newGenTable(t, schema, spec, iceberg.Properties{
		table.PropertyFormatVersion: "2", table.WriteDeleteModeKey: table.WriteModeMergeOnRead,
	})
	g.appendJSON(genRows(0, 60, false))
	g.appendJSON(genRows(60, 120, false))
	before := g.tbl.CurrentSnapshot().SnapshotID
	g.delete(iceberg.LessThan(iceberg.Reference("id"), int64(5)))
	g.eqDelete([]int{1}, "["+genRow(7, false)+","+genRow(100, false)+"]")

	tx := g.tbl.NewTransaction()
	us := tx.UpdateSchema(true, false).
		RenameColumn([]string{"qty"}, "quantity").
		UpdateColumn([]string{"qty"}, table.ColumnUpdate{FieldType: iceberg.Optional[iceberg.Type]{Valid: true, Val: iceberg.PrimitiveTypes.Int64}}).
		UpdateColumn([]string{"price"}, table.ColumnUpdate{FieldType: iceberg.Optional[iceberg.Type]{Valid: true, Val: iceberg.PrimitiveTypes.Float64}}).
		UpdateColumn([]string{"amount"}, table.ColumnUpdate{FieldType: iceberg.Optional[iceberg.Type]{Valid: true, Val: iceberg.DecimalTypeOf(18, 2)}}).
		AddColumn([]string{"extra"}, iceberg.PrimitiveTypes.String, "", false, nil)
	if err := us.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := tx.UpdateSpec(true).AddIdentity("category").Commit(); err != nil {
		t.Fatal(err)
	}
	g.commit(tx)
	g.appendJSON(genRows(120, 150, true))
	return g, before
}

func TestIcebergGeneratedEvents(t *testing.T) {
	g, before := eventsTable(t)
	src := openIceberg(t, g.dir)
	st, _ := src.current()
	if len(st.meta.PartitionSpecs()) != 2 {
		t.Fatalf("%d partition specs, want 2", len(st.meta.PartitionSpecs()))
	}
	var pos, eq int
	for _, d := range st.deletes {
		if d.eqIDs == nil {
			pos++
		} else {
			eq++
		}
	}
	if pos == 0 || eq == 0 {
		t.Fatalf("%d positional and %d equality delete files; the test needs both", pos, eq)
	}
	d := newDuck(t)
	d.bind(src, "t", nil)
	var want [][]string
	for i := 5; i < 150; i++ {
		if i != 7 && i != 100 {
			want = append(want, wantGenRow(i))
		}
	}
	q := "SELECT id, ts, category, amount, quantity, (price * 2)::BIGINT, extra FROM t ORDER BY id"
	if got := d.rows(q); rowsText(got) != rowsText(want) {
		t.Errorf("rows differ\ngot:\n%s\nwant:\n%s", rowsText(got), rowsText(want))
	}
	if got := rowsText(d.rows("SELECT typeof(quantity), typeof(price), typeof(amount), typeof(ts) FROM t LIMIT 1")); got != "BIGINT|DOUBLE|DECIMAL(18,2)|TIMESTAMP WITH TIME ZONE" {
		t.Errorf("types: %s", got)
	}

	// Time travel: before the deletes, with the schema of that time.
	at, err := src.atSnapshot(context.Background(), before)
	if err != nil {
		t.Fatal(err)
	}
	defer at.close()
	d.bind(at, "t0", nil)
	if got := rowsText(d.rows("SELECT count(*), min(id), max(id), sum(qty) FROM t0")); got != "120|0|119|"+strconv.Itoa(sumMod7(120)) {
		t.Errorf("before the deletes: %s", got)
	}
}

func sumMod7(n int) int {
	s := 0
	for i := range n {
		s += i % 7
	}
	return s
}

// Pruning on bucket, truncate and day partitions, across both specs: the
// kept files must include every file holding a matching row and must be
// among the files whose partition can match.
func TestIcebergGeneratedPruning(t *testing.T) {
	g, _ := eventsTable(t)
	src := openIceberg(t, g.dir)
	st, _ := src.current()
	d := newDuck(t)
	bucket := func(v int64) any {
		return iceberg.BucketTransform{NumBuckets: 4}.Apply(iceberg.Optional[iceberg.Literal]{Valid: true, Val: iceberg.NewLiteral(v)}).Val.Any()
	}
	day := func(s string) int64 { tm, _ := time.Parse("2006-01-02", s); return tm.Unix() / 86400 }
	ts := func(s string) Value { v, _ := String(s).CoerceTo(KindTimestamp); return v }
	cases := []struct {
		name    string
		filters []Filter
		where   string                       // the same predicate over raw data files
		may     func(f icebergDataFile) bool // partitions that may match
	}{
		{"bucket", eqFilter("id", Int(17)), "id = 17",
			func(f icebergDataFile) bool { return f.part[1000] == bucket(17) }},
		{"bucket in", []Filter{{{Column: "ID", Op: OpIn, Values: []Value{Int(17), Int(18)}}}}, "id IN (17, 18)",
			func(f icebergDataFile) bool { return f.part[1000] == bucket(17) || f.part[1000] == bucket(18) }},
		{"truncate", eqFilter("category", String("alps")), "category = 'alps'",
			func(f icebergDataFile) bool { return f.part[1001] == "al" }},
		{"day", []Filter{{{Column: "ts", Op: OpLt, Values: []Value{ts("2024-01-03 00:00:00")}}}}, "ts < TIMESTAMPTZ '2024-01-03 00:00:00+00'",
			func(f icebergDataFile) bool { return dayOf(f.part[1002]) < day("2024-01-03") }},
		{"day by date", []Filter{{{Column: "ts", Op: OpGe, Values: []Value{String("2024-01-12")}}}}, "ts >= TIMESTAMPTZ '2024-01-12 00:00:00+00'",
			func(f icebergDataFile) bool { return dayOf(f.part[1002]) >= day("2024-01-12") }},
		{"or", []Filter{eqFilter("id", Int(17))[0], eqFilter("category", String("beta"))[0]}, "id = 17 OR category = 'beta'",
			func(f icebergDataFile) bool { return f.part[1000] == bucket(17) || f.part[1001] == "be" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			kept, _, err := src.plan(context.Background(), c.filters)
			if err != nil {
				t.Fatal(err)
			}
			keptSet := map[string]bool{}
			for _, f := range kept {
				keptSet[f.Object.Location] = true
			}
			may := 0
			for _, f := range st.files {
				loc := f.file.Object.Location
				if !c.may(f) {
					if keptSet[loc] {
						t.Errorf("kept %s, whose partition %v cannot match", filepath.Base(loc), f.part)
					}
					continue
				}
				may++
				has := rowsText(d.rows("SELECT count(*) > 0 FROM read_parquet(" + quoteLiteral(loc) + ") WHERE " + c.where))
				if has == "true" && !keptSet[loc] {
					t.Errorf("dropped %s, which holds a matching row", filepath.Base(loc))
				}
			}
			if len(kept) == 0 || len(kept) >= len(st.files) || len(kept) > may {
				t.Errorf("kept %d of %d files (%d may match)", len(kept), len(st.files), may)
			}
			d.bind(src, "t", c.filters)
			d.bind(src, "u", nil)
			if a, b := rowsText(d.rows("SELECT * FROM t WHERE "+c.where+" ORDER BY id")), rowsText(d.rows("SELECT * FROM u WHERE "+c.where+" ORDER BY id")); a != b || a == "" {
				t.Errorf("pruned read differs from full read:\n%s\nvs\n%s", a, b)
			}
		})
	}
}

// dayOf reads a day partition value (days since the epoch).
func dayOf(v any) int64 {
	if i, ok := asInt64(v); ok {
		return i
	}
	return -1 << 62
}

// A v3 table: merge-on-read deletes become deletion vectors (Puffin), and
// a column added with an initial default fills older files.
func TestIcebergGeneratedDeletionVectors(t *testing.T) {
	schema := iceberg.NewSchema(0,
		iceberg.NestedField{ID: 1, Name: "id", Type: iceberg.PrimitiveTypes.Int64, Required: true},
		iceberg.NestedField{ID: 2, Name: "name", Type: iceberg.PrimitiveTypes.String},
	)
	g := newGenTable(t, schema, *iceberg.UnpartitionedSpec, iceberg.Properties{
		table.PropertyFormatVersion: "3", table.WriteDeleteModeKey: table.WriteModeMergeOnRead,
	})
	var rows []string
	for i := range 100 {
		rows = append(rows, fmt.Sprintf(`{"id": %d, "name": "n%d"}`, i, i))
	}
	g.appendJSON("[" + strings.Join(rows, ",") + "]")
	g.delete(iceberg.NewOr(iceberg.LessThan(iceberg.Reference("id"), int64(10)),
		iceberg.NewAnd(iceberg.GreaterThanEqual(iceberg.Reference("id"), int64(50)), iceberg.LessThan(iceberg.Reference("id"), int64(53)))))
	g.delete(iceberg.EqualTo(iceberg.Reference("id"), int64(99)))

	src := openIceberg(t, g.dir)
	st, _ := src.current()
	dvs := 0
	for _, f := range st.files {
		if f.dv != nil {
			dvs++
		}
	}
	if dvs == 0 {
		t.Fatalf("no deletion vectors planned (deletes: %d)", len(st.deletes))
	}
	var ids []int
	for i := 10; i < 99; i++ {
		if i < 50 || i >= 53 {
			ids = append(ids, i)
		}
	}
	want := strings.Trim(strings.Join(strings.Fields(fmt.Sprint(ids)), ","), "[]")
	if !slices.Contains(strings.Split(want, ","), "10") {
		t.Fatal("bad expectation")
	}
	check := func(src *icebergSource) {
		t.Helper()
		d := newDuck(t)
		d.bind(src, "t", nil)
		if got := rowsText(d.rows("SELECT string_agg(id::VARCHAR, ',' ORDER BY id) FROM t")); got != want {
			t.Errorf("ids after deletion vectors:\n%s\nwant\n%s", got, want)
		}
	}
	check(src)

	// The same with the ranges in a side file.
	defer func(n int) { inlineFileMetaRows = n }(inlineFileMetaRows)
	inlineFileMetaRows = 0
	scratch := t.TempDir()
	side := newIcebergSource("t", location{path: g.dir}, localStore{}, nil, icebergTestLogger(t)).useScratchDir(scratch)
	if err := side.load(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer side.close()
	if v, _ := side.viewSQL(context.Background(), "F"); strings.Count(v, scratch) != 2 {
		t.Errorf("the view does not read the per-file rows and the ranges from side files:\n%s", v)
	}
	check(side)
}
