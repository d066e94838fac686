package server

import (
	"encoding/binary"
	"math"
	"math/bits"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/lakegate/lakegate/engine"
)

// The binary format is what PostgreSQL's send functions write. Fixed-width
// values (bool, integers, floats, date, time, timetz, timestamp, interval,
// uuid) are written here with encoding/binary rather than through pgtype's
// encode plans: a plan's Encode takes the value as `any`, which boxes, and
// so allocates, every int64, float and time on the hot path, to produce
// what is a plain big-endian copy. Numeric is written from the scaled
// integer DuckDB stores: pgtype's numeric plan goes through math/big,
// allocating several times per value, and keeps zero digits PostgreSQL
// strips.

// Offsets between DuckDB's epoch (1970-01-01) and PostgreSQL's
// (2000-01-01).
const (
	pgEpochDays   = 10957
	pgEpochMicros = pgEpochDays * microsPerDay
)

// binaryEncoder returns the encoder of values of shape s in the binary form
// of type t, or nil when that form is the text (text, json, and announced
// types the vector's kind cannot be sent as).
func binaryEncoder(t engine.Type, s *engine.Shape) columnEncoder {
	k := s.Kind
	switch t.OID {
	case pgtype.BoolOID:
		if k == engine.KindBool {
			return binaryBool
		}
	case pgtype.Int2OID:
		if isIntKind(k) {
			return binaryInt2
		}
	case pgtype.Int4OID:
		if isIntKind(k) {
			return binaryInt4
		}
	case pgtype.Int8OID:
		if isIntKind(k) {
			return binaryInt8
		}
	case pgtype.OIDOID:
		// oidsend: an unsigned 32-bit integer.
		if isIntKind(k) {
			return binaryInt4
		}
	case pgtype.QCharOID:
		// charsend: the one byte ("" is the zero byte).
		if k == engine.KindVarchar {
			return binaryChar
		}
	case pgtype.Float4OID:
		if k == engine.KindFloat32 {
			return binaryFloat4
		}
	case pgtype.Float8OID:
		switch k {
		case engine.KindFloat64:
			return binaryFloat8
		case engine.KindFloat32:
			return binaryFloat4As8
		}
	case pgtype.NumericOID:
		if isIntKind(k) || k == engine.KindUint64 || k == engine.KindHugeint ||
			k == engine.KindUhugeint || k == engine.KindDecimal {
			return newNumericEncoder(s)
		}
	case pgtype.ByteaOID:
		if k == engine.KindBlob || k == engine.KindVarchar {
			return textBytes
		}
	case pgtype.DateOID:
		if k == engine.KindDate {
			return binaryDate
		}
	case pgtype.TimeOID:
		if k == engine.KindTime || k == engine.KindTimeNS {
			return binaryTime
		}
	case pgtype.TimetzOID:
		if k == engine.KindTimeTZ {
			return binaryTimeTZ
		}
	case pgtype.TimestampOID, pgtype.TimestamptzOID:
		// Both are microseconds since 2000-01-01 UTC on the wire.
		if k == engine.KindTimestamp || k == engine.KindTimestampTZ {
			return binaryTimestamp
		}
	case pgtype.IntervalOID:
		if k == engine.KindInterval {
			return binaryInterval
		}
	case pgtype.UUIDOID:
		if k == engine.KindUUID {
			return binaryUUID
		}
	default:
		if isArrayType(t) && (k == engine.KindList || k == engine.KindArray) {
			return binaryArrayEncoder(t, s)
		}
	}
	return nil
}

// isIntKind reports whether Vector.Int reads kind k.
func isIntKind(k engine.Kind) bool {
	switch k {
	case engine.KindInt8, engine.KindInt16, engine.KindInt32, engine.KindInt64,
		engine.KindUint8, engine.KindUint16, engine.KindUint32:
		return true
	}
	return false
}

func binaryBool(buf []byte, v *engine.Vector, row int) []byte {
	if v.Bool(row) {
		return append(buf, 1)
	}
	return append(buf, 0)
}

func binaryChar(buf []byte, v *engine.Vector, row int) []byte {
	if b := v.Bytes(row); len(b) > 0 {
		return append(buf, b[0])
	}
	return append(buf, 0)
}

