package catalog

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// Conformance: every table under ../shared/fixtures/iceberg (real tables
// written by Spark and pyiceberg, see its README) read through the
// Iceberg source and DuckDB, compared with the expected rows.

type icebergCase struct {
	rel string // table directory under the fixtures folder
	// query runs against view t; want is its rows, in order.
	query string
	want  [][]string
}

var icebergConformance = []icebergCase{
	// Partition evolution identity(event_date) -> + identity(event_type);
	// the data files store neither partition column.
	{"data/persistent/hive_partitioned_table", "SELECT * FROM t ORDER BY ALL", [][]string{
		{"2024-01-01", "12345", "click"},
		{"2024-01-02", "67890", "purchase"},
		{"2024-01-03", "13579", "view"},
		{"2024-01-03", "24680", "click"},
		{"2024-01-04", "86420", "view"},
		{"2024-01-04", "97531", "purchase"},
	}},
	{"data/persistent/hive_partitioned_table", "SELECT user_id FROM t WHERE event_date = '2024-01-02'", [][]string{{"67890"}}},
	// Identity partitions on every type; partition values come from the
	// manifests (the Spark files do not store them).
	{"data/persistent/partition_integer", "SELECT * FROM t ORDER BY user_id DESC", [][]string{
		{"1337", "67890", "purchase"}, {"42", "12345", "click"}}},
	{"data/persistent/partition_integer", "SELECT user_id FROM t WHERE partition_col = 42", [][]string{{"12345"}}},
	{"data/persistent/partition_bigint", "SELECT * FROM t ORDER BY ALL", [][]string{
		{"-9223372036854775808", "67890", "purchase"}, {"9223372036854775807", "12345", "click"}}},
	{"data/persistent/partition_bool", "SELECT * FROM t ORDER BY ALL", [][]string{
		{"false", "67890", "purchase"}, {"true", "12345", "click"}}},
	{"data/persistent/partition_double", "SELECT partition_col::VARCHAR, typeof(partition_col), user_id FROM t ORDER BY ALL", [][]string{
		{"2.7182817", "FLOAT", "67890"}, {"3.1415927", "FLOAT", "12345"}}},
	{"data/persistent/partition_decimal_integer", "SELECT *, typeof(partition_col) FROM t ORDER BY ALL", [][]string{
		{"1.2300", "67890", "purchase", "DECIMAL(8,4)"},
		{"42.5630", "12345", "click", "DECIMAL(8,4)"},
		{"1234.5432", "111213", "delete", "DECIMAL(8,4)"}}},
	{"data/persistent/partition_binary", "SELECT * FROM t ORDER BY ALL", [][]string{
		{`\x01\x02\x03`, "12345", "click"}, {`\xAA\xBB\xCC`, "67890", "purchase"}}},
	{"data/persistent/partition_time/default.db/partition_time", "SELECT *, typeof(partition_col) FROM t ORDER BY ALL", [][]string{
		{"08:21:09", "67890", "purchase", "TIME"}, {"12:34:56", "12345", "click", "TIME"}}},
	{"data/persistent/partition_timestamp/default.db/partition_timestamp", "SELECT *, typeof(partition_col) FROM t ORDER BY ALL", [][]string{
		{"2023-05-15 14:30:45", "12345", "click", "TIMESTAMP"}, {"2023-08-22 09:15:20", "67890", "purchase", "TIMESTAMP"}}},
	{"data/persistent/partition_timestamptz/default.db/partition_timestamptz", "SELECT *, typeof(partition_col) FROM t ORDER BY ALL", [][]string{
		{"2023-05-15 14:30:45+00", "12345", "click", "TIMESTAMP WITH TIME ZONE"},
		{"2023-08-22 09:15:20+00", "67890", "purchase", "TIMESTAMP WITH TIME ZONE"}}},
	// Equality deletes on name, on id, and on (id, name), across six
	// snapshots; the last delete comes after rows 5 and 6 were added.
	{"data/persistent/equality_deletes/warehouse/mydb/mytable", "SELECT * FROM t ORDER BY ALL", [][]string{
		{"4", "d", "2025-01-04"}, {"5", "e", "2025-01-05"}}},
	// The same, partitioned by identity(name): deletes are scoped to
	// their partition.
	{"data/persistent/equality_deletes/warehouse/mydb/mytable_partitioned", "SELECT * FROM t ORDER BY ALL", [][]string{
		{"1", "a", "2025-01-01"}, {"4", "d", "2025-01-04"}, {"5", "e", "2025-01-05"}}},
	// Files without field ids, read through schema.name-mapping.default.
	{"data/persistent/name_mapping/warehouse_1/mydb/t1", "SELECT count(*), min(a), max(a), sum(a), count(b), typeof(any_value(b)) FROM t", [][]string{
		{"10000", "0", "9999", "49995000", "0", "BIGINT"}}},
	// Columns added with initial defaults: the first file predates them.
	{"data/persistent/add_columns_with_defaults/default.db/add_columns_with_defaults", "SELECT * FROM t ORDER BY col1", [][]string{
		{"click", "true", "342342", "-9223372036854775808", "0.34234", "0.342343242342342", "12345.00", "2003-10-20", "00:00:00.012345",
			"1970-01-01 00:00:00.012345", "1970-01-01 00:00:00.012345+00", "HELLO", "f79c3e09-677c-4bbd-a479-3f349cb785e7", `\x01\x02\x03\xFF\x03`, `\x01\x02`},
		{"purchase", "true", "342342", "-9223372036854775808", "0.34234", "0.342343242342342", "12345.00", "2003-10-20", "00:00:00.012345",
			"1970-01-01 00:00:00.012345", "1970-01-01 00:00:00.012345+00", "HELLO", "f79c3e09-677c-4bbd-a479-3f349cb785e7", `\x01\x02\x03\xFF\x03`, `\x01\x02`},
		{"test", "false", "453243", "328725092345834", "23.34342", "23.343424523423433", "3423434.23", "0011-03-05", "12:06:45",
			"0011-03-05 12:06:45", "2023-05-15 14:30:45+00", "World", "020d4fc7-acd6-45ac-b216-7873f4038e1f", `\x80\x00\x80\x00\x80`, `\x80\x00\x80`},
	}},
	{"data/persistent/is_null_is_not_null", "SELECT * FROM t ORDER BY id", [][]string{
		{"1", "NULL"}, {"2", "NULL"}, {"3", "NULL"}, {"4", "foo"}, {"5", "bar"}, {"6", "baz"}, {"7", "NULL"}, {"8", "blah"}}},
	{"data/persistent/is_null_is_not_null", "SELECT id FROM t WHERE value IS NULL ORDER BY id", [][]string{{"1"}, {"2"}, {"3"}, {"7"}}},
	// Copy-on-write updates, an added column, then int -> bigint.
	{"data/iceberg/generated_spec1_0_001/pyspark_iceberg_table", "SELECT count(*), typeof(any_value(schema_evol_added_col_1)) FROM t", [][]string{
		{"7690", "BIGINT"}}},
}

