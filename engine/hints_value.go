package engine

import (
	"math"
	"strconv"
	"strings"
	"time"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/lakegate/lakegate/catalog"
)

// The constant side of a predicate. DuckDB runs the query, so a constant
// must mean what DuckDB makes of it, which is not always what PostgreSQL
// would: wherever the two may differ, or DuckDB rounds, the constant is not
// used.

// castType is a cast a predicate's constant or parameter goes through.
type castType uint8

const (
	castInt16 castType = iota + 1
	castInt32
	castInt64
	castFloat32
	castFloat64
	// castFloatAmbiguous is pg_catalog.float8, which the parser makes of
	// both DOUBLE PRECISION and FLOAT; DuckDB reads FLOAT as a 4-byte float.
	castFloatAmbiguous
	// castNumeric is NUMERIC or DECIMAL without a precision, which DuckDB
	// reads as DECIMAL(18,3): more than 3 decimals are rounded.
	castNumeric
	castText
	castBool
	castDate
	castTimestamp
	castTimestampTZ
)

var castNames = [...]string{
	castInt16: "int2", castInt32: "int4", castInt64: "int8",
	castFloat32: "float4", castFloat64: "float8", castFloatAmbiguous: "pg_catalog.float8",
	castNumeric: "numeric", castText: "text", castBool: "bool", castDate: "date",
	castTimestamp: "timestamp", castTimestampTZ: "timestamptz",
}

func (c castType) String() string {
	if int(c) < len(castNames) && castNames[c] != "" {
		return castNames[c]
	}
	return "?"
}

// castTypes maps type names to casts: PostgreSQL's (the parser qualifies
// those spelled with keywords, INTEGER → pg_catalog.int4) and DuckDB's
// own aliases. Types with a modifier (varchar(3), numeric(10,2),
// timestamp(0)) round or truncate and are never read.
var castTypes = map[string]castType{
	"int2":        castInt16,
	"int4":        castInt32,
	"int8":        castInt64,
	"float4":      castFloat32,
	"float8":      castFloat64,
	"double":      castFloat64,
	"numeric":     castNumeric,
	"text":        castText,
	"varchar":     castText,
	"string":      castText,
	"bool":        castBool,
	"date":        castDate,
	"timestamp":   castTimestamp,
	"datetime":    castTimestamp,
	"timestamptz": castTimestampTZ,
}

// castOf returns the cast a type name asks for.
func castOf(tn *pg_query.TypeName) (castType, bool) {
	if tn == nil || tn.Setof || tn.PctType || len(tn.Typmods) > 0 || len(tn.ArrayBounds) > 0 {
		return 0, false
	}
	var name string
	qualified := false
	switch len(tn.Names) {
	case 1:
		name = tn.Names[0].GetString_().GetSval()
	case 2:
		if tn.Names[0].GetString_().GetSval() != "pg_catalog" {
			return 0, false
		}
		name, qualified = tn.Names[1].GetString_().GetSval(), true
	default:
		return 0, false
	}
	name = strings.ToLower(name)
	c, ok := castTypes[name]
	if qualified && c == castFloat64 {
		c = castFloatAmbiguous
	}
	return c, ok
}

// valueOf reads a predicate's constant side: a literal, a cast of one
// ('2024-01-01'::date, DATE '2024-01-01', CAST(5 AS bigint)), a negated
// number, or a parameter with its casts.
func valueOf(n *pg_query.Node) (hintValue, bool) {
	switch e := n.GetNode().(type) {
	case *pg_query.Node_AConst:
		v, ok := constValue(e.AConst)
		return hintValue{Const: v}, ok
	case *pg_query.Node_ParamRef:
		if e.ParamRef.Number < 1 {
			return hintValue{}, false
		}
		return hintValue{Param: int(e.ParamRef.Number)}, true
	case *pg_query.Node_TypeCast:
		cast, ok := castOf(e.TypeCast.TypeName)
		if !ok {
			return hintValue{}, false
		}
		v, ok := valueOf(e.TypeCast.Arg)
		if !ok {
			return hintValue{}, false
		}
		if v.Param > 0 {
			v.Casts = append(v.Casts, cast)
			return v, true
		}
		v.Const, ok = applyCast(v.Const, cast)
		return v, ok
	case *pg_query.Node_AExpr:
		// Prefix - or + on a number. (The parser folds "-5" into the
		// constant; "-5::bigint" casts first and negates after.)
		x := e.AExpr
		op := operatorName(x.Name)
		if x.Kind != pg_query.A_Expr_Kind_AEXPR_OP || x.Lexpr != nil || (op != "-" && op != "+") {
			return hintValue{}, false
		}
		v, ok := valueOf(x.Rexpr)
		if !ok || v.Param > 0 {
			return hintValue{}, false
		}
		switch c := &v.Const; {
		case c.Kind == catalog.KindInt:
			if op == "-" {
				if c.Int == math.MinInt64 {
					return hintValue{}, false
				}
				c.Int = -c.Int
			}
		case c.Kind == catalog.KindFloat:
			if op == "-" {
				c.Float = -c.Float
			}
		default:
			return hintValue{}, false
		}
		return v, true
	}
	return hintValue{}, false
}

