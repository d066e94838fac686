package engine

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/lakegate/lakegate/sqlstate"
)

// TxStatus is the transaction status PostgreSQL reports in ReadyForQuery.
type TxStatus byte

// Transaction states.
const (
	TxIdle   TxStatus = 'I'
	TxActive TxStatus = 'T'
	TxFailed TxStatus = 'E'
)

// Session is one client's state: its user, transaction status and
// settings, and the DuckDB connection it prefers. A Session is used by one
// goroutine at a time, except Cancel, which may be called from any.
type Session struct {
	engine     *Engine
	user       string
	database   string
	tx         TxStatus
	savepoints []string
	settings   settings

	// home is the session's own DuckDB connection. homeBusy is set while a
	// portal holds it; statements then run on pooled connections.
	home     *duckConn
	homeBusy bool

	mu      sync.Mutex
	running context.CancelCauseFunc
	// pending is an interrupt that came after the wire server marked a
	// statement active but before it started (activity.go).
	pending error

	// cursors are the open SQL cursors (cursor.go) and sqlStatements the
	// statements of SQL-level PREPARE (sqlprepare.go), by name.
	cursors       map[string]*cursor
	sqlStatements map[string]*Statement
	// implicitBlock is set while the statements of a simple Query message
	// of several run: PostgreSQL runs them in an implicit transaction
	// block, where DECLARE without HOLD is allowed.
	implicitBlock bool

	// activity is what pg_stat_activity shows (activity.go).
	activity sessionActivity
}

// NewSession starts a session for an authenticated user.
func (e *Engine) NewSession(user, database string) *Session {
	s := &Session{engine: e, user: user, database: database, tx: TxIdle}
	s.settings = newSettings(s)
	return s
}

// User is the session's user name.
func (s *Session) User() string { return s.user }

// Database is the database name the client asked for.
func (s *Session) Database() string { return s.database }

// TxStatus is the session's transaction status.
func (s *Session) TxStatus() TxStatus { return s.tx }

// FailTransaction marks an open transaction block as failed, as PostgreSQL
// does after any error inside one. The wire server calls it for errors that
// happen outside the engine (a malformed Bind, say).
func (s *Session) FailTransaction() {
	if s.tx == TxActive {
		s.tx = TxFailed
	}
}

// ReportedParameters returns the parameters sent in ParameterStatus at
// startup.
func (s *Session) ReportedParameters() map[string]string { return s.settings.reported() }

// ChangedParameters returns the reported parameters changed since the last
// call, to be sent in ParameterStatus.
func (s *Session) ChangedParameters() map[string]string { return s.settings.drainChanged() }

// Setting returns the current value of a run-time parameter.
func (s *Session) Setting(name string) (string, error) {
	_, v, err := s.settings.get(name)
	return v, err
}

// SetStartupParameter applies a parameter the client sent in its startup
// message (application_name, DateStyle, options like search_path...).
func (s *Session) SetStartupParameter(name, value string) error {
	if err := s.settings.set(name, value); err != nil {
		return err
	}
	s.settings.drainChanged() // reported once, with all others, at startup
	canonical, v, _ := s.settings.get(name)
	if s.settings.startup == nil {
		s.settings.startup = map[string]string{}
	}
	s.settings.startup[canonical] = v
	return nil
}

// Cancel interrupts the statement the session is running, if any. It is
// safe to call from another goroutine (a CancelRequest on another
// connection).
func (s *Session) Cancel() { s.Interrupt(errCanceledByUser) }

var errCanceledByUser = sqlstate.Errorf(sqlstate.QueryCanceled, "canceling statement due to user request")

// startStatement derives the context one Execute runs under: cancelable by
// Cancel and bounded by statement_timeout.
func (s *Session) startStatement(ctx context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	var stopTimer func() bool
	if ms, _ := strconv.ParseInt(s.settings.values["statement_timeout"], 10, 64); ms > 0 {
		timer := time.AfterFunc(time.Duration(ms)*time.Millisecond, func() { cancel(errStatementTimeout) })
		stopTimer = timer.Stop
	}
	s.mu.Lock()
	s.running = cancel
	if s.pending != nil {
		cancel(s.pending)
		s.pending = nil
	}
	s.mu.Unlock()
	return ctx, func() {
		if stopTimer != nil {
			stopTimer()
		}
		s.mu.Lock()
		s.running = nil
		s.mu.Unlock()
		cancel(nil)
	}
}

var errStatementTimeout = sqlstate.Errorf(sqlstate.QueryCanceled, "canceling statement due to statement timeout")

// acquire returns a DuckDB connection for one statement: the session's own
// when it is free, a pooled one otherwise.
func (s *Session) acquire() (*duckConn, error) {
	if !s.homeBusy {
		if s.home == nil {
			c, err := s.engine.pool.get()
			if err != nil {
				return nil, err
			}
			s.home = c
		}
		if err := s.applySearchPath(s.home); err != nil {
			return nil, err
		}
		s.homeBusy = true
		return s.home, nil
	}
	c, err := s.engine.pool.get()
	if err != nil {
		return nil, err
	}
	if err := s.applySearchPath(c); err != nil {
		s.engine.pool.put(c)
		return nil, err
	}
	return c, nil
}

func (s *Session) release(c *duckConn) {
	if c == s.home {
		s.homeBusy = false
		return
	}
	s.engine.pool.put(c)
}

// Close ends the session and returns its connection to the pool. Open
// portals must be closed first.
func (s *Session) Close() {
	s.detach()
	s.closeCursors(func(*cursor) bool { return true })
	if s.home != nil {
		s.engine.pool.put(s.home)
		s.home = nil
	}
}
