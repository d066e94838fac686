package server

import (
	"math"
	"math/big"
	"math/bits"
	"strconv"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/lakegate/lakegate/engine"
)

// appendFloat prints f as float4out (bitSize 32) or float8out do with
// extra_float_digits 1: the shortest digits that read back as the same
// value, in fixed notation when the decimal exponent is within [-4, 6) for
// float4 and [-4, 15) for float8, as src/common/f2s.c and d2s.c choose, else
// as d.ddde±XX. The digits are strconv's, corrected where PostgreSQL's
// Ryu chooses differently (ryuDigits).
func appendFloat(buf []byte, f float64, bitSize int) []byte {
	switch {
	case math.IsNaN(f):
		return append(buf, "NaN"...)
	case math.IsInf(f, 1):
		return append(buf, "Infinity"...)
	case math.IsInf(f, -1):
		return append(buf, "-Infinity"...)
	}
	var sci, tmp [32]byte
	s := strconv.AppendFloat(sci[:0], f, 'e', -1, bitSize)
	first, frac, exp := splitScientific(s) // exp: that of the first digit
	var d []byte
	if ryuKeeps(f, bitSize, exp-len(frac)) {
		d = append(append(tmp[:0], first), frac...)
	} else {
		digits, exp10 := parseScientific(s)
		digits, exp10 = ryuDigits(digits, exp10, f, bitSize)
		d = strconv.AppendUint(tmp[:0], digits, 10)
		exp = exp10 + len(d) - 1
	}
	if math.Signbit(f) {
		buf = append(buf, '-')
	}
	maxFixed := 15
	if bitSize == 32 {
		maxFixed = 6
	}
	switch {
	case exp < -4 || exp >= maxFixed:
		buf = append(buf, d[0])
		if len(d) > 1 {
			buf = append(buf, '.')
			buf = append(buf, d[1:]...)
		}
		sign := byte('+')
		if exp < 0 {
			sign, exp = '-', -exp
		}
		buf = append(buf, 'e', sign)
		if exp < 10 {
			buf = append(buf, '0')
		}
		return strconv.AppendInt(buf, int64(exp), 10)
	case exp < 0:
		buf = append(buf, "0."...)
		for range -exp - 1 {
			buf = append(buf, '0')
		}
		return append(buf, d...)
	case len(d) <= exp+1:
		buf = append(buf, d...)
		for range exp + 1 - len(d) {
			buf = append(buf, '0')
		}
		return buf
	}
	buf = append(buf, d[:exp+1]...)
	buf = append(buf, '.')
	return append(buf, d[exp+1:]...)
}

// parseScientific reads strconv's [-]d[.ddd]e±XX as digits × 10^exp10.
func parseScientific(b []byte) (digits uint64, exp10 int) {
	first, frac, exp10 := splitScientific(b)
	digits = uint64(first - '0')
	for _, c := range frac {
		digits = digits*10 + uint64(c-'0')
	}
	return digits, exp10 - len(frac)
}

// splitScientific splits strconv's [-]d[.ddd]e±XX into the first digit,
// the digits after the point (none without a point) and the exponent.
func splitScientific(b []byte) (first byte, frac []byte, exp10 int) {
	if b[0] == '-' {
		b = b[1:]
	}
	e := len(b) - 4 // the exponent has two or three digits
	if b[e] != 'e' {
		e--
	}
	for _, c := range b[e+2:] {
		exp10 = exp10*10 + int(c-'0')
	}
	if b[e+1] == '-' {
		exp10 = -exp10
	}
	if e > 1 {
		frac = b[2:e]
	}
	return b[0], frac, exp10
}

// ryuKeeps reports, from the exponent exp10 of the last of strconv's
// shortest digits alone, that ryuDigits would keep them: an exact tie
// needs twice f to be an odd multiple of 2^exp10 (exactTie), and a
// boundary an integer at least 1 (onBoundary). It is true for nearly every
// float, which then need not have its digits read.
func ryuKeeps(f float64, bitSize, exp10 int) bool {
	if f == 0 {
		return true
	}
	mant, exp2, _ := floatParts(f, bitSize)
	twos := exp2 + 1 + bits.TrailingZeros64(mant)
	return twos != exp10 && (exp10 < 0 || exp2 < 1)
}

