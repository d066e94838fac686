package catalog

// Op is a comparison a pushdown predicate makes.
type Op uint8

// Predicate operators. A predicate always reads "column Op values".
const (
	OpEq Op = iota + 1
	OpNe
	OpLt
	OpLe
	OpGt
	OpGe
	OpIn // column = any of Values
	OpIsNull
	OpIsNotNull
)

var opNames = [...]string{OpEq: "=", OpNe: "<>", OpLt: "<", OpLe: "<=", OpGt: ">", OpGe: ">=", OpIn: "IN", OpIsNull: "IS NULL", OpIsNotNull: "IS NOT NULL"}

func (o Op) String() string {
	if int(o) < len(opNames) && opNames[o] != "" {
		return opNames[o]
	}
	return "?"
}

// Predicate is one conjunct of a query's filter on a table column, e.g.
// sale_date >= DATE '2024-03-01'.
type Predicate struct {
	// Column is the column name; matched without regard to case, as DuckDB
	// resolves identifiers.
	Column string
	Op     Op
	// Values holds the constant (one for comparisons, any number for
	// OpIn, none for the NULL tests).
	Values []Value
}

// Filter is a conjunction of predicates: a row can match only if it
// satisfies all of them. An empty Filter matches every row.
type Filter []Predicate

// ColumnStats bound the values of one column in one file. For a partition
// column Min and Max are the file's partition value.
type ColumnStats struct {
	// Min and Max bound the non-NULL values; meaningful only if HasBounds.
	Min, Max  Value
	HasBounds bool
	// Nulls is the number of NULLs, or -1 if unknown.
	Nulls int64
}

// UnknownStats says nothing about a column, so it prunes nothing.
var UnknownStats = ColumnStats{Nulls: -1}

// mayMatch reports whether a file whose column has stats s, out of rows
// rows (-1 if unknown), may hold a row satisfying p. It answers false only
// when the statistics prove no row can: pruning must never drop a file
// that holds a matching row.
func (s ColumnStats) mayMatch(p Predicate, rows int64) bool {
	allNull := s.Nulls >= 0 && rows >= 0 && s.Nulls == rows
	switch p.Op {
	case OpIsNull:
		return s.Nulls != 0
	case OpIsNotNull:
		return !allNull
	}
	if allNull {
		return false // comparisons with NULL are never true
	}
	if !s.HasBounds {
		return true
	}
	if p.Op == OpIn {
		for _, v := range p.Values {
			if s.mayMatchOne(OpEq, v) {
				return true
			}
		}
		return false
	}
	if len(p.Values) != 1 {
		return true
	}
	return s.mayMatchOne(p.Op, p.Values[0])
}

func (s ColumnStats) mayMatchOne(op Op, v Value) bool {
	v, ok := v.CoerceTo(s.Min.Kind)
	if !ok {
		return true
	}
	lo, ok1 := Compare(v, s.Min) // sign of v - min
	hi, ok2 := Compare(v, s.Max) // sign of v - max
	if !ok1 || !ok2 {
		return true
	}
	return boundsMayMatch(op, lo, hi, s.Max.Kind == KindFloat)
}

// boundsMayMatch decides "column op v" from the signs of v - min (lo) and
// v - max (hi). Parquet and Iceberg leave NaN out of float bounds, and
// DuckDB orders NaN above every number, so a float column's max says
// nothing about "> v" or "<> v".
func boundsMayMatch(op Op, lo, hi int, floats bool) bool {
	switch op {
	case OpEq:
		return lo >= 0 && hi <= 0
	case OpNe:
		return floats || !(lo == 0 && hi == 0)
	case OpLt:
		return lo > 0
	case OpLe:
		return lo >= 0
	case OpGt:
		return floats || hi < 0
	case OpGe:
		return floats || hi <= 0
	}
	return true
}
