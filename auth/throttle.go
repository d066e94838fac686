package auth

import (
	"context"
	"net/netip"
	"sync"
	"time"
)

// Throttle slows down repeated failed logins from one address: the n-th
// consecutive failure waits Base·2^(n-1), at most Max, before the client
// hears about it. Failures are forgotten after Window without one; at most
// MaxAddresses are remembered (the stalest go first), so memory stays
// bounded whatever the number of attackers.
type Throttle struct {
	Base, Max, Window time.Duration
	MaxAddresses      int

	mu       sync.Mutex
	failures map[netip.Addr]*failureRecord
}

type failureRecord struct {
	count int
	last  time.Time
}

// NewThrottle returns the default: 100ms doubling to 5s, forgotten after a
// quiet minute, for up to 10,000 addresses.
func NewThrottle() *Throttle {
	return &Throttle{Base: 100 * time.Millisecond, Max: 5 * time.Second, Window: time.Minute, MaxAddresses: 10000}
}

// Failed records a failure from addr and waits its delay (or until ctx
// ends).
func (t *Throttle) Failed(ctx context.Context, addr netip.Addr) {
	if t == nil {
		return
	}
	delay := t.record(addr, time.Now())
	timer := time.NewTimer(delay)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-ctx.Done():
	}
}

// Succeeded forgets addr's failures.
func (t *Throttle) Succeeded(addr netip.Addr) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.failures, addr)
}

func (t *Throttle) record(addr netip.Addr, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.failures == nil {
		t.failures = map[netip.Addr]*failureRecord{}
	}
	r := t.failures[addr]
	if r == nil || now.Sub(r.last) > t.Window {
		if r == nil && t.MaxAddresses > 0 && len(t.failures) >= t.MaxAddresses {
			t.evict(now)
		}
		r = &failureRecord{}
		t.failures[addr] = r
	}
	r.count++
	r.last = now
	delay := t.Base
	for i := 1; i < r.count && delay < t.Max; i++ {
		delay *= 2
	}
	return min(delay, t.Max)
}

// evict drops expired records, or the stalest one when none has expired.
func (t *Throttle) evict(now time.Time) {
	var stalest netip.Addr
	var stalestAt time.Time
	for a, r := range t.failures {
		if now.Sub(r.last) > t.Window {
			delete(t.failures, a)
			continue
		}
		if stalestAt.IsZero() || r.last.Before(stalestAt) {
			stalest, stalestAt = a, r.last
		}
	}
	if len(t.failures) >= t.MaxAddresses {
		delete(t.failures, stalest)
	}
}

// addresses is how many addresses are remembered (for tests).
func (t *Throttle) addresses() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.failures)
}
