package server

import (
	"encoding/binary"
	"math/big"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgtype"
)

// referenceNumeric is numeric_send's form of a decimal string of digits
// scaled down by 10^scale, derived the way numeric_in reads a literal: pad
// the integer part on the left and the fraction on the right to whole
// groups of four digits, then drop zero groups at both ends.
func referenceNumeric(neg bool, digits string, scale int) []byte {
	if len(digits) < scale {
		digits = strings.Repeat("0", scale-len(digits)) + digits
	}
	intPart, frac := digits[:len(digits)-scale], digits[len(digits)-scale:]
	intPart = strings.Repeat("0", (4-len(intPart)%4)%4) + intPart
	frac += strings.Repeat("0", (4-len(frac)%4)%4)
	all := intPart + frac
	var groups []uint16
	for i := 0; i < len(all); i += 4 {
		g, _ := strconv.Atoi(all[i : i+4])
		groups = append(groups, uint16(g))
	}
	weight := len(intPart)/4 - 1
	for len(groups) > 0 && groups[0] == 0 {
		groups = groups[1:]
		weight--
	}
	for len(groups) > 0 && groups[len(groups)-1] == 0 {
		groups = groups[:len(groups)-1]
	}
	sign := uint16(numericPos)
	if len(groups) == 0 {
		weight = 0
	} else if neg {
		sign = numericNeg
	}
	out := binary.BigEndian.AppendUint16(nil, uint16(len(groups)))
	out = binary.BigEndian.AppendUint16(out, uint16(int16(weight)))
	out = binary.BigEndian.AppendUint16(out, sign)
	out = binary.BigEndian.AppendUint16(out, uint16(scale))
	for _, g := range groups {
		out = binary.BigEndian.AppendUint16(out, g)
	}
	return out
}

// appendNumeric against referenceNumeric over magnitudes of every size up
// to 2^128 (random, powers of ten and their neighbours, values with runs of
// zero digits) and every scale a DECIMAL can have; pgtype must read each
// result back as the same value.
func TestAppendNumericMatchesDecimalDigits(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var values [][2]uint64 // hi, lo
	for range 3000 {
		hi, lo := rng.Uint64(), rng.Uint64()
		switch rng.IntN(4) {
		case 0:
			hi = 0
		case 1:
			hi >>= rng.UintN(64)
		case 2:
			hi, lo = 0, lo>>rng.UintN(64)
		}
		values = append(values, [2]uint64{hi, lo})
	}
	ten := big.NewInt(10)
	p := big.NewInt(1)
	for range 39 {
		for _, d := range []int64{-1, 0, 1} {
			v := new(big.Int).Add(p, big.NewInt(d))
			if v.BitLen() <= 128 {
				values = append(values, split128(v))
			}
			// A digit, a run of zeros, a digit: zero groups inside.
			w := new(big.Int).Add(new(big.Int).Mul(p, big.NewInt(7)), big.NewInt(3))
			if w.BitLen() <= 128 {
				values = append(values, split128(w))
			}
		}
		p.Mul(p, ten)
	}
	values = append(values, [2]uint64{0, 0}, [2]uint64{^uint64(0), ^uint64(0)}, [2]uint64{1 << 63, 0})

	m := pgtype.NewMap()
	for _, v := range values {
		mag := new(big.Int).Lsh(new(big.Int).SetUint64(v[0]), 64)
		mag.Or(mag, new(big.Int).SetUint64(v[1]))
		digits := mag.String()
		for scale := 0; scale <= 38; scale++ {
			for _, neg := range []bool{false, true} {
				got := appendNumeric([]byte("prefix"), neg, v[0], v[1], scale)
				if string(got[:6]) != "prefix" {
					t.Fatalf("%s scale %d: prefix overwritten", digits, scale)
				}
				got = got[6:]
				want := referenceNumeric(neg, digits, scale)
				if !slices.Equal(got, want) {
					t.Fatalf("%s scale %d neg %v:\n got %x\nwant %x", digits, scale, neg, got, want)
				}
				if scale%7 != 0 {
					continue // decoding is slow; a sample of scales suffices
				}
				var n pgtype.Numeric
				if err := m.Scan(pgtype.NumericOID, binaryFormat, got, &n); err != nil {
					t.Fatalf("%s scale %d: scan %x: %v", digits, scale, got, err)
				}
				wantValue := new(big.Rat).SetFrac(mag, new(big.Int).Exp(ten, big.NewInt(int64(scale)), nil))
				if neg {
					wantValue.Neg(wantValue)
				}
				if gotValue := normalize(n); gotValue != wantValue.RatString() {
					t.Fatalf("%s scale %d neg %v: pgtype reads %v", digits, scale, neg, gotValue)
				}
			}
		}
	}
}

func split128(v *big.Int) [2]uint64 {
	lo := new(big.Int).And(v, new(big.Int).SetUint64(^uint64(0))).Uint64()
	return [2]uint64{new(big.Int).Rsh(v, 64).Uint64(), lo}
}

// The 64-bit path must agree with the 128-bit one, at the ends of int64
// too.
func TestAppendNumericInt64(t *testing.T) {
	for _, n := range []int64{0, 1, -1, 9999, 10000, -10000, 1<<63 - 1, -1 << 63} {
		mag := split128(new(big.Int).Abs(big.NewInt(n)))
		for _, scale := range []int{0, 1, 2, 4, 5, 18} {
			got := appendNumericInt64(nil, n, scale)
			want := appendNumeric(nil, n < 0, mag[0], mag[1], scale)
			if !slices.Equal(got, want) {
				t.Errorf("%d scale %d: %x, want %x", n, scale, got, want)
			}
		}
	}
}

func BenchmarkAppendNumeric(b *testing.B) {
	for _, c := range []struct {
		name   string
		hi, lo uint64
		scale  int
	}{
		{"int64 scale 2", 0, 123456789, 2},
		{"int64 scale 18", 0, 123456789012345678, 18},
		{"int128 scale 10", 0x4b3b4ca85a86c47a, 0x098a223fffffffff, 10},
	} {
		b.Run(strings.ReplaceAll(c.name, " ", "_"), func(b *testing.B) {
			buf := make([]byte, 0, 64)
			for b.Loop() {
				buf = appendNumeric(buf[:0], false, c.hi, c.lo, c.scale)
			}
		})
	}
}
