//go:build linux || darwin

package server

import (
	"context"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/lakegate/lakegate/engine"
)

// wideQuery is the benchmark command's wire-throughput table (test/bench):
// bigint, integer, double, numeric(12,2), 10-20 characters of text, date,
// timestamp and boolean, with values spread the same way.
const wideQuery = `SELECT i AS id,
	(hash(i, 1) % 1000000)::INTEGER AS qty,
	(hash(i, 2) % 4294967296)::DOUBLE / 4294967296.0 * 10000 AS price,
	((hash(i, 3) % 100000000) / 100)::DECIMAL(12, 2) AS amount,
	'c' || (hash(i, 4) % 4294967296)::VARCHAR || substr('-abcdefghi', 1, (hash(i, 5) % 10)::INTEGER) AS name,
	DATE '2000-01-01' + (hash(i, 6) % 9000)::INTEGER AS order_date,
	TIMESTAMP '2000-01-01 00:00:00' + to_microseconds(((hash(i, 7) % 4294967296) * 200000)::BIGINT) AS created_at,
	hash(i, 8) % 2 = 0 AS active
	FROM range(2048) t(i)`

// discardConn is a client that reads nothing and accepts every write.
type discardConn struct{ net.Conn }

func (discardConn) Write(p []byte) (int, error) { return len(p), nil }

// BenchmarkWriteRows sends one 2048-row chunk of wideQuery per iteration
// through the row writer into a connection that discards it: encoding,
// DataRow framing and buffering, without the network. Besides wall time
// per row it reports the process's CPU time per row (cpu-ns/row), which
// other work on a shared machine disturbs far less.
func BenchmarkWriteRows(b *testing.B) {
	s := newEncodeSession(b)
	for _, f := range []struct {
		name   string
		format int16
	}{{"text", textFormat}, {"binary", binaryFormat}} {
		b.Run(f.name, func(b *testing.B) {
			ctx := context.Background()
			st, err := s.Prepare(ctx, wideQuery, nil)
			if err != nil {
				b.Fatal(err)
			}
			cols := st.Columns()
			formats := make([]int16, len(cols))
			for i := range formats {
				formats[i] = f.format
			}
			c := newConn(&Server{}, discardConn{})
			rw := newRowWriter(c, cols, formats)
			p, err := s.Bind(st, nil)
			if err != nil {
				b.Fatal(err)
			}
			defer p.Close()
			done := false
			w := &encodeWriter{inChunk: func(ch *engine.Chunk, from, to int) {
				if done {
					return
				}
				done = true
				b.ReportAllocs()
				b.ResetTimer()
				cpu := processCPUTime()
				for b.Loop() {
					if err := rw.WriteRows(ch, from, to); err != nil {
						b.Fatal(err)
					}
				}
				cpu = processCPUTime() - cpu
				rows := float64(b.N * (to - from))
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/rows, "ns/row")
				b.ReportMetric(float64(cpu.Nanoseconds())/rows, "cpu-ns/row")
			}}
			if _, err := p.Execute(ctx, w, 2048); err != nil {
				b.Fatal(err)
			}
		})
	}
}

// processCPUTime is the user and system CPU time the process has used.
func processCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
