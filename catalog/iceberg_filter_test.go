package catalog

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/apache/iceberg-go"
)

// Translation of pushdown filters: exact or not at all.
func TestIcebergFilterTranslation(t *testing.T) {
	schema := iceberg.NewSchema(0,
		iceberg.NestedField{ID: 1, Name: "i32", Type: iceberg.PrimitiveTypes.Int32},
		iceberg.NestedField{ID: 2, Name: "I64", Type: iceberg.PrimitiveTypes.Int64},
		iceberg.NestedField{ID: 3, Name: "f32", Type: iceberg.PrimitiveTypes.Float32},
		iceberg.NestedField{ID: 4, Name: "f64", Type: iceberg.PrimitiveTypes.Float64},
		iceberg.NestedField{ID: 5, Name: "dec", Type: iceberg.DecimalTypeOf(9, 2)},
		iceberg.NestedField{ID: 6, Name: "d", Type: iceberg.PrimitiveTypes.Date},
		iceberg.NestedField{ID: 7, Name: "ts", Type: iceberg.PrimitiveTypes.Timestamp},
		iceberg.NestedField{ID: 8, Name: "tstz", Type: iceberg.PrimitiveTypes.TimestampTz},
		iceberg.NestedField{ID: 9, Name: "s", Type: iceberg.PrimitiveTypes.String},
		iceberg.NestedField{ID: 10, Name: "b", Type: iceberg.PrimitiveTypes.Bool},
		iceberg.NestedField{ID: 11, Name: "u", Type: iceberg.PrimitiveTypes.UUID},
		iceberg.NestedField{ID: 12, Name: "Dup", Type: iceberg.PrimitiveTypes.Int32},
		iceberg.NestedField{ID: 13, Name: "dup", Type: iceberg.PrimitiveTypes.Int32},
		iceberg.NestedField{ID: 14, Name: "tn", Type: iceberg.PrimitiveTypes.TimestampNs},
	)
	p := func(col string, op Op, vals ...Value) Predicate { return Predicate{Column: col, Op: op, Values: vals} }
	day := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		pred Predicate
		want string // substring of the translated expression; "" = dropped
	}{
		{"int =", p("i32", OpEq, Int(5)), "i32"},
		{"case-insensitive", p("I32", OpLt, Int(5)), "i32"},
		{"int from text", p("i32", OpGe, String("7")), "7"},
		{"int from integral float", p("i64", OpEq, Float(3)), "3"},
		{"int vs fraction", p("i32", OpLt, Float(2.5)), ""},
		{"int32 overflow", p("i32", OpGt, Int(math.MaxInt32+1)), ""},
		{"float32 exact", p("f32", OpEq, Float(0.5)), "0.5"},
		{"float32 inexact", p("f32", OpEq, Float(0.1)), ""},
		{"float <", p("f64", OpLt, Float(0.1)), "0.1"},
		{"float > (NaN sorts high in DuckDB)", p("f64", OpGt, Float(1)), ""},
		{"float <>", p("f64", OpNe, Float(1)), ""},
		{"float NaN", p("f64", OpEq, Float(math.NaN())), ""},
		{"decimal exact", p("dec", OpEq, Float(12.34)), "12.34"},
		{"decimal text", p("dec", OpGt, String("12.5")), "12.5"},
		{"decimal trailing zeros", p("dec", OpGt, String("12.500")), "12.5"},
		{"decimal too fine", p("dec", OpGt, Float(12.345)), ""},
		{"decimal int", p("dec", OpLe, Int(7)), "7"},
		{"date", p("d", OpEq, Date(day)), "2024-03-01"},
		{"date from text", p("d", OpGe, String("2024-03-01")), "2024-03-01"},
		{"date vs midnight timestamp", p("d", OpLt, Timestamp(day)), "2024-03-01"},
		{"date vs timestamp with time", p("d", OpLt, Timestamp(day.Add(time.Hour))), ""},
		{"timestamp", p("ts", OpGe, Timestamp(day.Add(90*time.Minute))), "2024-03-01"},
		{"timestamptz from date text", p("tstz", OpLt, String("2024-03-01")), "2024-03-01"},
		{"timestamp_ns", p("tn", OpLt, Timestamp(day)), "2024-03-01"},
		{"string", p("s", OpEq, String("x")), "x"},
		{"string vs number", p("s", OpEq, Int(1)), ""},
		{"bool", p("b", OpEq, String("true")), "true"},
		{"uuid", p("u", OpEq, String("f79c3e09-677c-4bbd-a479-3f349cb785e7")), ""},
		{"ambiguous column", p("dup", OpEq, Int(1)), ""},
		{"unknown column", p("nope", OpEq, Int(1)), ""},
		{"is null", p("s", OpIsNull), "s"},
		{"is not null", p("s", OpIsNotNull), "s"},
		{"in", p("i64", OpIn, Int(1), Int(2)), "I64"},
		{"in with one bad value", p("i64", OpIn, Int(1), Float(2.5)), ""},
		{"in on float", p("f64", OpIn, Float(1), Float(2)), "f64"},
	}
	for _, c := range cases {
		got := icebergFilter(schema, []Filter{{c.pred}})
		dropped := got.Equals(iceberg.AlwaysTrue{})
		switch {
		case c.want == "" && !dropped:
			t.Errorf("%s: translated to %s, want dropped", c.name, got)
		case c.want != "" && dropped:
			t.Errorf("%s: dropped", c.name)
		case c.want != "" && !strings.Contains(got.String(), c.want):
			t.Errorf("%s: %s does not mention %q", c.name, got, c.want)
		}
		if !dropped {
			if _, err := iceberg.BindExpr(schema, got, true); err != nil {
				t.Errorf("%s: %s does not bind: %v", c.name, got, err)
			}
		}
	}
}

func TestIcebergFilterDisjunctions(t *testing.T) {
	schema := iceberg.NewSchema(0,
		iceberg.NestedField{ID: 1, Name: "a", Type: iceberg.PrimitiveTypes.Int64},
		iceberg.NestedField{ID: 2, Name: "b", Type: iceberg.PrimitiveTypes.String},
	)
	a := Predicate{Column: "a", Op: OpEq, Values: []Value{Int(1)}}
	b := Predicate{Column: "b", Op: OpEq, Values: []Value{String("x")}}
	bad := Predicate{Column: "zzz", Op: OpEq, Values: []Value{Int(1)}}
	if e := icebergFilter(schema, nil); !e.Equals(iceberg.AlwaysTrue{}) {
		t.Errorf("no filters: %s", e)
	}
	// An untranslatable conjunct is dropped; the rest still prunes.
	if e := icebergFilter(schema, []Filter{{a, bad}}); e.Equals(iceberg.AlwaysTrue{}) {
		t.Error("a AND <unknown> lost a")
	}
	// A disjunct with nothing translatable reads everything.
	if e := icebergFilter(schema, []Filter{{a}, {bad}}); !e.Equals(iceberg.AlwaysTrue{}) {
		t.Errorf("a OR <unknown> = %s, want AlwaysTrue", e)
	}
	if e := icebergFilter(schema, []Filter{{a}, {b}}); e.Op() != iceberg.OpOr {
		t.Errorf("a OR b = %s", e)
	}
}
