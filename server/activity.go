package server

import (
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lakegate/lakegate/engine"
	"github.com/lakegate/lakegate/sqlstate"
)

// A connection's life as others see it: the byte count of what it sent,
// its entry in pg_stat_activity, and the end another goroutine can ask for
// (pg_terminate_backend, server shutdown).

// countingConn counts the bytes written to a connection.
type countingConn struct {
	net.Conn
	n atomic.Int64
}

func (cc *countingConn) Write(p []byte) (int, error) {
	n, err := cc.Conn.Write(p)
	cc.n.Add(int64(n))
	return n, err
}

// endRequest is an end asked of a connection from another goroutine.
type endRequest struct {
	mu     sync.Mutex
	reason *sqlstate.Error
	// reported is set once the client was sent reason (as the error of
	// the statement it interrupted).
	reported bool
}

// adminTermination is what PostgreSQL sends to a session ended by
// pg_terminate_backend or a shutdown.
func adminTermination() *sqlstate.Error {
	return sqlstate.Errorf(sqlstate.AdminShutdown, "terminating connection due to administrator command").Fatal()
}

// sessionIfStarted is the connection's session for other goroutines; nil
// before attach.
func (c *conn) sessionIfStarted() *engine.Session { return c.attached.Load() }

// attach lists the session in pg_stat_activity once it has started.
func (c *conn) attach() {
	c.attached.Store(c.session)
	c.atReady = true // startSession sends ReadyForQuery next
	port := -1
	if tcp, ok := c.netConn.RemoteAddr().(*net.TCPAddr); ok {
		port = tcp.Port
	}
	c.session.SetBackend(engine.Backend{
		PID:        c.pid,
		ClientAddr: clientHost(c.netConn.RemoteAddr()),
		ClientPort: port,
		Started:    c.started,
		Terminate:  c.terminate,
	})
}

// terminate ends the connection now (pg_terminate_backend): a running
// statement is interrupted with 57P01, an idle connection is woken from
// its read and sent it.
func (c *conn) terminate() {
	reason := c.requestEnd(adminTermination())
	if s := c.sessionIfStarted(); s != nil {
		s.Interrupt(reason)
	}
}

// requestEnd asks the connection to end with reason once it is idle; an
// idle connection is woken at once. It returns the reason in force.
func (c *conn) requestEnd(reason *sqlstate.Error) *sqlstate.Error {
	c.end.mu.Lock()
	if c.end.reason == nil {
		c.end.reason = reason
	}
	reason = c.end.reason
	c.end.mu.Unlock()
	c.netConn.SetReadDeadline(time.Now())
	return reason
}

// endReason is the end asked of the connection, nil if none.
func (c *conn) endReason() *sqlstate.Error {
	c.end.mu.Lock()
	defer c.end.mu.Unlock()
	return c.end.reason
}

// noteReported records that err, sent to the client, was the end reason.
func (c *conn) noteReported(err error) {
	var se *sqlstate.Error
	if !errors.As(err, &se) {
		return
	}
	c.end.mu.Lock()
	if se == c.end.reason {
		c.end.reported = true
	}
	c.end.mu.Unlock()
}

// endIfRequested ends the connection if an end was asked, telling the
// client why unless it already knows. It reports whether it did.
func (c *conn) endIfRequested() bool {
	c.end.mu.Lock()
	reason, reported := c.end.reason, c.end.reported
	c.end.mu.Unlock()
	if reason == nil {
		return false
	}
	if !reported {
		c.netConn.SetWriteDeadline(time.Now().Add(5 * time.Second))
		c.fatal(reason)
	}
	return true
}
