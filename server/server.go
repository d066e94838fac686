package server

import (
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"

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
	// Metrics, QueryLog and RedactQueryLog are the operational outputs
	// (metrics.go, querylog.go): nil Metrics counts nothing, nil QueryLog
	// logs no statements, RedactQueryLog replaces constants in logged text.
	Metrics        *Metrics
	QueryLog       *slog.Logger
	RedactQueryLog bool

	// reconfigured replaces Auth, TLS, RequireTLS and Limits for new
	// connections after Reconfigure.
	reconfigured atomic.Pointer[Security]

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

// Security is who may log in and on what terms: the part of a Server a
// reload (SIGHUP) changes while sessions go on.
type Security struct {
	Auth       *auth.Policy
	TLS        *tls.Config
	RequireTLS bool
	Limits     auth.Limits
}

// Reconfigure puts sec in service for the connections that come next;
// those already open keep the terms they logged in with.
func (s *Server) Reconfigure(sec Security) { s.reconfigured.Store(&sec) }

// security is what a new connection logs in with.
func (s *Server) security() *Security {
	if sec := s.reconfigured.Load(); sec != nil {
		return sec
	}
	return &Security{Auth: s.Auth, TLS: s.TLS, RequireTLS: s.RequireTLS, Limits: s.Limits}
}

func (c *conn) maxMessageSize() int {
	if c.server.MaxMessageSize > 0 {
		return c.server.MaxMessageSize
	}
	if c.sec.Limits.MaxMessageSize > 0 {
		return int(c.sec.Limits.MaxMessageSize)
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

// Connections is the number of open client connections.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}
