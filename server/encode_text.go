package server

import (
	"encoding/hex"
	"math/bits"
	"strconv"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/lakegate/lakegate/engine"
)

// The text format is what PostgreSQL 16's output functions print under the
// settings lakegate reports: DateStyle ISO, MDY; TimeZone UTC;
// IntervalStyle postgres; extra_float_digits 1; bytea_output hex. Clients
// parse these strings (and people diff them against PostgreSQL), so they
// follow PostgreSQL byte for byte rather than DuckDB's own spelling.

// textEncoder chooses by the vector's kind: the text form of a value does
// not depend on the type it is announced as, except that lists become
// PostgreSQL arrays or json.
func textEncoder(t engine.Type, s *engine.Shape) columnEncoder {
	switch s.Kind {
	case engine.KindBool:
		return textBool
	case engine.KindInt8, engine.KindInt16, engine.KindInt32, engine.KindInt64,
		engine.KindUint8, engine.KindUint16, engine.KindUint32:
		return textInt
	case engine.KindUint64:
		return textUint64
	case engine.KindHugeint, engine.KindDecimal:
		scale := int(s.Scale)
		if s.Kind == engine.KindDecimal && s.Width <= 18 { // at most an int64
			return func(buf []byte, v *engine.Vector, row int) []byte {
				_, lo := v.Int128(row)
				return appendDecimal64(buf, int64(lo), scale)
			}
		}
		return func(buf []byte, v *engine.Vector, row int) []byte {
			hi, lo := v.Int128(row)
			return appendInt128(buf, hi, lo, scale)
		}
	case engine.KindUhugeint:
		return textUhugeint
	case engine.KindFloat32:
		return textFloat32
	case engine.KindFloat64:
		return textFloat64
	case engine.KindVarchar, engine.KindEnum:
		return textBytes
	case engine.KindBlob:
		return textBytea
	case engine.KindBit:
		return textBit
	case engine.KindDate:
		return textDate
	case engine.KindTime, engine.KindTimeNS:
		return textTime
	case engine.KindTimeTZ:
		return textTimeTZ
	case engine.KindTimestamp:
		return textTimestamp
	case engine.KindTimestampTZ:
		return textTimestampTZ
	case engine.KindInterval:
		return textInterval
	case engine.KindUUID:
		return textUUID
	case engine.KindList, engine.KindArray:
		if t.OID == pgtype.JSONOID {
			return jsonEncoder(s)
		}
		return textArrayEncoder(elementType(t), s)
	case engine.KindStruct, engine.KindMap, engine.KindUnion:
		return jsonEncoder(s)
	}
	// A type lakegate cannot read has no values to send: DuckDB's NULL
	// type, which is always NULL, is the only one seen in results.
	return func(buf []byte, _ *engine.Vector, _ int) []byte { return buf }
}

func textBool(buf []byte, v *engine.Vector, row int) []byte {
	if v.Bool(row) {
		return append(buf, 't')
	}
	return append(buf, 'f')
}

func textInt(buf []byte, v *engine.Vector, row int) []byte {
	return strconv.AppendInt(buf, v.Int(row), 10)
}

func textUint64(buf []byte, v *engine.Vector, row int) []byte {
	return strconv.AppendUint(buf, v.Uint64(row), 10)
}

func textUhugeint(buf []byte, v *engine.Vector, row int) []byte {
	hi, lo := v.Int128(row)
	return appendUint128(buf, uint64(hi), lo, 0)
}

func textFloat32(buf []byte, v *engine.Vector, row int) []byte {
	return appendFloat(buf, float64(v.Float32(row)), 32)
}

func textFloat64(buf []byte, v *engine.Vector, row int) []byte {
	return appendFloat(buf, v.Float64(row), 64)
}

func textBytes(buf []byte, v *engine.Vector, row int) []byte {
	return append(buf, v.Bytes(row)...)
}

func textBytea(buf []byte, v *engine.Vector, row int) []byte {
	b := v.Bytes(row)
	buf = append(buf, `\x`...)
	n := len(buf)
	buf = append(buf, make([]byte, 2*len(b))...) // append(make) does not allocate
	hex.Encode(buf[n:], b)
	return buf
}

