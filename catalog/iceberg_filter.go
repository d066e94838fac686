package catalog

import (
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/iceberg-go"
)

// Translating the engine's pushdown filters into an iceberg-go expression,
// so that iceberg-go's planner prunes with partition transforms, manifest
// partition summaries and column metrics. A predicate is translated only
// when iceberg-go's answer is guaranteed to agree with DuckDB's: a
// predicate that cannot be is dropped, which only means less pruning. In
// particular constants are never rounded to the column's type: "id < 2.5"
// on an integer column or "x = 0.1" on a float column prune nothing.

// icebergFilter returns the expression that a row matching any of filters
// satisfies, over the top-level columns of schema; AlwaysTrue when nothing
// can be pruned.
func icebergFilter(schema *iceberg.Schema, filters []Filter) iceberg.BooleanExpression {
	if len(filters) == 0 {
		return iceberg.AlwaysTrue{}
	}
	var any iceberg.BooleanExpression = iceberg.AlwaysFalse{}
	for _, f := range filters {
		var all iceberg.BooleanExpression = iceberg.AlwaysTrue{}
		for _, p := range f {
			if e, ok := icebergPredicate(schema, p); ok {
				all = iceberg.NewAnd(all, e)
			}
		}
		if all.Equals(iceberg.AlwaysTrue{}) {
			return all // this disjunct reads every file
		}
		any = iceberg.NewOr(any, all)
	}
	return any
}

// icebergColumn finds a top-level column by name, ignoring case as DuckDB
// resolves identifiers. Names that differ only in case are ambiguous, and
// dotted names would be read by iceberg-go as nested paths: neither is used.
func icebergColumn(schema *iceberg.Schema, name string) (iceberg.NestedField, bool) {
	var found iceberg.NestedField
	n := 0
	for _, f := range schema.Fields() {
		if equalFoldASCII(f.Name, name) {
			found = f
			n++
		}
	}
	return found, n == 1 && !strings.Contains(found.Name, ".")
}

var icebergOps = map[Op]iceberg.Operation{
	OpEq: iceberg.OpEQ, OpNe: iceberg.OpNEQ,
	OpLt: iceberg.OpLT, OpLe: iceberg.OpLTEQ,
	OpGt: iceberg.OpGT, OpGe: iceberg.OpGTEQ,
}

func icebergPredicate(schema *iceberg.Schema, p Predicate) (iceberg.BooleanExpression, bool) {
	field, ok := icebergColumn(schema, p.Column)
	if !ok {
		return nil, false
	}
	ref := iceberg.Reference(field.Name)
	switch p.Op {
	case OpIsNull:
		return iceberg.UnaryPredicate(iceberg.OpIsNull, ref), true
	case OpIsNotNull:
		return iceberg.UnaryPredicate(iceberg.OpNotNull, ref), true
	case OpIn:
		if len(p.Values) == 0 {
			return nil, false
		}
		lits := make([]iceberg.Literal, 0, len(p.Values))
		for _, v := range p.Values {
			// One value that cannot be translated voids the whole IN:
			// leaving it out would prune the files holding it.
			lit, ok := icebergLiteral(field.Type, v)
			if !ok {
				return nil, false
			}
			lits = append(lits, lit)
		}
		return iceberg.SetPredicate(iceberg.OpIn, ref, lits), true
	}
	op, ok := icebergOps[p.Op]
	if !ok || len(p.Values) != 1 {
		return nil, false
	}
	if isFloatType(field.Type) && (p.Op == OpGt || p.Op == OpGe || p.Op == OpNe) {
		// Iceberg's bounds leave NaN out and Iceberg holds NaN > x false,
		// but DuckDB orders NaN above every number: a file of NaNs may
		// match "x > 5" in DuckDB while its metrics say it cannot.
		return nil, false
	}
	lit, ok := icebergLiteral(field.Type, p.Values[0])
	if !ok {
		return nil, false
	}
	return iceberg.LiteralPredicate(op, ref, lit), true
}

func isFloatType(t iceberg.Type) bool {
	switch t.(type) {
	case iceberg.Float32Type, iceberg.Float64Type:
		return true
	}
	return false
}

