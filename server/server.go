package server

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"sync"

	"github.com/lakegate/lakegate/auth"
	"github.com/lakegate/lakegate/engine"
)

// Server accepts PostgreSQL clients and runs their statements on an Engine.
type Server struct {
	// Engine runs the SQL. Required.
	Engine *engine.Engine
	// Auth decides who may log in. Nil admits nobody.
	Auth *auth.Policy
	// Logger receives connection logs; nil means slog.Default().
	Logger *slog.Logger
	// MaxMessageSize bounds a client message; 0 means Limits' or 64 MiB.
	MaxMessageSize int
	// TLS, when set, is offered to clients (SSLRequest and direct TLS).
	TLS *tls.Config
	// RequireTLS refuses plain connections with 28000.
	RequireTLS bool
	// Limits bounds connections and sessions (limits.go); the zero value
	// limits only the authentication phase, to one minute.
	Limits auth.Limits

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	conns     map[*conn]struct{}
	closing   bool
	wg        sync.WaitGroup
	cancels   cancelRegistry
	slots     sessionSlots
}

// ErrServerClosed is returned by Serve after Shutdown.
var ErrServerClosed = errors.New("lakegate server closed")

func (s *Server) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

func (s *Server) maxMessageSize() int {
	if s.MaxMessageSize > 0 {
		return s.MaxMessageSize
	}
	if s.Limits.MaxMessageSize > 0 {
		return int(s.Limits.MaxMessageSize)
	}
	return 64 << 20
}

// Serve accepts connections on ln until Shutdown, serving each in its own
// goroutine.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		ln.Close()
		return ErrServerClosed
	}
	if s.listeners == nil {
		s.listeners = map[net.Listener]struct{}{}
	}
	s.listeners[ln] = struct{}{}
	s.mu.Unlock()
	for {
		nc, err := ln.Accept()
		if err != nil {
			s.mu.Lock()
			closing := s.closing
			s.mu.Unlock()
			if closing {
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return err
		}
		c := newConn(s, nc)
		if !s.track(c) {
			nc.Close()
			return ErrServerClosed
		}
		go func() {
			defer s.wg.Done()
			defer s.untrack(c)
			c.serve()
		}()
	}
}

func (s *Server) track(c *conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	if s.conns == nil {
		s.conns = map[*conn]struct{}{}
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	return true
}

func (s *Server) untrack(c *conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, c)
	s.slots.release(c)
}

// Shutdown stops accepting connections, cancels running statements and
// closes every connection, then waits for their goroutines or ctx.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	for ln := range s.listeners {
		ln.Close()
	}
	for c := range s.conns {
		c.shutdown()
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Connections is the number of open client connections.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}