// textBit prints DuckDB's bit string: a first byte counting the padding
// bits at the start of the second, then the bits, most significant first.
func textBit(buf []byte, v *engine.Vector, row int) []byte {
	b := v.Bytes(row)
	if len(b) < 2 {
		return buf
	}
	for i := int(b[0]); i < 8*(len(b)-1); i++ {
		buf = append(buf, '0'+((b[1+i/8]>>(7-i%8))&1))
	}
	return buf
}

func textDate(buf []byte, v *engine.Vector, row int) []byte {
	return appendDate(buf, v.Days(row))
}

func textTime(buf []byte, v *engine.Vector, row int) []byte {
	return appendClock(buf, v.Micros(row))
}

func textTimeTZ(buf []byte, v *engine.Vector, row int) []byte {
	micros, offset := v.TimeTZ(row)
	buf = appendClock(buf, micros)
	return appendZone(buf, offset, false)
}

func textTimestamp(buf []byte, v *engine.Vector, row int) []byte {
	return appendTimestamp(buf, v.Micros(row), ' ', false)
}

func textTimestampTZ(buf []byte, v *engine.Vector, row int) []byte {
	return appendTimestamp(buf, v.Micros(row), ' ', true)
}

func textInterval(buf []byte, v *engine.Vector, row int) []byte {
	months, days, micros := v.Interval(row)
	return appendInterval(buf, months, days, micros)
}

func textUUID(buf []byte, v *engine.Vector, row int) []byte {
	u := v.UUID(row)
	return appendUUID(buf, &u)
}

// appendInt128 prints a two's-complement 128-bit integer scaled down by
// 10^scale, keeping exactly scale fractional digits as numeric_out does
// for a numeric with that display scale.
func appendInt128(buf []byte, hi int64, lo uint64, scale int) []byte {
	if hi < 0 {
		buf = append(buf, '-')
		var borrow uint64
		lo, borrow = bits.Sub64(0, lo, 0)
		uhi, _ := bits.Sub64(0, uint64(hi), borrow)
		return appendUint128(buf, uhi, lo, scale)
	}
	return appendUint128(buf, uint64(hi), lo, scale)
}

// appendDecimal64 is appendInt128 for a value that fits an int64, with
// the digits printed in place and the point moved in among them.
func appendDecimal64(buf []byte, n int64, scale int) []byte {
	u := uint64(n)
	if n < 0 {
		buf = append(buf, '-')
		u = -u
	}
	start := len(buf)
	buf = strconv.AppendUint(buf, u, 10)
	if scale == 0 {
		return buf
	}
	digits := len(buf) - start
	if digits > scale {
		point := len(buf) - scale
		buf = append(buf, 0)
		copy(buf[point+1:], buf[point:])
		buf[point] = '.'
		return buf
	}
	// 0.00ddd: the digits move right past "0." and the zeros.
	shift := 2 + scale - digits
	buf = append(buf, zeros[:shift]...)
	copy(buf[start+shift:], buf[start:start+digits])
	copy(buf[start:start+shift], zeros[:shift])
	buf[start+1] = '.'
	return buf
}

// zeros holds more zeros than an int64 decimal's scale and point need.
const zeros = "0000000000000000000000"

// appendUint128 is appendInt128 for an unsigned magnitude.
func appendUint128(buf []byte, hi, lo uint64, scale int) []byte {
	const chunk = 1e19 // the largest power of ten below 2^64
	var digits [40]byte
	var d []byte
	if hi == 0 {
		d = strconv.AppendUint(digits[:0], lo, 10)
	} else {
		i := len(digits)
		for hi != 0 {
			var r uint64
			hi, r = bits.Div64(0, hi, chunk)
			lo, r = bits.Div64(r, lo, chunk)
			for k := 0; k < 19; k++ {
				i--
				digits[i] = byte('0' + r%10)
				r /= 10
			}
		}
		for lo != 0 {
			i--
			digits[i] = byte('0' + lo%10)
			lo /= 10
		}
		d = digits[i:]
	}
	if scale == 0 {
		return append(buf, d...)
	}
	if len(d) > scale {
		buf = append(buf, d[:len(d)-scale]...)
		buf = append(buf, '.')
		return append(buf, d[len(d)-scale:]...)
	}
	buf = append(buf, "0."...)
	for k := len(d); k < scale; k++ {
		buf = append(buf, '0')
	}
	return append(buf, d...)
}