func binaryInt2(buf []byte, v *engine.Vector, row int) []byte {
	return binary.BigEndian.AppendUint16(buf, uint16(v.Int(row)))
}

func binaryInt4(buf []byte, v *engine.Vector, row int) []byte {
	return binary.BigEndian.AppendUint32(buf, uint32(v.Int(row)))
}

func binaryInt8(buf []byte, v *engine.Vector, row int) []byte {
	return binary.BigEndian.AppendUint64(buf, uint64(v.Int(row)))
}

func binaryFloat4(buf []byte, v *engine.Vector, row int) []byte {
	return binary.BigEndian.AppendUint32(buf, math.Float32bits(v.Float32(row)))
}

func binaryFloat8(buf []byte, v *engine.Vector, row int) []byte {
	return binary.BigEndian.AppendUint64(buf, math.Float64bits(v.Float64(row)))
}

func binaryFloat4As8(buf []byte, v *engine.Vector, row int) []byte {
	return binary.BigEndian.AppendUint64(buf, math.Float64bits(float64(v.Float32(row))))
}

// binaryDate is date_send: days since 2000-01-01, with infinities at the
// ends of int32.
func binaryDate(buf []byte, v *engine.Vector, row int) []byte {
	days := v.Days(row)
	switch days {
	case engine.InfinityDays:
		return binary.BigEndian.AppendUint32(buf, math.MaxInt32)
	case engine.NegInfinityDays:
		return binary.BigEndian.AppendUint32(buf, 1<<31) // math.MinInt32
	}
	return binary.BigEndian.AppendUint32(buf, uint32(days-pgEpochDays))
}

func binaryTime(buf []byte, v *engine.Vector, row int) []byte {
	return binary.BigEndian.AppendUint64(buf, uint64(v.Micros(row)))
}

// binaryTimeTZ is timetz_send: the time, then the zone as seconds west of
// UTC (PostgreSQL's sign convention, the opposite of DuckDB's).
func binaryTimeTZ(buf []byte, v *engine.Vector, row int) []byte {
	micros, east := v.TimeTZ(row)
	buf = binary.BigEndian.AppendUint64(buf, uint64(micros))
	return binary.BigEndian.AppendUint32(buf, uint32(-east))
}

// binaryTimestamp is timestamp_send and timestamptz_send: microseconds
// since 2000-01-01 UTC, with infinities at the ends of int64.
func binaryTimestamp(buf []byte, v *engine.Vector, row int) []byte {
	micros := v.Micros(row)
	switch micros {
	case engine.InfinityMicros:
		return binary.BigEndian.AppendUint64(buf, math.MaxInt64)
	case engine.NegInfinityMicros:
		return binary.BigEndian.AppendUint64(buf, 1<<63) // math.MinInt64
	}
	return binary.BigEndian.AppendUint64(buf, uint64(micros-pgEpochMicros))
}

func binaryInterval(buf []byte, v *engine.Vector, row int) []byte {
	months, days, micros := v.Interval(row)
	buf = binary.BigEndian.AppendUint64(buf, uint64(micros))
	buf = binary.BigEndian.AppendUint32(buf, uint32(days))
	return binary.BigEndian.AppendUint32(buf, uint32(months))
}

func binaryUUID(buf []byte, v *engine.Vector, row int) []byte {
	u := v.UUID(row)
	return append(buf, u[:]...)
}

