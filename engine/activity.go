package engine

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// pg_stat_activity. The engine keeps every session that the wire server
// has attached a backend to (SetBackend) in a registry, with what it is
// doing; the view reads a DuckDB table that is refilled from the registry
// just before a statement that names it runs (snapshot.go).

// Backend is what the wire server knows of a session's connection.
type Backend struct {
	// PID is the process ID the client got in BackendKeyData.
	PID uint32
	// ClientAddr and ClientPort are the client's address; ClientPort is
	// -1 for a Unix socket, as in PostgreSQL.
	ClientAddr string
	ClientPort int
	// Started is when the connection was accepted.
	Started time.Time
	// Terminate ends the connection with 57P01 (pg_terminate_backend). It
	// is called from another session's goroutine.
	Terminate func()
}

// sessionActivity is what pg_stat_activity shows of one session. It is
// written by the session's goroutine and read by any.
type sessionActivity struct {
	mu          sync.Mutex
	backend     Backend
	attached    bool
	active      bool
	query       string
	queryStart  time.Time
	stateChange time.Time
	xactStart   time.Time
	// applicationName is copied from the settings by the session's own
	// goroutine, which alone may read them.
	applicationName string
	tx              TxStatus
	// rows counts the rows the running statement has sent so far: the
	// progress pg_stat_activity reports.
	rows atomic.Int64
}

// Activity is one row of pg_stat_activity.
type Activity struct {
	PID             uint32
	Database        string
	User            string
	ApplicationName string
	ClientAddr      string
	ClientPort      int
	BackendStart    time.Time
	XactStart       time.Time
	QueryStart      time.Time
	StateChange     time.Time
	// State is PostgreSQL's: active, idle, idle in transaction, idle in
	// transaction (aborted).
	State string
	Query string
	// RowsSent is how many rows the running statement has sent so far.
	RowsSent int64
}

// sessionRegistry is the engine's list of attached sessions.
type sessionRegistry struct {
	mu       sync.Mutex
	sessions map[uint32]*Session
}

func (r *sessionRegistry) add(pid uint32, s *Session) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.sessions == nil {
		r.sessions = map[uint32]*Session{}
	}
	r.sessions[pid] = s
}

func (r *sessionRegistry) remove(pid uint32, s *Session) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.sessions[pid] == s {
		delete(r.sessions, pid)
	}
}

func (r *sessionRegistry) find(pid uint32) *Session {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sessions[pid]
}

func (r *sessionRegistry) all() []*Session {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*Session, 0, len(r.sessions))
	for _, s := range r.sessions {
		out = append(out, s)
	}
	return out
}

// SetBackend attaches the session to its connection: from now on it is
// listed in pg_stat_activity and can be signalled by its PID.
func (s *Session) SetBackend(b Backend) {
	a := &s.activity
	a.mu.Lock()
	a.backend, a.attached = b, true
	a.stateChange = b.Started
	a.applicationName = s.settings.values["application_name"]
	a.tx = s.tx
	a.mu.Unlock()
	s.engine.ops.registry.add(b.PID, s)
}

// detach removes the session from the registry (Session.Close).
func (s *Session) detach() {
	a := &s.activity
	a.mu.Lock()
	attached, pid := a.attached, a.backend.PID
	a.attached = false
	a.mu.Unlock()
	if attached {
		s.engine.ops.registry.remove(pid, s)
	}
}

// BeginActivity marks the session active running query, as PostgreSQL
// does when a Query or Execute message starts.
func (s *Session) BeginActivity(query string) {
	now := time.Now()
	a := &s.activity
	a.rows.Store(0)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.active, a.query, a.queryStart, a.stateChange = true, query, now, now
	a.applicationName = s.settings.values["application_name"]
	a.tx = s.tx
	if s.tx == TxIdle {
		a.xactStart = now // the statement is its own transaction
	}
}

// EndActivity marks the session idle (or idle in a transaction block).
func (s *Session) EndActivity() {
	s.mu.Lock()
	s.pending = nil // an interrupt of this statement is not for the next
	s.mu.Unlock()
	a := &s.activity
	a.mu.Lock()
	defer a.mu.Unlock()
	a.active, a.stateChange = false, time.Now()
	a.applicationName = s.settings.values["application_name"]
	a.tx = s.tx
	if s.tx == TxIdle {
		a.xactStart = time.Time{}
	}
}

// countRows adds rows sent by the running statement (Portal.run).
func (s *Session) countRows(n int) { s.activity.rows.Add(int64(n)) }

// snapshot is the session's pg_stat_activity row, as of its last state
// change.
func (s *Session) snapshot() Activity {
	a := &s.activity
	a.mu.Lock()
	defer a.mu.Unlock()
	act := Activity{
		PID:             a.backend.PID,
		Database:        s.database,
		User:            s.user,
		ApplicationName: a.applicationName,
		ClientAddr:      a.backend.ClientAddr,
		ClientPort:      a.backend.ClientPort,
		BackendStart:    a.backend.Started,
		XactStart:       a.xactStart,
		QueryStart:      a.queryStart,
		StateChange:     a.stateChange,
		Query:           a.query,
	}
	switch {
	case a.active:
		act.State = "active"
		act.RowsSent = a.rows.Load()
	case a.tx == TxActive:
		act.State = "idle in transaction"
	case a.tx == TxFailed:
		act.State = "idle in transaction (aborted)"
	default:
		act.State = "idle"
	}
	return act
}

// Activity lists the attached sessions, by PID.
func (e *Engine) Activity() []Activity {
	sessions := e.ops.registry.all()
	out := make([]Activity, 0, len(sessions))
	for _, s := range sessions {
		out = append(out, s.snapshot())
	}
	slices.SortFunc(out, func(a, b Activity) int { return int(int64(a.PID) - int64(b.PID)) })
	return out
}

// Interrupt stops the statement the session is running, if any, with
// cause as its error: what a terminated or shut-down session's client
// sees. Like Cancel, it may be called from any goroutine.
func (s *Session) Interrupt(cause error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running != nil {
		s.running(cause)
		return
	}
	s.activity.mu.Lock()
	active := s.activity.active
	s.activity.mu.Unlock()
	if active { // the statement is about to start: it starts interrupted
		s.pending = cause
	}
}

// Running reports whether the session is executing a statement.
func (s *Session) Running() bool {
	s.activity.mu.Lock()
	defer s.activity.mu.Unlock()
	return s.activity.active
}
