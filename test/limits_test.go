package test

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/lakegate/lakegate/engine"
)

// rawSession is a protocol-level client, for what drivers hide: the
// FATAL a server sends to an idle connection, framing limits.
type rawSession struct {
	conn net.Conn
	fe   *pgproto3.Frontend
}

// rawLogin logs in as the trust user over plain TCP and waits for
// ReadyForQuery.
func rawLogin(t *testing.T, addr string) *rawSession {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	s := &rawSession{conn: c, fe: pgproto3.NewFrontend(c, c)}
	s.fe.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "lakegate", "database": "lakegate"}})
	if err := s.fe.Flush(); err != nil {
		t.Fatal(err)
	}
	s.untilReady(t)
	c.SetDeadline(time.Time{})
	return s
}

// untilReady reads up to ReadyForQuery and returns the last error, if any.
func (s *rawSession) untilReady(t *testing.T) *pgproto3.ErrorResponse {
	t.Helper()
	var last *pgproto3.ErrorResponse
	for {
		msg, err := s.fe.Receive()
		if err != nil {
			t.Fatal(err)
		}
		switch m := msg.(type) {
		case *pgproto3.ErrorResponse:
			copied := *m
			last = &copied
		case *pgproto3.ReadyForQuery:
			return last
		}
	}
}

// readError reads messages until an ErrorResponse, failing on EOF.
func readError(t *testing.T, c net.Conn) *pgproto3.ErrorResponse {
	t.Helper()
	fe := pgproto3.NewFrontend(c, c)
	for {
		msg, err := fe.Receive()
		if err != nil {
			t.Fatalf("no ErrorResponse: %v", err)
		}
		if e, ok := msg.(*pgproto3.ErrorResponse); ok {
			return e
		}
	}
}

// expectClosed checks the server closes c within d.
func expectClosed(t *testing.T, c net.Conn, d time.Duration) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Errorf("the server did not close the connection within %v", d)
	}
}

func pgxConnect(t *testing.T, lg *secureLakegate, l login) (*pgx.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, lg.conninfo(l))
	if err == nil {
		t.Cleanup(func() { conn.Close(context.Background()) })
	}
	return conn, err
}

const limitsUsers = `
users:
  lakegate:
    method: trust
  alice:
    password: "` + testVerifier + `"
    connection_limit: 1
    statement_timeout: 300ms
`