// newNumericEncoder is numeric_send for integers wider than int8 (scale 0)
// and for decimals, whose values are integers scaled down by 10^Scale. The
// 64-bit kinds and decimals of width up to 18, which DuckDB stores in at
// most an int64, take the 64-bit path; HUGEINT, UHUGEINT and wider
// decimals the 128-bit one.
func newNumericEncoder(s *engine.Shape) columnEncoder {
	scale := int(s.Scale)
	switch {
	case s.Kind == engine.KindUint64:
		return func(buf []byte, v *engine.Vector, row int) []byte {
			return appendNumeric(buf, false, 0, v.Uint64(row), scale)
		}
	case s.Kind == engine.KindUhugeint:
		return func(buf []byte, v *engine.Vector, row int) []byte {
			hi, lo := v.Int128(row)
			return appendNumeric(buf, false, uint64(hi), lo, scale)
		}
	case s.Kind == engine.KindHugeint, s.Kind == engine.KindDecimal && s.Width > 18:
		return func(buf []byte, v *engine.Vector, row int) []byte {
			hi, lo := v.Int128(row)
			if hi >= 0 {
				return appendNumeric(buf, false, uint64(hi), lo, scale)
			}
			var borrow uint64
			lo, borrow = bits.Sub64(0, lo, 0)
			uhi, _ := bits.Sub64(0, uint64(hi), borrow)
			return appendNumeric(buf, true, uhi, lo, scale)
		}
	case s.Kind == engine.KindDecimal:
		return func(buf []byte, v *engine.Vector, row int) []byte {
			_, lo := v.Int128(row)
			return appendNumericInt64(buf, int64(lo), scale)
		}
	}
	return func(buf []byte, v *engine.Vector, row int) []byte {
		return appendNumericInt64(buf, v.Int(row), scale)
	}
}

func appendNumericInt64(buf []byte, n int64, scale int) []byte {
	if n < 0 {
		return appendNumeric(buf, true, 0, -uint64(n), scale)
	}
	return appendNumeric(buf, false, 0, uint64(n), scale)
}

// Numeric sign words (numeric.c).
const (
	numericPos = 0x0000
	numericNeg = 0x4000
)

// pow10 holds 10^0 to 10^4.
var pow10 = [5]uint64{1, 10, 100, 1000, 10000}

// appendNumeric appends numeric_send's form of (neg ? -1 : 1) * (hi*2^64 +
// lo) / 10^scale: the number of base-10000 digits, the weight (the power
// of 10000 of the first digit), the sign, the display scale (the column's
// scale), and the digits, most significant first. The digits are aligned
// on the decimal point and, as PostgreSQL strips them, none is zero at
// either end; zero has no digits, weight 0 and a positive sign.
func appendNumeric(buf []byte, neg bool, hi, lo uint64, scale int) []byte {
	// Digits, least significant first. The value is below 2^128 < 10^39:
	// at most one partial group below, two 10^16 blocks of four groups
	// and two more groups above.
	var digits [16]uint16
	n := 0
	r := scale % 4
	if hi != 0 {
		if r != 0 {
			// The last digit holds the r lowest decimal digits, followed
			// by zeros up to the group's width.
			var rem uint64
			hi, rem = bits.Div64(0, hi, pow10[r])
			lo, rem = bits.Div64(rem, lo, pow10[r])
			digits[0] = uint16(rem * pow10[4-r])
			n, r = 1, 0
		}
		for hi != 0 {
			const block = 1e16 // 10000^4, below 2^64
			var rem uint64
			hi, rem = bits.Div64(0, hi, block)
			lo, rem = bits.Div64(rem, lo, block)
			for range 4 {
				digits[n] = uint16(rem % 10000)
				rem /= 10000
				n++
			}
		}
	}
	// The rest fits a uint64, and constant divisors are multiplications.
	switch r {
	case 1:
		digits[0], lo, n = uint16(lo%10*1000), lo/10, 1
	case 2:
		digits[0], lo, n = uint16(lo%100*100), lo/100, 1
	case 3:
		digits[0], lo, n = uint16(lo%1000*10), lo/1000, 1
	}
	for ; lo != 0; n++ {
		digits[n] = uint16(lo % 10000)
		lo /= 10000
	}
	top := n - 1
	for top >= 0 && digits[top] == 0 {
		top--
	}
	if top < 0 {
		return append(buf, 0, 0, 0, 0, 0, 0, byte(scale>>8), byte(scale))
	}
	bottom := 0
	for digits[bottom] == 0 {
		bottom++
	}
	count := top - bottom + 1
	weight := top - (scale+3)/4
	sign := numericPos
	if neg {
		sign = numericNeg
	}
	buf = append(buf,
		byte(count>>8), byte(count),
		byte(weight>>8), byte(weight),
		byte(sign>>8), byte(sign),
		byte(scale>>8), byte(scale))
	for i := top; i >= bottom; i-- {
		buf = append(buf, byte(digits[i]>>8), byte(digits[i]))
	}
	return buf
}