// ryuDigits corrects the two ways strconv's shortest digits can differ
// from those of PostgreSQL's Ryu (src/common/d2s.c and f2s.c, built
// without STRICTLY_SHORTEST):
//
//   - Ryu rounds an exact tie between two shortest candidates to the even
//     one; strconv may round it up (2^-12 as a float4 is 0.000244140625,
//     which Ryu prints as 0.00024414062).
//   - Ryu never prints a number lying exactly on the boundary between two
//     floats, which reads back as the float only by round-half-even;
//     strconv does for even mantissas (2.603e21, which PostgreSQL prints
//     as 2.6030000000000003e+21).
//
// Both are found and fixed with integer arithmetic, except around powers
// of two, whose lower boundary is nearer than the upper one: there exact
// comparisons use big integers, on a path rare enough to allocate.
func ryuDigits(digits uint64, exp10 int, f float64, bitSize int) (uint64, int) {
	if f == 0 {
		return digits, exp10
	}
	mant, exp2, pow2 := floatParts(f, bitSize)
	if below, ok := exactTie(digits, exp10, mant, exp2); ok {
		even, odd := below, below+1
		if below%2 != 0 {
			even, odd = odd, even
		}
		if !pow2 {
			return even, exp10 // equally near, so both inside
		}
		if _, inside := boundaryDistance(even, exp10, mant, exp2, pow2); inside {
			return even, exp10
		}
		return odd, exp10
	}
	// A boundary with at most 17 significant digits is an integer (f is
	// then above 2^53, or 2^24 for float4), as are f's digits at any
	// precision. They read back as f, so they lie within its boundaries,
	// where the only integers whose power of two is that of half an ulp
	// are the two boundaries (below a power of two the lower boundary has
	// that of a quarter, as does a point inside).
	if !onBoundary(digits, exp10, mant, exp2, pow2) {
		return digits, exp10
	}
	if pow2 {
		return nearestInside(digits, exp10, f, bitSize, mant, exp2)
	}
	// f rounds to a number nearer than the boundary at the first precision
	// whose unit is below an ulp (10^unit < 2^exp2), and to the boundary
	// itself at any coarser one.
	unit := int(math.Ceil(float64(exp2)*math.Log10(2))) - 1
	first := exp10 + decimalLen(digits) - unit
	var tmp [32]byte
	for n := max(first, decimalLen(digits)+1); n <= 17; n++ {
		d, e := parseScientific(strconv.AppendFloat(tmp[:0], f, 'e', n-1, bitSize))
		for d%10 == 0 {
			d, e = d/10, e+1
		}
		if !onBoundary(d, e, mant, exp2, pow2) {
			return d, e
		}
	}
	return digits, exp10
}

// onBoundary reports whether d × 10^exp10, which reads back as the float
// mant × 2^exp2, is one of the float's rounding boundaries.
func onBoundary(d uint64, exp10 int, mant uint64, exp2 int, pow2 bool) bool {
	if exp10 < 0 || exp2 < 1 {
		return false
	}
	switch bits.TrailingZeros64(d) + exp10 {
	case exp2 - 1:
		return true
	case exp2 - 2:
		if pow2 {
			_, inside := boundaryDistance(d, exp10, mant, exp2, pow2)
			return !inside
		}
	}
	return false
}

// nearestInside is the shortest number strictly between the boundaries of
// a power of two, closest to it, found by exact comparison.
func nearestInside(digits uint64, exp10 int, f float64, bitSize int, mant uint64, exp2 int) (uint64, int) {
	var tmp [32]byte
	for n := decimalLen(digits) + 1; n <= 17; n++ {
		rounded, e := parseScientific(strconv.AppendFloat(tmp[:0], f, 'e', n-1, bitSize))
		var best uint64
		var bestDist *big.Int
		for _, d := range [...]uint64{rounded - 1, rounded, rounded + 1} {
			dist, inside := boundaryDistance(d, e, mant, exp2, true)
			if inside && (bestDist == nil || dist.Cmp(bestDist) < 0 || dist.Cmp(bestDist) == 0 && d%2 == 0) {
				best, bestDist = d, dist
			}
		}
		if bestDist != nil {
			for best%10 == 0 {
				best, e = best/10, e+1
			}
			return best, e
		}
	}
	return digits, exp10
}

func decimalLen(d uint64) int {
	n := 1
	for ; d >= 10; d /= 10 {
		n++
	}
	return n
}

// exactTie reports whether mant × 2^exp2 lies exactly halfway between
// digits × 10^exp10 and its neighbour at that precision, and returns the
// lower of the two: whether 2f / 10^exp10 is the odd integer 2·digits ± 1.
func exactTie(digits uint64, exp10 int, mant uint64, exp2 int) (uint64, bool) {
	tz := bits.TrailingZeros64(mant)
	odd, twos := mant>>tz, exp2+1+tz // 2f = odd × 2^twos
	if twos != exp10 {               // 10^exp10 must take all the twos
		return 0, false
	}
	// 2f / 10^exp10 = odd × 5^-exp10
	for ; exp10 > 0; exp10-- {
		if odd%5 != 0 {
			return 0, false
		}
		odd /= 5
	}
	for ; exp10 < 0; exp10++ {
		hi, lo := bits.Mul64(odd, 5)
		if hi != 0 {
			return 0, false
		}
		odd = lo
	}
	switch odd {
	case 2*digits - 1:
		return digits - 1, true
	case 2*digits + 1:
		return digits, true
	}
	return 0, false
}