func TestIcebergConformance(t *testing.T) {
	root := icebergFixtures(t)
	sources := map[string]*icebergSource{}
	for _, c := range icebergConformance {
		if sources[c.rel] == nil {
			sources[c.rel] = openIceberg(t, filepath.Join(root, c.rel))
		}
		t.Run(filepath.Base(c.rel)+"/"+c.query, func(t *testing.T) {
			src := sources[c.rel]
			d := newDuck(t)
			d.bind(src, "t", nil)
			if got := d.rows(c.query); rowsText(got) != rowsText(c.want) {
				t.Errorf("%s\ngot:\n%s\nwant:\n%s", c.query, rowsText(got), rowsText(c.want))
			}
		})
	}
}

// The generated table's final snapshot equals, as a multiset, the rows
// Spark itself read back (expected_results/last).
func TestIcebergConformanceGeneratedSpec(t *testing.T) {
	root := icebergFixtures(t)
	dir := filepath.Join(root, "data/iceberg/generated_spec1_0_001")
	src := openIceberg(t, filepath.Join(dir, "pyspark_iceberg_table"))
	d := newDuck(t)
	d.bind(src, "t", nil)
	expected := "read_parquet(" + quoteLiteral(filepath.Join(dir, "expected_results/last/data/*.parquet")) + ")"
	for _, q := range []string{
		"SELECT count(*) FROM (SELECT * FROM t EXCEPT ALL SELECT * FROM " + expected + ")",
		"SELECT count(*) FROM (SELECT * FROM " + expected + " EXCEPT ALL SELECT * FROM t)",
	} {
		if got := d.rows(q); rowsText(got) != "0" {
			t.Errorf("%s: %s rows differ", q, rowsText(got))
		}
	}
	if got := d.rows("SELECT count(*) FROM " + expected); rowsText(got) != "7690" {
		t.Errorf("expected results hold %s rows, want 7690", rowsText(got))
	}
}

