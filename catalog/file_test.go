package catalog

import (
	"math/rand/v2"
	"testing"
)

// TestColumnarPruningAgrees checks that the column-major fast path of
// fileIndex gives the same answer as ColumnStats.mayMatch, the reference,
// for random statistics, constants and operators of every kind.
func TestColumnarPruningAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	kinds := []Kind{KindInt, KindFloat, KindString, KindDate, KindTimestamp, KindBool}
	value := func(k Kind) Value {
		n := r.Int64N(20) - 10
		switch k {
		case KindFloat:
			return Float(float64(n) / 2)
		case KindString:
			return String(string(rune('a' + n + 10)))
		case KindDate:
			return DateFromDays(n)
		case KindTimestamp:
			return Value{Kind: KindTimestamp, Int: n * microsPerDay / 2}
		case KindBool:
			return Bool(n%2 == 0)
		}
		return Int(n)
	}
	ops := []Op{OpEq, OpNe, OpLt, OpLe, OpGt, OpGe, OpIn, OpIsNull, OpIsNotNull}
	for round := 0; round < 200; round++ {
		k := kinds[r.IntN(len(kinds))]
		files := make([]File, 50)
		ref := make([]ColumnStats, len(files))
		for i := range files {
			a, b := value(k), value(k)
			if c, _ := Compare(a, b); c > 0 {
				a, b = b, a
			}
			rows := r.Int64N(5)
			s := ColumnStats{Min: a, Max: b, HasBounds: r.IntN(8) != 0, Nulls: r.Int64N(rows+1) - int64(r.IntN(2))}
			if !s.HasBounds {
				s.Min, s.Max = Value{}, Value{}
			}
			files[i] = File{Rows: rows, Columns: []ColumnStats{s}}
			ref[i] = s
		}
		ix := newFileIndex([]string{"c"}, files)
		for q := 0; q < 20; q++ {
			p := Predicate{Column: "c", Op: ops[r.IntN(len(ops))]}
			switch p.Op {
			case OpIn:
				p.Values = []Value{value(k), value(k)}
			case OpIsNull, OpIsNotNull:
			default:
				v := value(k)
				if r.IntN(4) == 0 { // an untyped constant, coerced when bound
					v = String(map[Kind]string{KindInt: "3", KindFloat: "1.5", KindDate: "1970-01-02", KindTimestamp: "1970-01-01 12:00:00", KindBool: "true", KindString: "c"}[k])
				}
				p.Values = []Value{v}
			}
			bound := ix.bind([]Filter{{p}})
			for i := range files {
				got, want := ix.fileMayMatch(i, bound), ref[i].mayMatch(p, files[i].Rows)
				if got != want {
					t.Fatalf("kind %v, file %+v (rows %d), %s %v: columnar %v, reference %v", k, ref[i], files[i].Rows, p.Op, p.Values, got, want)
				}
			}
		}
	}
}
