package server

import (
	"errors"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/lakegate/lakegate/auth"
	"github.com/lakegate/lakegate/engine"
	"github.com/lakegate/lakegate/sqlstate"
)

// SQLSTATEs of the limits (PostgreSQL's errcodes.txt).
const (
	codeTooManyConnections              sqlstate.Code = "53300"
	codeIdleSessionTimeout              sqlstate.Code = "57P05"
	codeIdleInTransactionSessionTimeout sqlstate.Code = "25P03"
)

// defaultAuthenticationTimeout bounds the startup phase when Limits does
// not (PostgreSQL's authentication_timeout is one minute too).
const defaultAuthenticationTimeout = time.Minute

func (c *conn) authenticationTimeout() time.Duration {
	if c.sec.Limits.AuthenticationTimeout > 0 {
		return c.sec.Limits.AuthenticationTimeout
	}
	return defaultAuthenticationTimeout
}

// sessionSlots counts sessions, in total and by user, for max_connections
// and the users' connection limits.
type sessionSlots struct {
	mu     sync.Mutex
	total  int
	byUser map[string]int
	held   map[*conn]string // the user whose slot a conn holds, "" before login
}

// acquire takes one of max slots for c (max 0: no limit).
func (sl *sessionSlots) acquire(c *conn, max int) error {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	if max > 0 && sl.total >= max {
		return sqlstate.Errorf(codeTooManyConnections, "sorry, too many clients already").Fatal()
	}
	if sl.held == nil {
		sl.held, sl.byUser = map[*conn]string{}, map[string]int{}
	}
	sl.total++
	sl.held[c] = ""
	return nil
}

// acquireUser counts c's session against user's limit (0: none), once c
// holds a slot.
func (sl *sessionSlots) acquireUser(c *conn, user string, limit int) error {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	if limit > 0 && sl.byUser[user] >= limit {
		return sqlstate.Errorf(codeTooManyConnections, "too many connections for role %q", user).Fatal()
	}
	sl.byUser[user]++
	sl.held[c] = user
	return nil
}

func (sl *sessionSlots) release(c *conn) {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	user, ok := sl.held[c]
	if !ok {
		return
	}
	delete(sl.held, c)
	sl.total--
	if user != "" {
		if sl.byUser[user]--; sl.byUser[user] == 0 {
			delete(sl.byUser, user)
		}
	}
}

// applySessionDefaults sets the session's initial statement_timeout and
// idle_in_transaction_session_timeout from the user's and the server's
// limits, before the client's own startup parameters (which may change
// them, as SET may later).
func (c *conn) applySessionDefaults(account *auth.User) error {
	statementTimeout := c.sec.Limits.StatementTimeout
	if account != nil && account.StatementTimeout != nil {
		statementTimeout = *account.StatementTimeout
	}
	defaults := map[string]time.Duration{
		"statement_timeout":                   statementTimeout,
		"idle_in_transaction_session_timeout": c.sec.Limits.IdleInTransactionSessionTimeout,
	}
	for name, d := range defaults {
		if d > 0 {
			if err := c.session.SetStartupParameter(name, strconv.FormatInt(max(d.Milliseconds(), 1), 10)); err != nil {
				return err
			}
		}
	}
	return nil
}

// idleLimit is how long the session may wait for its next message, and the
// error that ends it when the wait is longer; 0 means no limit.
func (c *conn) idleLimit() (time.Duration, error) {
	if c.session.TxStatus() == engine.TxIdle {
		return c.sec.Limits.IdleSessionTimeout,
			sqlstate.Errorf(codeIdleSessionTimeout, "terminating connection due to idle-session timeout").Fatal()
	}
	v, _ := c.session.Setting("idle_in_transaction_session_timeout")
	ms, _ := strconv.ParseInt(v, 10, 64)
	return time.Duration(ms) * time.Millisecond,
		sqlstate.Errorf(codeIdleInTransactionSessionTimeout, "terminating connection due to idle-in-transaction timeout").Fatal()
}

// receive reads the next message, ending an idle session with FATAL 57P05
// or 25P03 when it waits longer than its timeout allows.
func (c *conn) receive() (pgproto3.FrontendMessage, error) {
	limit, timeoutErr := c.idleLimit()
	if limit > 0 {
		c.netConn.SetReadDeadline(time.Now().Add(limit))
		c.readDeadlineSet = true
	} else if c.readDeadlineSet {
		c.netConn.SetReadDeadline(time.Time{})
		c.readDeadlineSet = false
	}
	if c.endReason() != nil {
		// An end was asked (activity.go), whose deadline the one above
		// may have replaced: put it back, so that a read with nothing
		// buffered is interrupted.
		c.netConn.SetReadDeadline(time.Now())
	}
	msg, err := c.backend.Receive()
	if err != nil && limit > 0 && errors.Is(err, os.ErrDeadlineExceeded) && c.endReason() == nil {
		c.server.logger().Info("idle timeout", "pid", c.pid, "code", string(sqlstate.From(timeoutErr).Code))
		c.fatal(timeoutErr)
		// The deadline's error (a net.Error) ends the connection quietly.
	}
	return msg, err
}

// refuseLongQuery reports a Query or Parse whose SQL text is longer than
// max_query_length with 54000, and whether it did.
func (c *conn) refuseLongQuery(msg pgproto3.FrontendMessage) bool {
	limit := c.sec.Limits.MaxQueryLength
	if limit <= 0 {
		return false
	}
	var n int
	switch m := msg.(type) {
	case *pgproto3.Query:
		n = len(m.String)
	case *pgproto3.Parse:
		n = len(m.Query)
	default:
		return false
	}
	if int64(n) <= limit {
		return false
	}
	c.sendError(sqlstate.Errorf(sqlstate.ProgramLimitExceeded,
		"statement of %d bytes exceeds max_query_length (%d bytes)", n, limit))
	if _, simple := msg.(*pgproto3.Query); simple {
		// A simple query's error ends with ReadyForQuery, not in
		// skip-until-Sync mode.
		c.skipUntilSync = false
	}
	return true
}
