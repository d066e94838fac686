package test

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// TestLargeResultStreamsInFlatMemory reads a 50-million-row result and
// checks that the live Go heap (server and client share this process) does
// not grow with it: rows must stream from DuckDB to the socket chunk by
// chunk. The sampler collects garbage before each reading, so what it sees
// is memory something still holds, not garbage the collector has yet to
// reach on a busy machine.
func TestLargeResultStreamsInFlatMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: streams 50M rows")
	}
	lg := startLakegate(t)
	conn := lg.connect(t)
	ctx := context.Background()

	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var m runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(200 * time.Millisecond):
				runtime.GC()
				runtime.ReadMemStats(&m)
				if m.HeapAlloc > peak.Load() {
					peak.Store(m.HeapAlloc)
				}
			}
		}
	}()
	rows, err := conn.Query(ctx, "select i, i * 2 as j, 'row' as s from range(50000000) t(i)")
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for rows.Next() {
		n++
	}
	close(stop)
	<-sampled
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != 50_000_000 {
		t.Fatalf("read %d rows", n)
	}
	growth := int64(peak.Load()) - int64(base.HeapAlloc)
	t.Logf("live heap: %d MiB before, %d MiB peak", base.HeapAlloc>>20, peak.Load()>>20)
	if growth > 32<<20 {
		t.Fatalf("heap grew by %d MiB while streaming 50M rows", growth>>20)
	}
}
