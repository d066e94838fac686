package catalog

import (
	"encoding/hex"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/iceberg-go"
	"github.com/google/uuid"
)

// Iceberg types as DuckDB types, and Iceberg values (partition values,
// initial defaults) as DuckDB literals.

// duckType is the DuckDB type that holds an Iceberg type. Nested types
// keep their field names, which is how DuckDB matches struct children.
func duckType(t iceberg.Type) (string, error) {
	switch t := t.(type) {
	case iceberg.BooleanType:
		return "BOOLEAN", nil
	case iceberg.Int32Type:
		return "INTEGER", nil
	case iceberg.Int64Type:
		return "BIGINT", nil
	case iceberg.Float32Type:
		return "FLOAT", nil
	case iceberg.Float64Type:
		return "DOUBLE", nil
	case iceberg.DecimalType:
		return fmt.Sprintf("DECIMAL(%d,%d)", t.Precision(), t.Scale()), nil
	case iceberg.DateType:
		return "DATE", nil
	case iceberg.TimeType:
		return "TIME", nil
	case iceberg.TimestampType:
		return "TIMESTAMP", nil
	case iceberg.TimestampTzType:
		return "TIMESTAMPTZ", nil
	case iceberg.TimestampNsType:
		return "TIMESTAMP_NS", nil
	case iceberg.TimestampTzNsType:
		// DuckDB has no nanosecond TIMESTAMPTZ; microseconds are kept.
		return "TIMESTAMPTZ", nil
	case iceberg.StringType:
		return "VARCHAR", nil
	case iceberg.UUIDType:
		return "UUID", nil
	case iceberg.FixedType, iceberg.BinaryType:
		return "BLOB", nil
	case iceberg.GeometryType, iceberg.GeographyType:
		return "BLOB", nil // well-known binary, as stored
	case iceberg.UnknownType:
		return "VARCHAR", nil // always NULL
	case *iceberg.StructType:
		fields := make([]string, len(t.FieldList))
		for i, f := range t.FieldList {
			ft, err := duckType(f.Type)
			if err != nil {
				return "", fmt.Errorf("%s: %w", f.Name, err)
			}
			fields[i] = duckIdent(f.Name) + " " + ft
		}
		return "STRUCT(" + strings.Join(fields, ", ") + ")", nil
	case *iceberg.ListType:
		et, err := duckType(t.Element)
		if err != nil {
			return "", err
		}
		return et + "[]", nil
	case *iceberg.MapType:
		kt, err := duckType(t.KeyType)
		if err != nil {
			return "", err
		}
		vt, err := duckType(t.ValueType)
		if err != nil {
			return "", err
		}
		return "MAP(" + kt + ", " + vt + ")", nil
	}
	return "", fmt.Errorf("iceberg type %s has no DuckDB equivalent here", t)
}