// The lineitem table was written at ./lineitem_iceberg and moved: its
// metadata paths resolve only against the table's own parent folder. Its
// current snapshot (an overwrite) holds as many rows as its summary says.
func TestIcebergConformanceMovedTable(t *testing.T) {
	root := icebergFixtures(t)
	src := openIceberg(t, filepath.Join(root, "data/persistent/iceberg/lineitem_iceberg"))
	st, _ := src.current()
	want := st.snapshot.Summary.Properties["total-records"]
	d := newDuck(t)
	kept := d.bind(src, "t", nil)
	if len(kept) != 1 {
		t.Errorf("kept %d files, want the overwrite's 1", len(kept))
	}
	if got := rowsText(d.rows("SELECT count(*) FROM t")); got != want || want == "" {
		t.Errorf("count = %s, summary says %q", got, want)
	}
	if got := rowsText(d.rows("SELECT count(DISTINCT l_orderkey) > 1000, min(l_shipdate) < max(l_shipdate) FROM t")); got != "true|true" {
		t.Errorf("lineitem columns look wrong: %s", got)
	}
}

// Pruning with iceberg-go against the fixtures: manifest null counts,
// identity partitions of every type, and partitions after spec evolution.
func TestIcebergConformancePruning(t *testing.T) {
	root := icebergFixtures(t)
	f32 := func(f float32) Value { return Float(float64(f)) }
	ts := func(s string) Value { v, _ := String(s).CoerceTo(KindTimestamp); return v }
	cases := []struct {
		rel     string
		filters []Filter
		kept    int
		query   string // rows of the query over the pruned view
		want    string
	}{
		{"data/persistent/is_null_is_not_null", []Filter{{{Column: "value", Op: OpIsNull}}}, 2,
			"SELECT id FROM t WHERE value IS NULL ORDER BY id", "1\n2\n3\n7"},
		{"data/persistent/is_null_is_not_null", []Filter{{{Column: "VALUE", Op: OpIsNotNull}}}, 2,
			"SELECT id FROM t WHERE value IS NOT NULL ORDER BY id", "4\n5\n6\n8"},
		// id is required: nothing can match, and the empty view keeps the
		// table's columns and types.
		{"data/persistent/is_null_is_not_null", []Filter{{{Column: "id", Op: OpIsNull}}}, 0,
			"SELECT count(*), typeof(any_value(id)), typeof(any_value(value)) FROM t", "0|BIGINT|VARCHAR"},
		{"data/persistent/is_null_is_not_null", []Filter{{{Column: "id", Op: OpGe, Values: []Value{Int(7)}}}}, 1,
			"SELECT id FROM t WHERE id >= 7 ORDER BY id", "7\n8"},
		// spec 0: identity(event_date); spec 1: + identity(event_type)
		{"data/persistent/hive_partitioned_table", eqFilter("event_date", String("2024-01-02")), 1,
			"SELECT user_id FROM t WHERE event_date = '2024-01-02'", "67890"},
		{"data/persistent/hive_partitioned_table", []Filter{{{Column: "event_date", Op: OpGe, Values: []Value{String("2024-01-03")}}}}, 4,
			"SELECT count(*) FROM t WHERE event_date >= '2024-01-03'", "4"},
		{"data/persistent/hive_partitioned_table", []Filter{{
			{Column: "event_date", Op: OpEq, Values: []Value{String("2024-01-03")}},
			{Column: "event_type", Op: OpEq, Values: []Value{String("view")}}}}, 1,
			"SELECT user_id FROM t WHERE event_date = '2024-01-03' AND event_type = 'view'", "13579"},
		// event_type is a partition only in spec 1; spec 0 files are kept
		// or dropped by their column metrics.
		{"data/persistent/hive_partitioned_table", eqFilter("Event_Type", String("click")), 2,
			"SELECT event_date, user_id FROM t WHERE event_type = 'click' ORDER BY 1", "2024-01-01|12345\n2024-01-03|24680"},
		{"data/persistent/hive_partitioned_table", []Filter{
			{{Column: "event_date", Op: OpEq, Values: []Value{String("2024-01-01")}}},
			{{Column: "event_type", Op: OpEq, Values: []Value{String("purchase")}}}}, 3, "", ""},
		{"data/persistent/partition_integer", eqFilter("partition_col", Int(42)), 1,
			"SELECT user_id FROM t WHERE partition_col = 42", "12345"},
		{"data/persistent/partition_integer", eqFilter("partition_col", Float(2.5)), 2, "", ""},
		{"data/persistent/partition_bigint", []Filter{{{Column: "partition_col", Op: OpLt, Values: []Value{Int(0)}}}}, 1,
			"SELECT event_type FROM t WHERE partition_col < 0", "purchase"},
		{"data/persistent/partition_bool", eqFilter("partition_col", Bool(true)), 1,
			"SELECT user_id FROM t WHERE partition_col", "12345"},
		{"data/persistent/partition_double", eqFilter("partition_col", f32(3.1415927)), 1,
			"SELECT user_id FROM t WHERE partition_col = 3.1415927::FLOAT", "12345"},
		// a double constant that is no float32 prunes nothing
		{"data/persistent/partition_double", eqFilter("partition_col", Float(3.1415927)), 2, "", ""},
		{"data/persistent/partition_double", []Filter{{{Column: "partition_col", Op: OpGt, Values: []Value{Float(3)}}}}, 2, "", ""},
		{"data/persistent/partition_decimal_integer", eqFilter("partition_col", String("42.563")), 1,
			"SELECT user_id FROM t WHERE partition_col = 42.563", "12345"},
		{"data/persistent/partition_decimal_integer", []Filter{{{Column: "partition_col", Op: OpGt, Values: []Value{Float(42.56301)}}}}, 3, "", ""},
		{"data/persistent/partition_decimal_integer", []Filter{{{Column: "partition_col", Op: OpGt, Values: []Value{Float(42.5)}}}}, 2,
			"SELECT count(*) FROM t WHERE partition_col > 42.5", "2"},
		{"data/persistent/partition_timestamp/default.db/partition_timestamp", eqFilter("partition_col", ts("2023-05-15 14:30:45")), 1,
			"SELECT user_id FROM t WHERE partition_col = '2023-05-15 14:30:45'", "12345"},
		{"data/persistent/partition_timestamptz/default.db/partition_timestamptz", []Filter{{{Column: "partition_col", Op: OpGt, Values: []Value{String("2023-06-01")}}}}, 1,
			"SELECT user_id FROM t WHERE partition_col > '2023-06-01'", "67890"},
		{"data/persistent/partition_binary", eqFilter("partition_col", String("x")), 2, "", ""},
		{"data/persistent/equality_deletes/warehouse/mydb/mytable_partitioned", []Filter{{{Column: "name", Op: OpIn, Values: []Value{String("b"), String("e")}}}}, 2,
			"SELECT id FROM t WHERE name IN ('b', 'e')", "5"},
	}
	for _, c := range cases {
		t.Run(filepath.Base(c.rel), func(t *testing.T) {
			src := openIceberg(t, filepath.Join(root, c.rel))
			d := newDuck(t)
			kept := d.bind(src, "t", c.filters)
			if len(kept) != c.kept {
				t.Errorf("%v: kept %d files, want %d", c.filters, len(kept), c.kept)
			}
			if c.query != "" {
				if got := rowsText(d.rows(c.query)); got != c.want {
					t.Errorf("%s = %q, want %q", c.query, got, c.want)
				}
			}
		})
	}
}

