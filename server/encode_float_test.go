package server

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// Where ryuKeeps says strconv's digits stand, ryuDigits must keep them:
// appendFloat then skips reading them. Random bit patterns, short decimals
// (the kind of value a table holds) and values near powers of two and ten.
func TestRyuKeepsOnlyWhenRyuDigitsKeeps(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	check := func(f float64, bitSize int) {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return
		}
		s := strconv.AppendFloat(nil, f, 'e', -1, bitSize)
		digits, exp10 := parseScientific(s)
		if !ryuKeeps(f, bitSize, exp10) {
			return
		}
		if d, e := ryuDigits(digits, exp10, f, bitSize); d != digits || e != exp10 {
			t.Fatalf("%s (bits %d): ryuKeeps, but ryuDigits gives %de%d", s, bitSize, d, e)
		}
	}
	for range 500_000 {
		f := math.Float64frombits(rng.Uint64())
		check(f, 64)
		check(float64(math.Float32frombits(rng.Uint32())), 32)
		check(math.Round(f*1e3)/1e3, 64)
		check(float64(rng.Uint32())/4294967296*10000, 64)
		check(float64(float32(rng.Float64()*1000)), 32)
	}
	for e := -1074; e <= 1023; e++ {
		p := math.Ldexp(1, e)
		for _, f := range []float64{p, math.Nextafter(p, 0), math.Nextafter(p, math.Inf(1))} {
			check(f, 64)
			check(float64(float32(f)), 32)
		}
	}
	for e := -323; e <= 308; e++ {
		p, _ := strconv.ParseFloat("1e"+strconv.Itoa(e), 64)
		check(p, 64)
		check(float64(float32(p)), 32)
	}
}

func BenchmarkAppendFloat(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	prices := make([]float64, 4096) // as the benchmark command's price column
	for i := range prices {
		prices[i] = float64(rng.Uint32()) / 4294967296 * 10000
	}
	buf := make([]byte, 0, 64)
	i := 0
	for b.Loop() {
		buf = appendFloat(buf[:0], prices[i%len(prices)], 64)
		i++
	}
}
