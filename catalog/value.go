package catalog

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Kind is the type of a Value, as far as pruning needs to know it.
type Kind uint8

// Value kinds. Dates and timestamps share one scale (microseconds since
// 1970-01-01 UTC) so that a date constant can be compared with timestamp
// statistics, as DuckDB compares them.
const (
	KindUnknown Kind = iota
	KindBool
	KindInt
	KindFloat
	KindString
	KindDate
	KindTimestamp
)

// Value is a constant from a query or a bound from file statistics.
type Value struct {
	Kind Kind
	// Int holds a bool (0 or 1), an int, or a date or timestamp in
	// microseconds since the epoch.
	Int   int64
	Float float64
	// Str holds a string, or the text of a constant whose type is not known
	// yet (a quoted literal, a parameter sent as text).
	Str string
}

// Bool, Int, Float, String, Date and Timestamp make Values.
func Bool(b bool) Value {
	if b {
		return Value{Kind: KindBool, Int: 1}
	}
	return Value{Kind: KindBool}
}
func Int(i int64) Value     { return Value{Kind: KindInt, Int: i} }
func Float(f float64) Value { return Value{Kind: KindFloat, Float: f} }
func String(s string) Value { return Value{Kind: KindString, Str: s} }
func Timestamp(t time.Time) Value {
	return Value{Kind: KindTimestamp, Int: t.UnixMicro()}
}
func Date(t time.Time) Value {
	y, m, d := t.Date()
	return Value{Kind: KindDate, Int: time.Date(y, m, d, 0, 0, 0, 0, time.UTC).UnixMicro()}
}

const microsPerDay = 86400 * 1_000_000

// DateFromDays makes a date from days since 1970-01-01.
func DateFromDays(days int64) Value { return Value{Kind: KindDate, Int: days * microsPerDay} }

// Compare orders a and b. ok is false when they cannot be compared (a
// string with a number, say); callers must then assume nothing.
//
// Numbers of different kinds are compared as float64. The conversion is
// monotone, so "a < b as floats" implies "a <= b exactly", which is all
// that pruning's strict tests need: a file is dropped only when its bound
// is strictly beyond the constant.
func Compare(a, b Value) (c int, ok bool) {
	switch {
	case a.Kind == b.Kind:
		switch a.Kind {
		case KindBool, KindInt, KindDate, KindTimestamp:
			return cmp3(a.Int, b.Int), true
		case KindFloat:
			if math.IsNaN(a.Float) || math.IsNaN(b.Float) {
				return 0, false
			}
			return cmp3(a.Float, b.Float), true
		case KindString:
			return strings.Compare(a.Str, b.Str), true
		}
	case a.numeric() && b.numeric():
		x, y := a.asFloat(), b.asFloat()
		if math.IsNaN(x) || math.IsNaN(y) {
			return 0, false
		}
		return cmp3(x, y), true
	case a.temporal() && b.temporal():
		return cmp3(a.Int, b.Int), true
	}
	return 0, false
}

func cmp3[T int64 | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (v Value) numeric() bool  { return v.Kind == KindInt || v.Kind == KindFloat }
func (v Value) temporal() bool { return v.Kind == KindDate || v.Kind == KindTimestamp }

func (v Value) asFloat() float64 {
	if v.Kind == KindInt {
		return float64(v.Int)
	}
	return v.Float
}

// CoerceTo converts a constant to the kind of the column it is compared
// with, as PostgreSQL resolves an untyped literal ('2024-01-01' against a
// date column). ok is false when the text does not parse; the constant is
// then useless for pruning (and the query will fail in DuckDB anyway).
func (v Value) CoerceTo(k Kind) (Value, bool) {
	if v.Kind == k || v.Kind != KindString {
		return v, v.Kind != KindUnknown
	}
	s := strings.TrimSpace(v.Str)
	switch k {
	case KindInt:
		// Only integers: DuckDB rounds '5.7' to 6 when it casts text to an
		// integer column's type, so a float reading would prune wrongly.
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return Int(i), true
		}
	case KindFloat:
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return Float(f), true
		}
	case KindBool:
		switch strings.ToLower(s) {
		case "t", "true", "y", "yes", "on", "1":
			return Bool(true), true
		case "f", "false", "n", "no", "off", "0":
			return Bool(false), true
		}
	case KindDate:
		// Only a plain date: DuckDB may truncate "2024-01-02 10:00" to a
		// date, and comparing it as a timestamp would then drop the day.
		if t, err := time.Parse("2006-01-02", s); err == nil {
			return Date(t), true
		}
	case KindTimestamp:
		return parseTemporal(s)
	case KindString:
		return v, true
	}
	return Value{}, false
}

// temporalLayouts are the ISO forms PostgreSQL and DuckDB accept and that
// appear in hive paths and query literals.
var temporalLayouts = []string{
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999Z07",
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04",
}

// parseTemporal reads a date ("2024-01-02") or a timestamp, with or
// without an offset; timestamps without one are taken as UTC, the only
// time zone lakegate sessions run in.
func parseTemporal(s string) (Value, bool) {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return Date(t), true
	}
	for _, layout := range temporalLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return Timestamp(t), true
		}
	}
	return Value{}, false
}