// floatParts splits |f| into mant × 2^exp2 and reports whether it is a
// power of two above the smallest normal, whose lower neighbour is half as
// far as its upper one.
func floatParts(f float64, bitSize int) (mant uint64, exp2 int, pow2 bool) {
	var frac uint64
	var biased, mantBits, bias int
	if bitSize == 32 {
		b := math.Float32bits(float32(f))
		frac, biased, mantBits, bias = uint64(b&(1<<23-1)), int(b>>23&0xff), 23, 127
	} else {
		b := math.Float64bits(f)
		frac, biased, mantBits, bias = b&(1<<52-1), int(b>>52&0x7ff), 52, 1023
	}
	if biased == 0 { // subnormal: no implicit bit
		return frac, 1 - bias - mantBits, false
	}
	return frac | 1<<mantBits, biased - bias - mantBits, frac == 0 && biased > 1
}

// boundaryDistance reports whether d × 10^exp10 lies strictly between the
// rounding boundaries of mant × 2^exp2, and how far from it.
func boundaryDistance(d uint64, exp10 int, mant uint64, exp2 int, pow2 bool) (*big.Int, bool) {
	// All times 4, so that the quarter-ulp boundary below a power of two
	// is whole, and scaled by whatever 2^-exp2 and 10^-exp10 make the two
	// numbers integers.
	x := new(big.Int).Lsh(new(big.Int).SetUint64(d), 2)
	center := new(big.Int).Lsh(new(big.Int).SetUint64(mant), 2)
	unit := big.NewInt(1)
	pow10 := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(max(exp10, -exp10))), nil)
	if exp10 >= 0 {
		x.Mul(x, pow10)
	} else {
		center.Mul(center, pow10)
		unit.Mul(unit, pow10)
	}
	if exp2 >= 0 {
		center.Lsh(center, uint(exp2))
		unit.Lsh(unit, uint(exp2))
	} else {
		x.Lsh(x, uint(-exp2))
	}
	dist := x.Sub(x, center)
	limit := unit.Lsh(unit, 1) // two quarters of an ulp above
	if dist.Sign() < 0 && pow2 {
		limit.Rsh(limit, 1) // one quarter below a power of two
	}
	dist.Abs(dist)
	return dist, dist.Cmp(limit) < 0
}

// appendFloatDigits prints f as float4out and float8out do when
// extra_float_digits is 0 or negative: printf's %.*g with FLT_DIG (6) or
// DBL_DIG (15) plus extra_float_digits significant digits, which rounds
// (extra_float_digits above 0 gives the shortest exact form: appendFloat).
func appendFloatDigits(buf []byte, f float64, bitSize, extraDigits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(buf, "NaN"...)
	case math.IsInf(f, 1):
		return append(buf, "Infinity"...)
	case math.IsInf(f, -1):
		return append(buf, "-Infinity"...)
	}
	precision := 15 + extraDigits
	if bitSize == 32 {
		precision = 6 + extraDigits
	}
	// C's %g and strconv's 'g' agree: exponent form below 1e-4 or from
	// 10^precision on, trailing zeros dropped, two exponent digits at least.
	return strconv.AppendFloat(buf, f, 'g', max(precision, 1), bitSize)
}

// floatTextEncoder is the text encoder of a float4 or float8 column under
// extra_float_digits, or nil when the column is not one or the setting is
// PostgreSQL's default behaviour above 0 (appendFloat's).
func floatTextEncoder(t engine.Type, s *engine.Shape, format int16, extraDigits int) columnEncoder {
	if format != textFormat || extraDigits > 0 {
		return nil
	}
	switch {
	case t.OID == pgtype.Float8OID && s.Kind == engine.KindFloat64:
		return func(buf []byte, v *engine.Vector, row int) []byte {
			return appendFloatDigits(buf, v.Float64(row), 64, extraDigits)
		}
	case t.OID == pgtype.Float8OID && s.Kind == engine.KindFloat32:
		return func(buf []byte, v *engine.Vector, row int) []byte {
			return appendFloatDigits(buf, float64(v.Float32(row)), 64, extraDigits)
		}
	case t.OID == pgtype.Float4OID && s.Kind == engine.KindFloat32:
		return func(buf []byte, v *engine.Vector, row int) []byte {
			return appendFloatDigits(buf, float64(v.Float32(row)), 32, extraDigits)
		}
	}
	return nil
}