const (
	microsPerSecond = 1_000_000
	microsPerMinute = 60 * microsPerSecond
	microsPerHour   = 60 * microsPerMinute
	microsPerDay    = 24 * microsPerHour
)

// civil converts days since 1970-01-01 to a proleptic Gregorian date in
// astronomical year numbering (0 is 1 BC), as PostgreSQL's j2date does, for
// any int32 day count. It is Neri and Schneider's algorithm ("Euclidean
// affine functions and their application to calendar algorithms", 2022):
// a few multiplications where the usual one divides by 146097, 36524,
// 1460, 365 and 153.
func civil(days int64) (year int64, month, day int) {
	// The count starts on 0000-03-01 and is shifted by whole 400-year
	// cycles (146097 days) until every int32 day count is positive.
	const cycles = 14700
	n := uint64(days + 719468 + 146097*cycles)
	n1 := 4*n + 3
	century := n1 / 146097
	n2 := uint32(n1%146097)/4*4 + 3 // from the day of the century
	p2 := 2939745 * uint64(n2)
	yearOfCentury := uint32(p2 >> 32)
	dayOfYear := uint32(p2) / 2939745 / 4 // from March 1
	n3 := 2141*dayOfYear + 197913
	m, d := n3>>16, (n3&0xffff)/2141
	year = int64(100*century+uint64(yearOfCentury)) - 400*cycles
	if dayOfYear >= 306 { // January and February end the March-based year
		year++
		m -= 12
	}
	return year, int(m), int(d) + 1
}

// appendYMD prints a date as YYYY-MM-DD with the year of an era (at least
// four digits) and reports whether it is BC, which PostgreSQL marks with a
// " BC" suffix after the whole value.
func appendYMD(buf []byte, days int64) ([]byte, bool) {
	year, month, day := civil(days)
	bc := year <= 0
	if bc {
		year = 1 - year
	}
	if year < 10000 {
		y := uint64(year)
		hi, lo := 2*(y/100), 2*(y%100)
		buf = append(buf, digitPairs[hi], digitPairs[hi+1], digitPairs[lo], digitPairs[lo+1], '-',
			digitPairs[2*month], digitPairs[2*month+1], '-', digitPairs[2*day], digitPairs[2*day+1])
		return buf, bc
	}
	buf = strconv.AppendInt(buf, year, 10)
	buf = append(buf, '-')
	buf = append2(buf, month)
	buf = append(buf, '-')
	return append2(buf, day), bc
}

// digitPairs is "00" to "99": the two digits of n are digitPairs[2n:2n+2].
const digitPairs = "00010203040506070809" +
	"10111213141516171819" +
	"20212223242526272829" +
	"30313233343536373839" +
	"40414243444546474849" +
	"50515253545556575859" +
	"60616263646566676869" +
	"70717273747576777879" +
	"80818283848586878889" +
	"90919293949596979899"

// append2 prints 0 <= n < 100 as two digits.
func append2(buf []byte, n int) []byte {
	return append(buf, digitPairs[2*n], digitPairs[2*n+1])
}

func appendDate(buf []byte, days int32) []byte {
	switch days {
	case engine.InfinityDays:
		return append(buf, "infinity"...)
	case engine.NegInfinityDays:
		return append(buf, "-infinity"...)
	}
	buf, bc := appendYMD(buf, int64(days))
	if bc {
		buf = append(buf, " BC"...)
	}
	return buf
}

// appendClock prints a time of day (possibly 24:00:00) as HH:MM:SS with
// the fraction of a second, if any, without trailing zeros.
func appendClock(buf []byte, micros int64) []byte {
	u := uint64(micros) // unsigned: divisions by constants are then cheaper
	secs := u / microsPerSecond
	mins := secs / 60
	hours, m, sec := mins/60, 2*(mins%60), 2*(secs%60)
	buf = append2(buf, int(hours))
	buf = append(buf, ':', digitPairs[m], digitPairs[m+1], ':', digitPairs[sec], digitPairs[sec+1])
	return appendFraction(buf, int64(u%microsPerSecond))
}

