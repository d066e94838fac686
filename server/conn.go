package server

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/lakegate/lakegate/engine"
	"github.com/lakegate/lakegate/sqlstate"
)

// conn is one client connection: its protocol state and its session.
type conn struct {
	server *Server
	// sec is the logins, TLS and limits in force when the connection came.
	sec     *Security
	netConn net.Conn
	reader  *bufio.Reader
	// backend reads messages from reader and queues the messages it sends
	// until Flush moves them into out (rows.go), which flush writes.
	backend *pgproto3.Backend
	out     outBuffer
	session *engine.Session
	pid     uint32

	// ctx is canceled when the server shuts down or the client is gone.
	ctx    context.Context
	cancel context.CancelFunc

	statements map[string]*preparedStatement
	portals    map[string]*portal
	// skipUntilSync is set after an error in an extended-query sequence:
	// PostgreSQL ignores everything up to the next Sync.
	skipUntilSync bool
	// readDeadlineSet is whether an idle timeout armed the read deadline
	// (limits.go).
	readDeadlineSet bool

	closeOnce sync.Once

	// sent counts the bytes written to netConn; started is when the
	// connection was accepted; end is an end asked by another goroutine;
	// attached is session, for other goroutines (activity.go).
	sent     *countingConn
	started  time.Time
	end      endRequest
	attached atomic.Pointer[engine.Session]
	// atReady is set while the client has ReadyForQuery and nothing
	// pending: the only time an asked-for end may cut in.
	atReady bool
}

func newConn(s *Server, nc net.Conn) *conn {
	ctx, cancel := context.WithCancel(context.Background())
	counted := &countingConn{Conn: nc}
	nc = counted
	r := bufio.NewReaderSize(nc, 32<<10)
	c := &conn{
		server:     s,
		sec:        s.security(),
		netConn:    nc,
		sent:       counted,
		started:    time.Now(),
		reader:     r,
		ctx:        ctx,
		cancel:     cancel,
		statements: map[string]*preparedStatement{},
		portals:    map[string]*portal{},
	}
	c.backend = pgproto3.NewBackend(r, &c.out)
	c.backend.SetMaxBodyLen(c.maxMessageSize())
	return c
}

// serve runs the connection to its end. A panic is logged and ends only
// this connection.
func (c *conn) serve() {
	defer c.close()
	defer func() {
		if r := recover(); r != nil {
			c.server.logger().Error("panic in connection", "pid", c.pid, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			c.fatal(sqlstate.Errorf(sqlstate.InternalError, "internal error: %v", r).Fatal())
		}
	}()
	if !c.startup() {
		return
	}
	for {
		if c.atReady && c.endIfRequested() {
			return
		}
		msg, err := c.receive()
		if err != nil && !framingError(err) {
			if !c.malformedBody(err) {
				return
			}
			continue
		}
		if err != nil {
			if c.endIfRequested() {
				return
			}
			c.receiveFailed(err)
			return
		}
		c.atReady = false
		if _, ok := msg.(*pgproto3.Terminate); ok {
			return
		}
		if !c.handle(msg) {
			return
		}
	}
}

// handle processes one message and reports whether to continue. A panic
// while handling it becomes an internal error for that message alone.
func (c *conn) handle(msg pgproto3.FrontendMessage) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			c.server.logger().Error("panic handling message", "pid", c.pid, "message", fmt.Sprintf("%T", msg),
				"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			c.sendError(sqlstate.Errorf(sqlstate.InternalError, "internal error: %v", r))
			ok = c.ready() == nil
		}
	}()
	if c.refuseLongQuery(msg) {
		if _, simple := msg.(*pgproto3.Query); simple {
			return c.ready() == nil
		}
		return true
	}
	var err error
	switch m := msg.(type) {
	case *pgproto3.Query:
		err = c.simpleQuery(m.String)
	case *pgproto3.Sync:
		c.skipUntilSync = false
		c.closePortalsIfIdle()
		err = c.ready()
	case *pgproto3.Flush:
		err = c.flush()
	default:
		if c.skipUntilSync {
			return true
		}
		err = c.extended(msg)
	}
	return !errors.Is(err, errClientGone) && err == nil
}