// constValue reads a literal. A quoted literal stays a string: its type
// is the column's, which the catalog knows and the query text does not.
func constValue(c *pg_query.A_Const) (catalog.Value, bool) {
	if c == nil || c.Isnull {
		return catalog.Value{}, false
	}
	switch v := c.Val.(type) {
	case *pg_query.A_Const_Ival:
		return catalog.Int(int64(v.Ival.GetIval())), true
	case *pg_query.A_Const_Fval:
		// Numbers beyond int32 and numbers with a point or exponent.
		return parseNumber(v.Fval.GetFval())
	case *pg_query.A_Const_Boolval:
		return catalog.Bool(v.Boolval.GetBoolval()), true
	case *pg_query.A_Const_Sval:
		return catalog.String(v.Sval.GetSval()), true
	}
	return catalog.Value{}, false // bit strings
}

func isNullConst(n *pg_query.Node) bool {
	c := n.GetAConst()
	return c != nil && c.Isnull
}

// parseNumber reads a numeric literal: an integer when it is one, else a
// float64. PostgreSQL 16's 0x1F, 0o17, 0b101 and 1_000 forms are not read.
func parseNumber(s string) (catalog.Value, bool) {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return catalog.Int(i), true
	}
	if strings.Trim(s, "0123456789.eE+-") != "" {
		return catalog.Value{}, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return catalog.Value{}, false
	}
	return catalog.Float(f), true
}

// applyCast casts a constant, or returns false where DuckDB's result is not
// certain to be the value computed here.
func applyCast(v catalog.Value, c castType) (catalog.Value, bool) {
	switch c {
	case castInt16, castInt32, castInt64:
		// A fraction is rounded by DuckDB ('5.7'::int is 6): not taken.
		i := v.Int
		switch v.Kind {
		case catalog.KindInt:
		case catalog.KindString:
			n, err := strconv.ParseInt(v.Str, 10, 64)
			if err != nil {
				return catalog.Value{}, false
			}
			i = n
		default:
			return catalog.Value{}, false
		}
		limit := int64(math.MaxInt64)
		switch c {
		case castInt16:
			limit = math.MaxInt16
		case castInt32:
			limit = math.MaxInt32
		}
		if i > limit || i < -limit-1 {
			return catalog.Value{}, false
		}
		return catalog.Int(i), true
	case castFloat32, castFloat64, castFloatAmbiguous:
		var f float64
		switch v.Kind {
		case catalog.KindInt:
			if v.Int > 1<<53 || v.Int < -1<<53 {
				return catalog.Value{}, false // not exact as a float
			}
			f = float64(v.Int)
		case catalog.KindFloat:
			// A literal with more digits than a float64 holds reaches DuckDB
			// as a DECIMAL whose conversion may round differently.
			f = v.Float
			if significantDigits(f) > 15 {
				return catalog.Value{}, false
			}
		case catalog.KindString:
			var ok bool
			if f, ok = parseFloatText(v.Str); !ok {
				return catalog.Value{}, false
			}
		default:
			return catalog.Value{}, false
		}
		// A value a 4-byte float cannot hold is rounded, and the rounding of
		// a decimal through a double may differ by a unit in the last place.
		if c != castFloat64 && float64(float32(f)) != f {
			return catalog.Value{}, false
		}
		return catalog.Float(f), true
	case castNumeric:
		return numericValue(v)
	case castText:
		if v.Kind == catalog.KindString {
			return v, true
		}
	case castBool:
		switch v.Kind {
		case catalog.KindBool:
			return v, true
		case catalog.KindString:
			return v.CoerceTo(catalog.KindBool)
		}
	case castDate:
		switch v.Kind {
		case catalog.KindDate:
			return v, true
		case catalog.KindString:
			return v.CoerceTo(catalog.KindDate)
		}
	case castTimestamp, castTimestampTZ:
		switch v.Kind {
		case catalog.KindDate, catalog.KindTimestamp:
			return catalog.Value{Kind: catalog.KindTimestamp, Int: v.Int}, true
		case catalog.KindString:
			return timestampValue(v.Str, c == castTimestampTZ)
		}
	}
	return catalog.Value{}, false
}