// duckIdent quotes an identifier for DuckDB.
func duckIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// valueText is the text DuckDB casts to the value v of type t: a
// partition value as iceberg-go decodes it from a manifest, or a default.
// ok is false for a value of a shape it does not know.
func valueText(t iceberg.Type, v any) (string, bool) {
	if lit, ok := v.(iceberg.Literal); ok {
		v = lit.Any() // manifests decode some partition values as literals
	}
	switch t.(type) {
	case iceberg.BooleanType:
		if b, ok := v.(bool); ok {
			return strconv.FormatBool(b), true
		}
	case iceberg.Int32Type, iceberg.Int64Type:
		if i, ok := asInt64(v); ok {
			return strconv.FormatInt(i, 10), true
		}
	case iceberg.Float32Type:
		if f, ok := v.(float32); ok {
			return floatText(float64(f), 32), true
		}
		if f, ok := v.(float64); ok {
			return floatText(f, 32), true
		}
	case iceberg.Float64Type:
		if f, ok := v.(float64); ok {
			return floatText(f, 64), true
		}
		if f, ok := v.(float32); ok {
			return floatText(float64(f), 32), true
		}
	case iceberg.DecimalType:
		return decimalText(v, t.(iceberg.DecimalType).Scale())
	case iceberg.DateType:
		if d, ok := asInt64(v); ok {
			return time.Unix(d*86400, 0).UTC().Format("2006-01-02"), true
		}
		if tm, ok := v.(time.Time); ok {
			return tm.UTC().Format("2006-01-02"), true
		}
	case iceberg.TimeType:
		if us, ok := asInt64(v); ok {
			return time.UnixMicro(us).UTC().Format("15:04:05.999999"), true
		}
		if d, ok := v.(time.Duration); ok {
			return time.UnixMicro(d.Microseconds()).UTC().Format("15:04:05.999999"), true
		}
	case iceberg.TimestampType:
		if us, ok := asInt64(v); ok {
			return time.UnixMicro(us).UTC().Format("2006-01-02 15:04:05.999999"), true
		}
		if tm, ok := v.(time.Time); ok {
			return tm.UTC().Format("2006-01-02 15:04:05.999999"), true
		}
	case iceberg.TimestampTzType:
		if us, ok := asInt64(v); ok {
			return time.UnixMicro(us).UTC().Format("2006-01-02 15:04:05.999999+00"), true
		}
		if tm, ok := v.(time.Time); ok {
			return tm.UTC().Format("2006-01-02 15:04:05.999999+00"), true
		}
	case iceberg.TimestampNsType, iceberg.TimestampTzNsType:
		if ns, ok := asInt64(v); ok {
			s := time.Unix(0, ns).UTC().Format("2006-01-02 15:04:05.999999999")
			if _, tz := t.(iceberg.TimestampTzNsType); tz {
				s += "+00"
			}
			return s, true
		}
	case iceberg.StringType:
		if s, ok := v.(string); ok {
			return s, true
		}
	case iceberg.UUIDType:
		switch u := v.(type) {
		case uuid.UUID:
			return u.String(), true
		case [16]byte:
			return uuid.UUID(u).String(), true
		case []byte:
			if id, err := uuid.FromBytes(u); err == nil {
				return id.String(), true
			}
		case string:
			return u, true
		}
	case iceberg.BinaryType, iceberg.FixedType:
		if b, ok := v.([]byte); ok {
			return blobText(b), true
		}
		if s, ok := v.(iceberg.FixedLiteral); ok {
			return blobText([]byte(s)), true
		}
		if s, ok := v.(iceberg.BinaryLiteral); ok {
			return blobText([]byte(s)), true
		}
	}
	return "", false
}

func asInt64(v any) (int64, bool) {
	switch v := v.(type) {
	case int32:
		return int64(v), true
	case int64:
		return v, true
	case int:
		return int64(v), true
	case iceberg.Date:
		return int64(v), true
	case iceberg.Time:
		return int64(v), true
	case iceberg.Timestamp:
		return int64(v), true
	case iceberg.TimestampNano:
		return int64(v), true
	}
	return 0, false
}

// floatText is a float's shortest text at its own width, with DuckDB's
// names for the special values.
func floatText(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return strconv.FormatFloat(f, 'g', -1, bits)
}

func decimalText(v any, scale int) (string, bool) {
	switch d := v.(type) {
	case iceberg.Decimal:
		return d.String(), true
	case decimal128.Num:
		return d.ToString(int32(scale)), true
	case *big.Rat:
		return d.FloatString(scale), true
	case []byte: // two's-complement big-endian unscaled value
		n := new(big.Int).SetBytes(d)
		if len(d) > 0 && d[0]&0x80 != 0 {
			n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(d))))
		}
		return new(big.Rat).SetFrac(n, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil)).FloatString(scale), true
	}
	return "", false
}

// blobText is bytes as DuckDB's BLOB text (\xNN escapes).
func blobText(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		sb.WriteString(`\x`)
		sb.WriteString(strings.ToUpper(hex.EncodeToString([]byte{c})))
	}
	return sb.String()
}

// defaultLiteral renders a field's initial-default (Iceberg's JSON single
// value serialization, as encoding/json decoded it) as the VARCHAR text
// read_parquet casts to the column type for files without the column;
// "NULL::VARCHAR" when there is none. exact is the default's JSON text
// when it is a number. Nested defaults are not supported.
func defaultLiteral(f iceberg.NestedField, exact string) (string, bool) {
	if f.InitialDefault == nil {
		return "NULL::VARCHAR", true
	}
	var text string
	switch v := f.InitialDefault.(type) {
	case bool:
		text = strconv.FormatBool(v)
	case float64:
		switch f.Type.(type) {
		case iceberg.Float32Type:
			text = floatText(v, 32)
		case iceberg.Float64Type:
			text = floatText(v, 64)
		default:
			text = exact
			if text == "" {
				text = strconv.FormatFloat(v, 'f', -1, 64)
			}
		}
	case string:
		switch f.Type.(type) {
		case iceberg.BinaryType, iceberg.FixedType:
			b, err := hex.DecodeString(v)
			if err != nil {
				return "", false
			}
			text = blobText(b)
		default:
			text = v
		}
	default:
		if s, ok := valueText(f.Type, v); ok {
			text = s
		} else {
			return "", false
		}
	}
	return quoteLiteral(text), true
}