// framingError reports whether a Receive error left the stream out of
// step (or ended it): a bad header or a connection that failed mid-read.
// Every other error is pgproto3 failing to decode a body it has read
// whole: the stream is in step. pgproto3 does not type the header errors,
// so they are told apart by their text; TestBadInput pins each case.
func framingError(err error) bool {
	var tooBig *pgproto3.ExceededMaxBodyLenErr
	var ne net.Error
	msg := err.Error()
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) || errors.As(err, &ne) ||
		errors.Is(err, errClientGone) ||
		errors.As(err, &tooBig) ||
		strings.HasPrefix(msg, "invalid message length") || strings.HasPrefix(msg, "unknown message type")
}

// malformedBody answers a message whose body could not be decoded. As in
// PostgreSQL, that is an ERROR and the session goes on: a simple Query is
// answered with ReadyForQuery, an extended-protocol message skips to the
// next Sync. It reports whether the connection is still usable.
func (c *conn) malformedBody(err error) bool {
	c.sendError(sqlstate.Errorf(sqlstate.ProtocolViolation, "invalid message format").WithDetail(err.Error()))
	if strings.HasPrefix(err.Error(), "Query ") {
		c.skipUntilSync = false
		return c.ready() == nil
	}
	c.skipUntilSync = true
	return c.flush() == nil
}

// receiveFailed reports a message that could not be read. Framing errors
// leave the stream out of step, so, as in PostgreSQL, they end the
// connection with a FATAL error.
func (c *conn) receiveFailed(err error) {
	var tooBig *pgproto3.ExceededMaxBodyLenErr
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed):
	case errors.As(err, &tooBig):
		c.fatal(sqlstate.Errorf(sqlstate.ProgramLimitExceeded,
			"message of %d bytes exceeds the limit of %d bytes", tooBig.ActualBodyLen, tooBig.MaxExpectedBodyLen).Fatal())
	default:
		var ne net.Error
		if errors.As(err, &ne) {
			return
		}
		c.fatal(sqlstate.Errorf(sqlstate.ProtocolViolation, "invalid frontend message: %v", err).Fatal())
	}
}

// ready sends ReadyForQuery with the transaction status and flushes.
func (c *conn) ready() error {
	c.backend.Send(&pgproto3.ReadyForQuery{TxStatus: byte(c.session.TxStatus())})
	c.atReady = true
	return c.flush()
}

// flush writes everything sent so far to the socket: the rows and messages
// in the output buffer, then the messages still queued in the Backend.
func (c *conn) flush() error {
	if err := c.takeQueued(); err != nil {
		return err
	}
	return c.writeOut(maxIdleOutput)
}

// sendError reports err to the client, marks an open transaction failed,
// and starts skipping to Sync in an extended-query sequence.
func (c *conn) sendError(err error) {
	c.backend.Send(errorResponse(err))
	c.noteReported(err)
	if c.session != nil {
		c.session.FailTransaction()
	}
	c.skipUntilSync = true
}

// sendParameterChanges reports settings changed by the last statement.
func (c *conn) sendParameterChanges() {
	for name, value := range c.session.ChangedParameters() {
		c.backend.Send(&pgproto3.ParameterStatus{Name: name, Value: value})
	}
}

// fatal sends a FATAL error (best effort) before the connection closes.
func (c *conn) fatal(err error) {
	var se *sqlstate.Error
	if !errors.As(err, &se) {
		return // I/O errors: the client is gone
	}
	c.backend.Send(errorResponse(se))
	c.flush()
}

// shutdown is called by Server.Shutdown from another goroutine.
func (c *conn) shutdown() {
	if s := c.sessionIfStarted(); s != nil {
		s.Cancel()
	}
	c.cancel()
	c.netConn.Close()
}

func (c *conn) close() {
	c.closeOnce.Do(func() {
		c.cancel()
		for name, p := range c.portals {
			p.close()
			delete(c.portals, name)
		}
		if c.session != nil {
			c.server.cancels.unregister(c.pid)
			c.session.Close()
		}
		c.netConn.Close()
	})
}

// closePortalsIfIdle closes every portal once no transaction block is open:
// outside a block, each statement runs in its own implicit transaction, and
// portals do not outlive their transaction.
func (c *conn) closePortalsIfIdle() {
	if c.session.TxStatus() != engine.TxIdle {
		return
	}
	for name, p := range c.portals {
		p.close()
		delete(c.portals, name)
	}
}
