package server

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// civilReference is Howard Hinnant's civil_from_days, the straightforward
// division-based form of civil.
func civilReference(days int64) (year int64, month, day int) {
	z := days + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day = int(doy - (153*mp+2)/5 + 1)
	month = int(mp + 3)
	if month > 12 {
		month -= 12
	}
	year = yoe + era*400
	if month <= 2 {
		year++
	}
	return year, month, day
}

// civil must agree with the reference on every day of a wide window
// around both epochs and across the whole int32 range.
func TestCivil(t *testing.T) {
	check := func(days int64) {
		y, m, d := civil(days)
		wy, wm, wd := civilReference(days)
		if y != wy || m != wm || d != wd {
			t.Fatalf("civil(%d) = %d-%d-%d, want %d-%d-%d", days, y, m, d, wy, wm, wd)
		}
	}
	for days := int64(-3_000_000); days <= 3_000_000; days++ {
		check(days)
	}
	for days := int64(math.MinInt32); days < math.MinInt32+1_000_000; days++ {
		check(days)
	}
	for days := int64(math.MaxInt32 - 1_000_000); days <= math.MaxInt32; days++ {
		check(days)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 5_000_000 {
		check(int64(int32(rng.Uint32())))
	}
	if y, m, d := civil(0); y != 1970 || m != 1 || d != 1 {
		t.Fatalf("civil(0) = %d-%d-%d", y, m, d)
	}
}

// Timestamps of years 1 to 9999 print as Go's time package formats them
// (PostgreSQL's ISO style: no trailing zeros in the fraction).
func TestAppendTimestampMatchesTimeFormat(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	lo := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	hi := time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC).UnixMicro()
	for i := range 1_000_000 {
		m := lo + rng.Int64N(hi-lo+1)
		switch i % 4 { // whole seconds and short fractions too
		case 1:
			m -= m % 1_000_000
		case 2:
			m -= m % 1000
		}
		want := time.UnixMicro(m).UTC().Format("2006-01-02 15:04:05.999999")
		if got := string(appendTimestamp(nil, m, ' ', false)); got != want {
			t.Fatalf("%d: got %s, want %s", m, got, want)
		}
	}
}

// appendDecimal64 prints what appendInt128 prints for every int64 value
// size and scale, after what the buffer holds.
func TestAppendDecimal64MatchesInt128(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	values := []int64{0, 1, -1, 9, 10, -10, math.MaxInt64, math.MinInt64}
	for range 100_000 {
		values = append(values, int64(rng.Uint64())>>rng.UintN(64))
	}
	for _, n := range values {
		for scale := 0; scale <= 18; scale++ {
			hi := int64(0)
			if n < 0 {
				hi = -1
			}
			want := string(appendInt128([]byte("x"), hi, uint64(n), scale))
			if got := string(appendDecimal64([]byte("x"), n, scale)); got != want {
				t.Fatalf("%d scale %d: %s, want %s", n, scale, got, want)
			}
		}
	}
}

// BenchmarkAppendDecimal prints numeric(12,2) values as the benchmark
// command's amount column holds them.
func BenchmarkAppendDecimal(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	values := make([]int64, 4096)
	for i := range values {
		values[i] = int64(rng.Uint32() % 100000000)
	}
	buf := make([]byte, 0, 64)
	b.Run("int128", func(b *testing.B) {
		i := 0
		for b.Loop() {
			n := values[i%len(values)]
			buf = appendInt128(buf[:0], n>>63, uint64(n), 2)
			i++
		}
	})
	b.Run("int64", func(b *testing.B) {
		i := 0
		for b.Loop() {
			buf = appendDecimal64(buf[:0], values[i%len(values)], 2)
			i++
		}
	})
}

func BenchmarkCivil(b *testing.B) {
	var sink int64
	days := int64(0)
	for b.Loop() {
		y, m, d := civil(days)
		sink += y + int64(m+d)
		if days += 7919; days > 3_000_000 {
			days -= 6_000_000
		}
	}
	_ = sink
}

// BenchmarkAppendTimestamp prints timestamps spread as the benchmark
// command's created_at column: 2000 to 2027, in steps of 0.2 s.
func BenchmarkAppendTimestamp(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	micros := make([]int64, 4096)
	for i := range micros {
		micros[i] = 946684800_000000 + int64(rng.Uint32())*200000
	}
	buf := make([]byte, 0, 64)
	i := 0
	for b.Loop() {
		buf = appendTimestamp(buf[:0], micros[i%len(micros)], ' ', false)
		i++
	}
}