func TestMaxConnections(t *testing.T) {
	lg := startSecureLakegate(t, limitsUsers+"limits:\n  max_connections: 2\n", nil)
	first, err := pgxConnect(t, lg, login{user: "lakegate"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pgxConnect(t, lg, login{user: "lakegate"}); err != nil {
		t.Fatal(err)
	}
	_, err = pgxConnect(t, lg, login{user: "lakegate"})
	if got := pgxErr(err); got != "ERR 53300 sorry, too many clients already" {
		t.Errorf("third connection: %s", got)
	}
	first.Close(context.Background())
	// The slot is free once the server has seen the Terminate.
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := pgxConnect(t, lg, login{user: "lakegate"})
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after one closed: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestUserConnectionLimit(t *testing.T) {
	lg := startSecureLakegate(t, limitsUsers, nil)
	if _, err := pgxConnect(t, lg, login{user: "alice", password: "alice-pw"}); err != nil {
		t.Fatal(err)
	}
	_, err := pgxConnect(t, lg, login{user: "alice", password: "alice-pw"})
	if got := pgxErr(err); got != `ERR 53300 too many connections for role "alice"` {
		t.Errorf("second alice connection: %s", got)
	}
	if _, err := pgxConnect(t, lg, login{user: "lakegate"}); err != nil {
		t.Errorf("another user: %v", err)
	}
}

// slowQuery runs for minutes unless a timeout stops it.
const slowQuery = "select count(*) from range(100000000000) a(i) where i % 7 = 3"

func TestStatementTimeout(t *testing.T) {
	lg := startSecureLakegate(t, limitsUsers+"limits:\n  statement_timeout: 1s\n", nil)
	ctx := context.Background()
	cases := []struct {
		user, password, show string
	}{
		{"lakegate", "", "1s"},         // the server's default
		{"alice", "alice-pw", "300ms"}, // alice's own
	}
	for _, c := range cases {
		conn, err := pgxConnect(t, lg, login{user: c.user, password: c.password})
		if err != nil {
			t.Fatal(err)
		}
		var show string
		if err := conn.QueryRow(ctx, "show statement_timeout").Scan(&show); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err = conn.Exec(ctx, slowQuery)
		if got := pgxErr(err); got != "ERR 57014 canceling statement due to statement timeout" {
			t.Errorf("%s: %s", c.user, got)
		}
		t.Logf("%s: statement_timeout %s, canceled after %v", c.user, show, time.Since(start))
		// The client's SET still works, and the session goes on.
		if _, err := conn.Exec(ctx, "set statement_timeout = 50"); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(ctx, slowQuery); pgxErr(err) != "ERR 57014 canceling statement due to statement timeout" {
			t.Errorf("%s after SET: %v", c.user, err)
		}
		if _, err := conn.Exec(ctx, "set statement_timeout = 0"); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := conn.QueryRow(ctx, "select count(*) from range(1000)").Scan(&n); err != nil || n != 1000 {
			t.Errorf("%s: %d %v", c.user, n, err)
		}
	}
}

func TestIdleSessionTimeout(t *testing.T) {
	lg := startSecureLakegate(t, limitsUsers+"limits:\n  idle_session_timeout: 300ms\n", nil)
	s := rawLogin(t, lg.addr)
	// Busy sessions are not idle.
	for range 3 {
		time.Sleep(150 * time.Millisecond)
		s.fe.Send(&pgproto3.Query{String: "select 1"})
		s.fe.Flush()
		if e := s.untilReady(t); e != nil {
			t.Fatal(e.Message)
		}
	}
	s.conn.SetDeadline(time.Now().Add(5 * time.Second))
	if e := readError(t, s.conn); e.Code != "57P05" || e.Severity != "FATAL" || e.Message != "terminating connection due to idle-session timeout" {
		t.Errorf("%+v", e)
	}
	expectClosed(t, s.conn, 5*time.Second)
}

func TestIdleInTransactionSessionTimeout(t *testing.T) {
	lg := startSecureLakegate(t, limitsUsers+"limits:\n  idle_in_transaction_session_timeout: 300ms\n", nil)
	s := rawLogin(t, lg.addr)
	// Outside a transaction the session may idle.
	time.Sleep(500 * time.Millisecond)
	s.fe.Send(&pgproto3.Query{String: "begin"})
	s.fe.Flush()
	if e := s.untilReady(t); e != nil {
		t.Fatal(e.Message)
	}
	s.conn.SetDeadline(time.Now().Add(5 * time.Second))
	if e := readError(t, s.conn); e.Code != "25P03" || e.Severity != "FATAL" || e.Message != "terminating connection due to idle-in-transaction timeout" {
		t.Errorf("%+v", e)
	}
	expectClosed(t, s.conn, 5*time.Second)
}

// Connections that never send anything (slowloris) do not stop others from
// logging in, and are closed after the authentication timeout.
func TestSilentConnectionsAreDropped(t *testing.T) {
	lg := startSecureLakegate(t, limitsUsers+"limits:\n  authentication_timeout: 1s\n  max_connections: 5\n", nil)
	var silent []net.Conn
	for range 20 {
		c, err := net.Dial("tcp", lg.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		silent = append(silent, c)
	}
	// Half send a partial startup packet and stall.
	for _, c := range silent[:10] {
		c.Write([]byte{0, 0, 0, 40, 0, 3})
	}
	start := time.Now()
	conn, err := pgxConnect(t, lg, login{user: "lakegate"})
	if err != nil {
		t.Fatalf("login while 20 connections stall: %v", err)
	}
	var one int
	if err := conn.QueryRow(context.Background(), "select 1").Scan(&one); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 900*time.Millisecond {
		t.Errorf("login took %v while connections stalled", d)
	}
	var wg sync.WaitGroup
	for _, c := range silent {
		wg.Add(1)
		go func() { defer wg.Done(); expectClosed(t, c, 5*time.Second) }()
	}
	wg.Wait()
}

// A length prefix of 1 GB is refused without allocating it, and the
// server goes on.
func TestHugeMessageLength(t *testing.T) {
	lg := startSecureLakegate(t, limitsUsers+"limits:\n  max_message_size: 1MB\n", nil)
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)

	s := rawLogin(t, lg.addr)
	var msg [5]byte
	msg[0] = 'Q'
	binary.BigEndian.PutUint32(msg[1:], 1<<30)
	s.conn.Write(msg[:])
	s.conn.SetDeadline(time.Now().Add(5 * time.Second))
	if e := readError(t, s.conn); e.Code != "54000" || !strings.Contains(e.Message, "exceeds the limit of 1048576 bytes") {
		t.Errorf("%+v", e)
	}
	expectClosed(t, s.conn, 5*time.Second)

	// In the startup packet too.
	c, err := net.Dial("tcp", lg.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	binary.BigEndian.PutUint32(msg[:4], 1<<30)
	c.Write(msg[:4])
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if e := readError(t, c); e.Code != "08P01" {
		t.Errorf("startup: %+v", e)
	}

	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if grew := int64(after.TotalAlloc) - int64(before.TotalAlloc); grew > 256<<20 {
		t.Errorf("the server allocated %d MB", grew>>20)
	}
	if _, err := pgxConnect(t, lg, login{user: "lakegate"}); err != nil {
		t.Error(err)
	}
}

func TestMaxQueryLength(t *testing.T) {
	lg := startSecureLakegate(t, limitsUsers+"limits:\n  max_query_length: 1kB\n", nil)
	conn, err := pgxConnect(t, lg, login{user: "lakegate"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	long := "select 1 as x" + strings.Repeat(" ", 1100)
	// Extended protocol (Parse), then the simple protocol.
	_, err = conn.Exec(ctx, long)
	if got := pgxErr(err); got != "ERR 54000 statement of 1113 bytes exceeds max_query_length (1024 bytes)" {
		t.Errorf("extended: %s", got)
	}
	_, err = conn.Exec(ctx, long, pgx.QueryExecModeSimpleProtocol)
	if got := pgxErr(err); !strings.HasPrefix(got, "ERR 54000 ") {
		t.Errorf("simple: %s", got)
	}
	var one int
	if err := conn.QueryRow(ctx, "select 1").Scan(&one); err != nil || one != 1 {
		t.Errorf("the session after: %v", err)
	}
}

// DuckDB's memory_limit is global: a query beyond it fails with 53200 and
// the other sessions go on.
func TestOutOfMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	lg := startSecureLakegate(t, limitsUsers, func(c *engine.Config) { c.MemoryLimit = "64MB" })
	ctx := context.Background()
	hog, err := pgxConnect(t, lg, login{user: "lakegate"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := pgxConnect(t, lg, login{user: "lakegate"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = hog.Exec(ctx, "select i % 5000000 as k, list(i) as l from range(40000000) t(i) group by k order by k limit 1")
	if got := pgxErr(err); !strings.HasPrefix(got, "ERR 53200 ") {
		t.Errorf("hash aggregation over the memory limit: %s", got)
	}
	var n int64
	if err := other.QueryRow(ctx, "select count(*) from range(1000000)").Scan(&n); err != nil || n != 1000000 {
		t.Errorf("another session: %d %v", n, err)
	}
	if err := hog.QueryRow(ctx, "select 42").Scan(&n); err != nil || n != 42 {
		t.Errorf("the session that ran out of memory: %d %v", n, err)
	}
}
