package server

import (
	"context"
	"time"
)

// interruptWait is how long Shutdown waits, once its grace is over, for
// interrupted statements to report their end before closing sockets.
const interruptWait = 2 * time.Second

// Shutdown stops accepting connections and ends every session, as
// PostgreSQL's fast shutdown does, but lets running statements finish:
// idle sessions get 57P01 "terminating connection due to administrator
// command" at once, busy ones when their statement ends. When ctx is done
// (the grace period), statements still running are interrupted with the
// same error and every connection is closed. Shutdown returns nil once
// every connection's goroutine is done, or ctx's error if some still
// were not after that.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	for ln := range s.listeners {
		ln.Close()
	}
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.requestEnd(adminTermination())
	}
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
	}
	s.mu.Lock()
	for c := range s.conns {
		c.interruptForShutdown()
	}
	s.mu.Unlock()
	select {
	case <-done:
		return nil
	case <-time.After(interruptWait):
	}
	s.mu.Lock()
	for c := range s.conns {
		c.shutdown()
	}
	s.mu.Unlock()
	select {
	case <-done:
		return nil
	case <-time.After(interruptWait):
		return ctx.Err()
	}
}

// interruptForShutdown stops the connection's running statement with the
// shutdown error, which its client is sent before the connection ends.
func (c *conn) interruptForShutdown() {
	reason := c.requestEnd(adminTermination())
	if s := c.sessionIfStarted(); s != nil {
		s.Interrupt(reason)
	}
}