// icebergLiteral converts a constant to a literal of the column's type,
// exactly or not at all.
func icebergLiteral(t iceberg.Type, v Value) (iceberg.Literal, bool) {
	switch t := t.(type) {
	case iceberg.BooleanType:
		if v, ok := v.CoerceTo(KindBool); ok && v.Kind == KindBool {
			return iceberg.NewLiteral(v.Int != 0), true
		}
	case iceberg.Int32Type:
		if i, ok := exactInt(v); ok && i >= math.MinInt32 && i <= math.MaxInt32 {
			return iceberg.NewLiteral(int32(i)), true
		}
	case iceberg.Int64Type:
		if i, ok := exactInt(v); ok {
			return iceberg.NewLiteral(i), true
		}
	case iceberg.Float32Type:
		if f, ok := exactFloat(v); ok && float64(float32(f)) == f {
			return iceberg.NewLiteral(float32(f)), true
		}
	case iceberg.Float64Type:
		if f, ok := exactFloat(v); ok {
			return iceberg.NewLiteral(f), true
		}
	case iceberg.DecimalType:
		return decimalLiteral(t, v)
	case iceberg.DateType:
		if v, ok := v.CoerceTo(KindDate); ok && (v.Kind == KindDate || v.Kind == KindTimestamp) && v.Int%microsPerDay == 0 {
			return iceberg.NewLiteral(iceberg.Date(v.Int / microsPerDay)), true
		}
	case iceberg.TimestampType, iceberg.TimestampTzType:
		if v, ok := v.CoerceTo(KindTimestamp); ok && (v.Kind == KindTimestamp || v.Kind == KindDate) {
			return iceberg.NewLiteral(iceberg.Timestamp(v.Int)), true
		}
	case iceberg.TimestampNsType, iceberg.TimestampTzNsType:
		if v, ok := v.CoerceTo(KindTimestamp); ok && (v.Kind == KindTimestamp || v.Kind == KindDate) &&
			v.Int <= math.MaxInt64/1000 && v.Int >= math.MinInt64/1000 {
			return iceberg.NewLiteral(iceberg.TimestampNano(v.Int * 1000)), true
		}
	case iceberg.StringType:
		if v.Kind == KindString {
			return iceberg.NewLiteral(v.Str), true
		}
	}
	// time, uuid, binary, fixed and nested columns: no pruning.
	return nil, false
}

// exactInt is v as an integer when it is one exactly (an integral float
// or numeric text qualifies; 2.5 does not).
func exactInt(v Value) (int64, bool) {
	v, ok := v.CoerceTo(KindInt)
	if !ok {
		return 0, false
	}
	switch v.Kind {
	case KindInt:
		return v.Int, true
	case KindFloat:
		// Below 2^63 in magnitude the conversion is exact for integral
		// floats.
		if v.Float == math.Trunc(v.Float) && math.Abs(v.Float) < 1<<63 {
			return int64(v.Float), true
		}
	}
	return 0, false
}

// exactFloat is v as a float64 when that is exact; NaN is not pruned on.
func exactFloat(v Value) (float64, bool) {
	v, ok := v.CoerceTo(KindFloat)
	if !ok {
		return 0, false
	}
	switch v.Kind {
	case KindFloat:
		return v.Float, !math.IsNaN(v.Float)
	case KindInt:
		if f := float64(v.Int); math.Abs(f) <= 1<<53 {
			return f, true
		}
	}
	return 0, false
}

var plainDecimal = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]*)?$`)

// decimalLiteral converts an integer, a float or numeric text to a decimal
// of the column's scale when no digit is lost. A float is taken by its
// shortest representation, which is the literal the query wrote.
func decimalLiteral(t iceberg.DecimalType, v Value) (iceberg.Literal, bool) {
	var s string
	switch v.Kind {
	case KindInt:
		s = strconv.FormatInt(v.Int, 10)
	case KindFloat:
		if math.IsNaN(v.Float) || math.IsInf(v.Float, 0) {
			return nil, false
		}
		s = strconv.FormatFloat(v.Float, 'f', -1, 64)
	case KindString:
		s = strings.TrimSpace(v.Str)
	default:
		return nil, false
	}
	if !plainDecimal.MatchString(s) {
		return nil, false
	}
	intPart, frac, _ := strings.Cut(strings.TrimLeft(s, "+-"), ".")
	frac = strings.TrimRight(frac, "0")
	intPart = strings.TrimLeft(intPart, "0")
	if len(frac) > t.Scale() || len(intPart)+t.Scale() > 38 {
		return nil, false
	}
	n, err := decimal128.FromString(s, 38, int32(t.Scale()))
	if err != nil {
		return nil, false
	}
	return iceberg.NewLiteral(iceberg.Decimal{Val: n, Scale: t.Scale()}), true
}
