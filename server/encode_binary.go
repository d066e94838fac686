package server

import (
	"encoding/binary"
	"math"
	"math/big"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/lakegate/lakegate/engine"
)

// The binary format is what PostgreSQL's send functions write. Fixed-width
// values (bool, integers, floats, date, time, timetz, timestamp, interval,
// uuid) are written here with encoding/binary rather than through pgtype's
// encode plans: a plan's Encode takes the value as `any`, which boxes, and
// so allocates, every int64, float and time on the hot path, to produce
// what is a plain big-endian copy. Numeric, whose base-10000 format is
// intricate, goes through pgtype.

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

// numericBinaryPlan is pgtype's numeric_send for a *pgtype.Numeric; the
// pointer goes through Encode's `any` without being copied to the heap.
var numericBinaryPlan = pgtype.NumericCodec{}.PlanEncode(nil, pgtype.NumericOID, pgtype.BinaryFormatCode, (*pgtype.Numeric)(nil))

// numericEncoder sends integers wider than int8 and decimals as numeric,
// reusing one big.Int for every value of the column.
type numericEncoder struct {
	kind   engine.Kind
	num    pgtype.Numeric
	scaled big.Int
	low    big.Int
}

func newNumericEncoder(s *engine.Shape) columnEncoder {
	e := &numericEncoder{kind: s.Kind}
	e.num = pgtype.Numeric{Int: &e.scaled, Exp: -int32(s.Scale), Valid: true}
	return e.encode
}

func (e *numericEncoder) encode(buf []byte, v *engine.Vector, row int) []byte {
	switch e.kind {
	case engine.KindUint64:
		e.scaled.SetUint64(v.Uint64(row))
	case engine.KindHugeint, engine.KindDecimal, engine.KindUhugeint:
		// Two's complement halves: the value is hi*2^64 + lo with hi
		// signed, or unsigned for UHUGEINT.
		hi, lo := v.Int128(row)
		if e.kind == engine.KindUhugeint {
			e.scaled.SetUint64(uint64(hi))
		} else {
			e.scaled.SetInt64(hi)
		}
		e.scaled.Lsh(&e.scaled, 64)
		e.scaled.Add(&e.scaled, e.low.SetUint64(lo))
	default:
		e.scaled.SetInt64(v.Int(row))
	}
	start := len(buf)
	out, err := numericBinaryPlan.Encode(&e.num, buf)
	if err != nil {
		// Cannot happen: a 128-bit value has at most 39 digits.
		return buf
	}
	return canonicalNumeric(out, start)
}

// canonicalNumeric rewrites pgtype's numeric at buf[start:] into the form
// numeric_send writes: pgtype may keep base-10000 digits that are zero at
// either end (1.00 as 1|0000, 0.00000001 as 0000|0001), which readers
// accept but which is not what PostgreSQL sends; PostgreSQL strips them, and
// sends zero with no digits and weight 0.
func canonicalNumeric(buf []byte, start int) []byte {
	header := buf[start : start+8]
	digits := buf[start+8:]
	weight := int16(binary.BigEndian.Uint16(header[2:]))
	n := len(digits) / 2
	lead := 0
	for lead < n && digits[2*lead] == 0 && digits[2*lead+1] == 0 {
		lead++
	}
	end := n
	for end > lead && digits[2*end-2] == 0 && digits[2*end-1] == 0 {
		end--
	}
	count := end - lead
	if count == n && count > 0 {
		return buf
	}
	if count == 0 {
		weight = 0
		binary.BigEndian.PutUint16(header[4:], 0) // sign: zero is positive
	} else {
		weight -= int16(lead)
	}
	binary.BigEndian.PutUint16(header[0:], uint16(count))
	binary.BigEndian.PutUint16(header[2:], uint16(weight))
	copy(digits, digits[2*lead:2*end])
	return buf[:start+8+2*count]
}
