package server

import (
	"fmt"
	"math"
	"math/big"
	"reflect"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

// TestEncodeRoundTrip decodes what the encoders send, in both formats, the
// way a Go client does (pgtype, under the announced type), and compares it
// with the value the DuckDB expression stands for.
func TestEncodeRoundTrip(t *testing.T) {
	date := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	i32 := func(n int32) *int32 { return &n }
	str := func(s string) *string { return &s }
	cases := []struct {
		expr string
		dst  func() any // a pointer to scan into
		want any        // compared after normalize
	}{
		{"true", func() any { return new(bool) }, true},
		{"(-128)::TINYINT", func() any { return new(int16) }, int16(-128)},
		{"255::UTINYINT", func() any { return new(int16) }, int16(255)},
		{"65535::USMALLINT", func() any { return new(int32) }, int32(65535)},
		{"4294967295::UINTEGER", func() any { return new(int64) }, int64(4294967295)},
		{"(-9223372036854775808)::BIGINT", func() any { return new(int64) }, int64(math.MinInt64)},
		{"0.1::REAL", func() any { return new(float32) }, float32(0.1)},
		{"'-inf'::REAL", func() any { return new(float32) }, float32(math.Inf(-1))},
		{"1e100::DOUBLE", func() any { return new(float64) }, 1e100},
		{"'nan'::DOUBLE", func() any { return new(float64) }, "NaN"},
		{"18446744073709551615::UBIGINT", func() any { return new(pgtype.Numeric) }, "18446744073709551615"},
		{"170141183460469231731687303715884105727::HUGEINT", func() any { return new(pgtype.Numeric) }, "170141183460469231731687303715884105727"},
		{"(-170141183460469231731687303715884105727 - 1)::HUGEINT", func() any { return new(pgtype.Numeric) }, "-170141183460469231731687303715884105728"},
		{"340282366920938463463374607431768211455::UHUGEINT", func() any { return new(pgtype.Numeric) }, "340282366920938463463374607431768211455"},
		{"1.5::DECIMAL(10,2)", func() any { return new(pgtype.Numeric) }, "3/2"},
		{"0::DECIMAL(10,2)", func() any { return new(pgtype.Numeric) }, "0"},
		{"10000::DECIMAL(10,0)", func() any { return new(pgtype.Numeric) }, "10000"},
		{"0.00000001::DECIMAL(18,8)", func() any { return new(pgtype.Numeric) }, "1/100000000"},
		{"(-9999999999999999999999999999.9999999999)::DECIMAL(38,10)", func() any { return new(pgtype.Numeric) }, "-99999999999999999999999999999999999999/10000000000"},
		{"10000::DECIMAL(10,2)", func() any { return new(pgtype.Numeric) }, "10000"},
		{"0.0001::DECIMAL(10,4)", func() any { return new(pgtype.Numeric) }, "1/10000"},
		{"0.0001::DECIMAL(18,8)", func() any { return new(pgtype.Numeric) }, "1/10000"},
		{"(-0.5)::DECIMAL(4,1)", func() any { return new(pgtype.Numeric) }, "-1/2"},
		{"(-12345)::DECIMAL(9,0)", func() any { return new(pgtype.Numeric) }, "-12345"},
		{"0::DECIMAL(4,0)", func() any { return new(pgtype.Numeric) }, "0"},
		{"0.123456789012345678::DECIMAL(18,18)", func() any { return new(pgtype.Numeric) }, "61728394506172839/500000000000000000"},
		{"(-0.000000000000000001)::DECIMAL(18,18)", func() any { return new(pgtype.Numeric) }, "-1/1000000000000000000"},
		{"100000000000000000000::DECIMAL(38,0)", func() any { return new(pgtype.Numeric) }, "100000000000000000000"},
		{"(-0.5)::DECIMAL(38,18)", func() any { return new(pgtype.Numeric) }, "-1/2"},
		{"92233720368547758.07::DECIMAL(38,2)", func() any { return new(pgtype.Numeric) }, "9223372036854775807/100"},
		{"(-12345678901234567890.12345678901)::DECIMAL(38,11)", func() any { return new(pgtype.Numeric) }, "-1234567890123456789012345678901/100000000000"},
		{"0::DECIMAL(38,38)", func() any { return new(pgtype.Numeric) }, "0"},
		{"(-0.5)::DECIMAL(38,38)", func() any { return new(pgtype.Numeric) }, "-1/2"},
		{"'0.99999999999999999999999999999999999999'::DECIMAL(38,38)", func() any { return new(pgtype.Numeric) }, "99999999999999999999999999999999999999/100000000000000000000000000000000000000"},
		{"(-1)::DECIMAL(38,37)", func() any { return new(pgtype.Numeric) }, "-1"},
		{"'héllo'", func() any { return new(string) }, "héllo"},
		{"'\\x01\\x02\\xAB'::BLOB", func() any { return new([]byte) }, []byte{1, 2, 0xab}},
		{"'2024-01-02'::DATE", func() any { return new(pgtype.Date) }, pgtype.Date{Time: date(2024, 1, 2), Valid: true}},
		{"make_date(-43, 3, 15)", func() any { return new(pgtype.Date) }, pgtype.Date{Time: date(-43, 3, 15), Valid: true}},
		{"'infinity'::DATE", func() any { return new(pgtype.Date) }, pgtype.Date{InfinityModifier: pgtype.Infinity, Valid: true}},
		{"'-infinity'::DATE", func() any { return new(pgtype.Date) }, pgtype.Date{InfinityModifier: pgtype.NegativeInfinity, Valid: true}},
		{"'04:05:06.789'::TIME", func() any { return new(pgtype.Time) }, pgtype.Time{Microseconds: 14706789000, Valid: true}},
		{"'2024-01-02 03:04:05.123456'::TIMESTAMP", func() any { return new(pgtype.Timestamp) },
			pgtype.Timestamp{Time: time.Date(2024, 1, 2, 3, 4, 5, 123456000, time.UTC), Valid: true}},
		{"'1969-12-31 23:59:59.5'::TIMESTAMP", func() any { return new(pgtype.Timestamp) },
			pgtype.Timestamp{Time: time.Date(1969, 12, 31, 23, 59, 59, 500000000, time.UTC), Valid: true}},
		{"'-infinity'::TIMESTAMP", func() any { return new(pgtype.Timestamp) }, pgtype.Timestamp{InfinityModifier: pgtype.NegativeInfinity, Valid: true}},
		{"'2024-01-02 03:04:05+02'::TIMESTAMPTZ", func() any { return new(pgtype.Timestamptz) },
			pgtype.Timestamptz{Time: time.Date(2024, 1, 2, 1, 4, 5, 0, time.UTC), Valid: true}},
		{"INTERVAL '1 year 2 months 3 days 04:05:06.789'", func() any { return new(pgtype.Interval) },
			pgtype.Interval{Months: 14, Days: 3, Microseconds: 14706789000, Valid: true}},
		{"INTERVAL (-1) DAY + INTERVAL 2 HOUR", func() any { return new(pgtype.Interval) },
			pgtype.Interval{Days: -1, Microseconds: 7200000000, Valid: true}},
		{"'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::UUID", func() any { return new(pgtype.UUID) },
			pgtype.UUID{Bytes: [16]byte{0xa0, 0xee, 0xbc, 0x99, 0x9c, 0x0b, 0x4e, 0xf8, 0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38, 0x0a, 0x11}, Valid: true}},
		{"[1, 2, NULL]", func() any { return new([]*int32) }, []*int32{i32(1), i32(2), nil}},
		{"[]::INTEGER[]", func() any { return new([]int32) }, []int32{}},
		{"[1, 2, 3]::INTEGER[3]", func() any { return new([]int32) }, []int32{1, 2, 3}},
		{"['a', 'b c', '', 'NULL', 'x\"y', 'back\\slash', '{}', NULL]", func() any { return new([]*string) },
			[]*string{str("a"), str("b c"), str(""), str("NULL"), str(`x"y`), str(`back\slash`), str("{}"), nil}},
		{"[1.5, -2.25, 0]::DECIMAL(5,2)[]", func() any { return new([]pgtype.Numeric) }, []any{"3/2", "-9/4", "0"}},
		{"[18446744073709551615::UBIGINT]", func() any { return new([]pgtype.Numeric) }, []any{"18446744073709551615"}},
		{"['2024-01-02'::DATE, make_date(-43, 3, 15)]", func() any { return new([]time.Time) }, []time.Time{date(2024, 1, 2), date(-43, 3, 15)}},
		{"['2024-01-02 03:04:05'::TIMESTAMP]", func() any { return new([]time.Time) }, []time.Time{time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}},
		{"[1.5::DOUBLE, 'inf'::DOUBLE]", func() any { return new([]float64) }, []float64{1.5, math.Inf(1)}},
		{"[true, NULL]", func() any { return new([]*bool) }, []any{true, nil}},
		{"[INTERVAL '1 day']", func() any { return new([]pgtype.Interval) }, []pgtype.Interval{{Days: 1, Valid: true}}},
		{"['\\x01'::BLOB]", func() any { return new([][]byte) }, [][]byte{{1}}},
		{"{'a': 1, 'b': 'x', 'l': [1.5, NULL], 'm': MAP {'k': {'z': NULL}}}", func() any { return new(map[string]any) },
			map[string]any{"a": 1.0, "b": "x", "l": []any{1.5, nil}, "m": map[string]any{"k": map[string]any{"z": nil}}}},
	}
	s := newEncodeSession(t)
	m := pgtype.NewMap()
	for _, c := range cases {
		for _, format := range []int16{textFormat, binaryFormat} {
			col, src := encodeValue(t, s, c.expr, format)
			dst := c.dst()
			if err := m.Scan(col.Type.OID, format, src, dst); err != nil {
				t.Errorf("%s (format %d, oid %d): scan %q: %v", c.expr, format, col.Type.OID, src, err)
				continue
			}
			got := normalize(reflect.ValueOf(dst).Elem().Interface())
			if want := normalize(c.want); !reflect.DeepEqual(got, want) {
				t.Errorf("%s (format %d): got %#v, want %#v", c.expr, format, got, want)
			}
		}
	}
}

// normalize makes decoded values comparable: numerics become exact
// rationals, NaN a string, times UTC, pointers and slices their contents.
func normalize(v any) any {
	switch x := v.(type) {
	case pgtype.Numeric:
		r := new(big.Rat).SetInt(x.Int)
		scale := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(max(x.Exp, -x.Exp))), nil))
		if x.Exp < 0 {
			r.Quo(r, scale)
		} else {
			r.Mul(r, scale)
		}
		return r.RatString()
	case float64:
		if math.IsNaN(x) {
			return "NaN"
		}
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case pgtype.Date:
		x.Time = x.Time.UTC()
		return fmt.Sprintf("%+v", x)
	case pgtype.Timestamp:
		return fmt.Sprintf("%v %v", x.Time.UTC(), x.InfinityModifier)
	case pgtype.Timestamptz:
		return fmt.Sprintf("%v %v", x.Time.UTC(), x.InfinityModifier)
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer:
		if rv.IsNil() {
			return nil
		}
		return normalize(rv.Elem().Interface())
	case reflect.Slice:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			return v
		}
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = normalize(rv.Index(i).Interface())
		}
		return out
	}
	return v
}