// parseFloatText reads a float as DuckDB does, but only plain decimal
// forms (strconv also reads hex floats and underscores).
func parseFloatText(s string) (float64, bool) {
	lower := strings.ToLower(s)
	if strings.ContainsAny(lower, "x_") {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

func significantDigits(f float64) int {
	s := strconv.FormatFloat(math.Abs(f), 'e', -1, 64)
	mantissa, _, _ := strings.Cut(s, "e")
	return len(strings.Replace(mantissa, ".", "", 1))
}

// numericValue casts to DuckDB's DECIMAL(18,3): only values that need no
// rounding and fit its 15 integer digits.
func numericValue(v catalog.Value) (catalog.Value, bool) {
	const limit = 1e15
	switch v.Kind {
	case catalog.KindInt:
		if v.Int > -limit && v.Int < limit {
			return v, true
		}
	case catalog.KindFloat:
		s := strconv.FormatFloat(v.Float, 'f', -1, 64)
		_, frac, _ := strings.Cut(s, ".")
		if len(frac) <= 3 && math.Abs(v.Float) < limit {
			return v, true
		}
	case catalog.KindString:
		s := strings.TrimPrefix(strings.TrimPrefix(v.Str, "-"), "+")
		whole, frac, hasPoint := strings.Cut(s, ".")
		if whole == "" || len(whole) > 15 || len(frac) > 3 || !allDigits(whole) || !allDigits(frac) {
			return catalog.Value{}, false
		}
		if !hasPoint {
			return parseNumber(v.Str)
		}
		f, err := strconv.ParseFloat(v.Str, 64)
		return catalog.Float(f), err == nil
	}
	return catalog.Value{}, false
}

func allDigits(s string) bool {
	return strings.Trim(s, "0123456789") == ""
}

// timestampValue reads a timestamp literal. With a time zone an offset is
// applied and its absence means UTC, the sessions' only time zone. Without
// one, DuckDB refuses an offset that PostgreSQL would ignore. Digits beyond
// microseconds are truncated by DuckDB but rounded by PostgreSQL: not read.
func timestampValue(s string, withZone bool) (catalog.Value, bool) {
	s = strings.TrimSpace(s)
	if len(s) < len("2006-01-02") {
		return catalog.Value{}, false
	}
	clock := s[len("2006-01-02"):]
	if !withZone && strings.ContainsAny(clock, "Zz+-") {
		return catalog.Value{}, false
	}
	if _, frac, ok := strings.Cut(clock, "."); ok {
		if digits := len(frac) - len(strings.TrimLeft(frac, "0123456789")); digits > 6 {
			return catalog.Value{}, false
		}
	}
	v, ok := catalog.String(s).CoerceTo(catalog.KindTimestamp)
	if !ok {
		return catalog.Value{}, false
	}
	return catalog.Value{Kind: catalog.KindTimestamp, Int: v.Int}, true
}

// String formats the value as SQL, for tests and logs.
func (v hintValue) String() string {
	if v.Param == 0 {
		return formatHintConst(v.Const)
	}
	var b strings.Builder
	b.WriteString("$" + strconv.Itoa(v.Param))
	for _, c := range v.Casts {
		b.WriteString("::" + c.String())
	}
	return b.String()
}

func formatHintConst(v catalog.Value) string {
	switch v.Kind {
	case catalog.KindBool:
		return strconv.FormatBool(v.Int != 0)
	case catalog.KindInt:
		return strconv.FormatInt(v.Int, 10)
	case catalog.KindFloat:
		s := strconv.FormatFloat(v.Float, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eIN") {
			s += ".0" // tell 5.0 from 5
		}
		return s
	case catalog.KindString:
		return quoteLiteral(v.Str)
	case catalog.KindDate:
		return "DATE '" + time.UnixMicro(v.Int).UTC().Format("2006-01-02") + "'"
	case catalog.KindTimestamp:
		return "TIMESTAMP '" + time.UnixMicro(v.Int).UTC().Format("2006-01-02 15:04:05.999999") + "'"
	}
	return "?"
}

// String formats the predicate as SQL, for tests and logs.
func (p hintPredicate) String() string {
	s := p.Column + " " + p.Op.String()
	switch {
	case p.Op == catalog.OpIn:
		values := make([]string, len(p.Values))
		for i, v := range p.Values {
			values[i] = v.String()
		}
		s += " (" + strings.Join(values, ", ") + ")"
	case len(p.Values) > 0:
		s += " " + p.Values[0].String()
	}
	return s
}