// Time travel over the six snapshots of the equality-delete table.
func TestIcebergConformanceTimeTravel(t *testing.T) {
	root := icebergFixtures(t)
	src := openIceberg(t, filepath.Join(root, "data/persistent/equality_deletes/warehouse/mydb/mytable"))
	st, _ := src.current()
	snaps := st.meta.Snapshots()
	want := []string{
		"1,2,3,4", // insert a..d
		"",        // delete name = 'b': the fixture lacks this manifest list
		"3,4",     // delete id = 1 (and name = 'b')
		"4",       // delete (3, 'c')
		"4,5,6",   // insert e, f
		"4,5",     // delete name = 'f'
	}
	if len(snaps) != len(want) {
		t.Fatalf("%d snapshots, want %d", len(snaps), len(want))
	}
	ctx := context.Background()
	for i, snap := range snaps {
		at, err := src.atSnapshot(ctx, snap.SnapshotID)
		if want[i] == "" {
			if err == nil {
				t.Errorf("snapshot %d: read a snapshot whose manifest list is missing", snap.SnapshotID)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		d := newDuck(t)
		d.bind(at, "t", nil)
		if got := rowsText(d.rows("SELECT string_agg(id::VARCHAR, ',' ORDER BY id) FROM t")); got != want[i] {
			t.Errorf("snapshot %d (%d): ids %s, want %s", i+1, snap.SnapshotID, got, want[i])
		}
		// The snapshot current at its own commit time is itself; a
		// millisecond earlier, its parent.
		asOf, err := src.asOf(ctx, time.UnixMilli(snap.TimestampMs))
		if err != nil || asOf.snapshotID != snap.SnapshotID {
			t.Errorf("asOf(commit of %d) = %v, %v", snap.SnapshotID, asOf, err)
		}
		before, err := src.asOf(ctx, time.UnixMilli(snap.TimestampMs-1))
		switch {
		case i == 0 && err == nil:
			t.Errorf("asOf before the first snapshot = %d, want an error", before.snapshotID)
		case i == 2:
			// its parent is the snapshot without a manifest list
		case i > 0 && (err != nil || before.snapshotID != snaps[i-1].SnapshotID):
			t.Errorf("asOf just before %d = %v, %v; want %d", snap.SnapshotID, before, err, snaps[i-1].SnapshotID)
		}
		at.close()
	}
	if _, err := src.atSnapshot(ctx, 42); err == nil {
		t.Error("atSnapshot(42) found a snapshot")
	}
	// A pinned source reloads to the same snapshot.
	at, err := src.atSnapshot(ctx, snaps[2].SnapshotID)
	if err != nil {
		t.Fatal(err)
	}
	defer at.close()
	if err := at.load(ctx); err != nil {
		t.Fatal(err)
	}
	if st, _ := at.current(); st.snapshot.SnapshotID != snaps[2].SnapshotID {
		t.Errorf("pinned source moved to snapshot %s", strconv.FormatInt(st.snapshot.SnapshotID, 10))
	}
}
