package server

import (
	"context"
	"testing"

	"github.com/lakegate/lakegate/engine"
)

// benchmarkChunk encodes one full DuckDB chunk (2048 rows) of the query's
// columns per iteration, as the row writer does: one buffer per row.
func benchmarkChunk(b *testing.B, sql string) {
	s := newEncodeSession(b)
	for _, f := range []struct {
		name   string
		format int16
	}{{"text", textFormat}, {"binary", binaryFormat}} {
		b.Run(f.name, func(b *testing.B) {
			ctx := context.Background()
			st, err := s.Prepare(ctx, sql, nil)
			if err != nil {
				b.Fatal(err)
			}
			var encoders []columnEncoder
			for _, col := range st.Columns() {
				encoders = append(encoders, newColumnEncoder(col, f.format))
			}
			p, err := s.Bind(st, nil)
			if err != nil {
				b.Fatal(err)
			}
			defer p.Close()
			done := false
			w := &encodeWriter{inChunk: func(c *engine.Chunk, from, to int) {
				if done {
					return
				}
				done = true
				buf := make([]byte, 0, 4096)
				encode := func() (n int) {
					for r := from; r < to; r++ {
						buf = buf[:0]
						for i, enc := range encoders {
							if v := &c.Columns[i]; !v.IsNull(r) {
								buf = enc(buf, v, r)
							}
						}
						n += len(buf)
					}
					return n
				}
				b.SetBytes(int64(encode()))
				b.ResetTimer()
				for b.Loop() {
					encode()
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*(to-from)), "ns/row")
			}}
			w.encoders = encoders
			if _, err := p.Execute(ctx, w, 2048); err != nil {
				b.Fatal(err)
			}
		})
	}
}

// BenchmarkEncodeChunk is a typical fact table: 8 mixed scalar columns.
func BenchmarkEncodeChunk(b *testing.B) {
	benchmarkChunk(b, `SELECT i::INTEGER AS id, i * 1000003::BIGINT AS big, i * 0.37::DOUBLE AS ratio,
		'customer-' || i AS name, DATE '2024-01-01' + (i % 1000)::INTEGER AS day,
		TIMESTAMP '2024-01-01' + INTERVAL (i * 1234567) MICROSECOND AS at,
		(i * 1.37)::DECIMAL(18, 2) AS amount, i % 3 = 0 AS flag
		FROM range(2048) t(i)`)
}

// BenchmarkEncodeNested is arrays and json.
func BenchmarkEncodeNested(b *testing.B) {
	benchmarkChunk(b, `SELECT [i, i + 1, NULL]::INTEGER[] AS ints, ['a b', 'c' || i] AS strs,
		{'id': i, 'name': 'n' || i, 'tags': ['x', 'y']} AS obj, MAP {'k' || i: i * 0.5} AS m
		FROM range(2048) t(i)`)
}
