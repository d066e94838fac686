package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// roundTripCase is one server at one concurrency.
type roundTripCase struct {
	system  string
	clients int
	queries int64
	elapsed time.Duration
}

func (c roundTripCase) perSecond() float64 { return float64(c.queries) / c.elapsed.Seconds() }

// meanLatency is the mean time one client waits for one query.
func (c roundTripCase) meanLatency() time.Duration {
	return time.Duration(float64(c.elapsed) * float64(c.clients) / float64(c.queries))
}

var concurrencies = []int{1, 32}

// benchRoundTrips measures SELECT $1::int round trips against lakegate and,
// when pg is not nil, PostgreSQL.
func benchRoundTrips(ctx context.Context, o options, lg *lakegate, pg *postgres) ([]roundTripCase, error) {
	type target struct {
		name    string
		connect func(context.Context) (*pgx.Conn, error)
	}
	targets := []target{{"lakegate", lg.connect}}
	if pg != nil {
		targets = append(targets, target{"PostgreSQL", pg.connect})
	}
	var out []roundTripCase
	for _, clients := range concurrencies {
		for _, t := range targets {
			progress("round trips: %s, %d clients, %v", t.name, clients, o.duration)
			c, err := roundTrips(ctx, t.connect, clients, o.duration)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", t.name, err)
			}
			c.system = t.name
			out = append(out, c)
		}
	}
	return out, nil
}

// roundTrips runs clients connections, each issuing QueryRow("SELECT
// $1::int", i) back to back for d, in pgx's default mode: the statement is
// prepared once per connection and then each query is Bind/Execute/Sync.
func roundTrips(ctx context.Context, connect func(context.Context) (*pgx.Conn, error), clients int, d time.Duration) (roundTripCase, error) {
	conns := make([]*pgx.Conn, clients)
	defer func() {
		for _, c := range conns {
			if c != nil {
				c.Close(context.Background())
			}
		}
	}()
	for i := range conns {
		c, err := connect(ctx)
		if err != nil {
			return roundTripCase{}, err
		}
		conns[i] = c
		// Warm-up, which also prepares the statement.
		for j := range 100 {
			if err := query(ctx, c, int32(j)); err != nil {
				return roundTripCase{}, err
			}
		}
	}
	var (
		total    atomic.Int64
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	start := time.Now()
	deadline := start.Add(d)
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var n int64
			for time.Now().Before(deadline) && ctx.Err() == nil {
				if err := query(ctx, c, int32(n)); err != nil {
					errOnce.Do(func() { firstErr = err })
					break
				}
				n++
			}
			total.Add(n)
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if firstErr != nil {
		return roundTripCase{}, firstErr
	}
	return roundTripCase{clients: clients, queries: total.Load(), elapsed: elapsed}, ctx.Err()
}

func query(ctx context.Context, c *pgx.Conn, i int32) error {
	var v int32
	if err := c.QueryRow(ctx, "SELECT $1::int", i).Scan(&v); err != nil {
		return err
	}
	if v != i {
		return fmt.Errorf("SELECT $1::int with %d returned %d", i, v)
	}
	return nil
}