// appendFraction prints microseconds, 0 <= usec < 1000000, as .ffffff
// without trailing zeros, and nothing for zero (AppendSeconds in
// datetime.c).
func appendFraction(buf []byte, usec int64) []byte {
	if usec == 0 {
		return buf
	}
	u := uint32(usec)
	hi, mid, lo := 2*(u/10000), 2*(u/100%100), 2*(u%100)
	f := [7]byte{'.', digitPairs[hi], digitPairs[hi+1], digitPairs[mid], digitPairs[mid+1], digitPairs[lo], digitPairs[lo+1]}
	n := len(f)
	for f[n-1] == '0' {
		n--
	}
	return append(buf, f[:n]...)
}

// appendZone prints a UTC offset (seconds east) as EncodeTimezone does:
// +HH, +HH:MM when there are minutes, +HH:MM:SS when there are seconds;
// xsd (json's style) always prints the minutes.
func appendZone(buf []byte, east int32, xsd bool) []byte {
	if east >= 0 {
		buf = append(buf, '+')
	} else {
		buf = append(buf, '-')
		east = -east
	}
	hours, minutes, seconds := east/3600, east/60%60, east%60
	buf = append2(buf, int(hours))
	if minutes != 0 || seconds != 0 || xsd {
		buf = append(buf, ':')
		buf = append2(buf, int(minutes))
	}
	if seconds != 0 {
		buf = append(buf, ':')
		buf = append2(buf, int(seconds))
	}
	return buf
}

// appendTimestamp prints microseconds since 1970 as timestamp_out does,
// or timestamptz_out in UTC when zone is set; sep is ' ' for the text
// format and 'T' for json.
func appendTimestamp(buf []byte, micros int64, sep byte, zone bool) []byte {
	switch micros {
	case engine.InfinityMicros:
		return append(buf, "infinity"...)
	case engine.NegInfinityMicros:
		return append(buf, "-infinity"...)
	}
	days := micros / microsPerDay
	tod := micros % microsPerDay
	if tod < 0 {
		days--
		tod += microsPerDay
	}
	buf, bc := appendYMD(buf, days)
	buf = append(buf, sep)
	buf = appendClock(buf, tod)
	if zone {
		buf = appendZone(buf, 0, sep == 'T')
	}
	if bc {
		buf = append(buf, " BC"...)
	}
	return buf
}

// appendInterval prints an interval in IntervalStyle postgres, following
// EncodeInterval: nonzero year, mon and day fields with their own signs
// ("+" only after a negative field), then the time, signed as a whole.
func appendInterval(buf []byte, months, days int32, micros int64) []byte {
	zero, before := true, false
	part := func(value int64, unit string) {
		if value == 0 {
			return
		}
		if !zero {
			buf = append(buf, ' ')
		}
		if before && value > 0 {
			buf = append(buf, '+')
		}
		buf = strconv.AppendInt(buf, value, 10)
		buf = append(buf, ' ')
		buf = append(buf, unit...)
		if value != 1 {
			buf = append(buf, 's')
		}
		before, zero = value < 0, false
	}
	part(int64(months/12), "year")
	part(int64(months%12), "mon")
	part(int64(days), "day")
	if zero || micros != 0 {
		if !zero {
			buf = append(buf, ' ')
		}
		abs := uint64(micros)
		if micros < 0 {
			buf = append(buf, '-')
			abs = -abs
		} else if before {
			buf = append(buf, '+')
		}
		hours := abs / microsPerHour
		if hours < 10 {
			buf = append(buf, '0')
		}
		buf = strconv.AppendUint(buf, hours, 10)
		buf = append(buf, ':')
		buf = append2(buf, int(abs/microsPerMinute%60))
		buf = append(buf, ':')
		buf = append2(buf, int(abs/microsPerSecond%60))
		buf = appendFraction(buf, int64(abs%microsPerSecond))
	}
	return buf
}

func appendUUID(buf []byte, u *[16]byte) []byte {
	const digits = "0123456789abcdef"
	for i, b := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			buf = append(buf, '-')
		}
		buf = append(buf, digits[b>>4], digits[b&15])
	}
	return buf
}
