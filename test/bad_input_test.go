package test

import (
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// message frames a frontend message by hand, so that it can be wrong.
func message(typ byte, body string) []byte {
	b := append([]byte{typ}, 0, 0, 0, 0)
	binary.BigEndian.PutUint32(b[1:], uint32(4+len(body)))
	return append(b, body...)
}

// answers reads what the server sends back up to ReadyForQuery or the end
// of the connection: message names, errors with severity and SQLSTATE.
func (rc *rawClient) answers() string {
	rc.t.Helper()
	var got []string
	for {
		msg, err := rc.fe.Receive()
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return strings.Join(append(got, "closed"), " ")
		}
		if err != nil {
			rc.t.Fatalf("receive after %v: %v", got, err)
		}
		switch m := msg.(type) {
		case *pgproto3.ErrorResponse:
			got = append(got, m.Severity+":"+m.Code)
		case *pgproto3.ReadyForQuery:
			return strings.Join(append(got, "Ready"+string(m.TxStatus)), " ")
		default:
			got = append(got, typeName(m))
		}
	}
}

// TestBadInput sends what a broken or hostile client might, after a good
// startup, and checks each answer is PostgreSQL's own (the same bytes go
// to a real PostgreSQL 15 unless -short): an ERROR where PostgreSQL keeps
// the session, a FATAL and a closed connection where it does not. After
// each, the server still serves others.
func TestBadInput(t *testing.T) {
	type server struct{ addr, user string }
	lg := startLakegate(t)
	servers := []server{{lg.addr, "lakegate"}}
	if !testing.Short() {
		servers = append(servers, server{fmt.Sprintf("127.0.0.1:%d", startPostgres(t).Port), "postgres"})
	}
	sync := message('S', "")
	// On a bad message length PostgreSQL closes the connection without a
	// word (it only logs the error); lakegate sends a FATAL error first, so
	// the user learns why (silentPG).
	cases := []struct {
		name     string
		input    []byte
		want     string
		silentPG bool
	}{
		{"invalid UTF-8 in a query", message('Q', "select '\xff\xfe'\x00"), "ERROR:22021 ReadyI", false},
		{"invalid UTF-8 in a Parse", append(message('P', "\x00select '\xc3('\x00\x00\x00"), sync...), "ERROR:22021 ReadyI", false},
		{"invalid UTF-8 in a text parameter", append(append(message('P', "\x00select $1::text\x00\x00\x00"), message('B', "\x00\x00\x00\x00\x00\x01\x00\x00\x00\x02a\xff\x00\x00")...), sync...), "ParseComplete ERROR:22021 ReadyI", false},
		{"NUL inside a query string", message('Q', "select 1\x00; select 2\x00"), "ERROR:08P01 ReadyI", false},
		{"query without its NUL", message('Q', "select 1"), "ERROR:08P01 ReadyI", false},
		{"Bind of a statement that does not exist", append(message('B', "\x00nope\x00\x00\x00\x00\x00\x00\x00"), sync...), "ERROR:26000 ReadyI", false},
		{"Execute of a portal that does not exist", append(message('E', "nope\x00\x00\x00\x00\x00"), sync...), "ERROR:34000 ReadyI", false},
		{"Describe of an unknown kind", append(message('D', "Xname\x00"), sync...), "ERROR:08P01 ReadyI", false},
		{"Bind with fewer parameters than declared", append(append(message('P', "\x00select $1::int\x00\x00\x00"), message('B', "\x00\x00\x00\x00\x00\x00\x00\x00")...), sync...), "ParseComplete ERROR:08P01 ReadyI", false},
		{"Bind with a parameter length past the message", append(append(message('P', "\x00select $1::text\x00\x00\x00"), message('B', "\x00\x00\x00\x00\x00\x01\x00\x00\x01\x00x\x00\x00")...), sync...), "ParseComplete ERROR:08P01 ReadyI", false},
		{"a second startup message", []byte{0, 0, 0, 8, 0, 3, 0, 0}, "FATAL:08P01 closed", false},
		{"unknown message type", message('!', ""), "FATAL:08P01 closed", false},
		{"length shorter than its own header", []byte{'Q', 0, 0, 0, 2}, "FATAL:08P01 closed", true},
		{"1 GB length prefix", []byte{'Q', 0x40, 0, 0, 0}, "FATAL:54000 closed", true},
	}
	for _, srv := range servers {
		for _, tc := range cases {
			rc := dialRaw(t, srv.addr)
			rc.startup(map[string]string{"user": srv.user})
			if _, err := rc.conn.Write(tc.input); err != nil {
				t.Fatal(err)
			}
			want := tc.want
			if srv.user == "postgres" && tc.silentPG {
				want = "closed"
			}
			if got := rc.answers(); got != want {
				t.Errorf("%s, %s: got %s, want %s", srv.user, tc.name, got, want)
			}
			rc.conn.Close()
		}
	}
	// After all of it, lakegate serves a new client.
	conn := lg.connect(t)
	var n int
	if err := conn.QueryRow(t.Context(), "select 1").Scan(&n); err != nil || n != 1 {
		t.Fatalf("after bad input: %d, %v", n, err)
	}
}

// TestTruncatedMessage checks that a client which sends part of a message
// and then nothing holds up only itself, and that hanging up mid-message
// ends its session quietly.
func TestTruncatedMessage(t *testing.T) {
	lg := startLakegate(t)
	rc := dialRaw(t, lg.addr)
	rc.startup(map[string]string{"user": "lakegate"})
	full := message('Q', "select 1\x00")
	rc.conn.Write(full[:7]) // type, length, two bytes of the text
	conn := lg.connect(t)
	var n int
	if err := conn.QueryRow(t.Context(), "select 1").Scan(&n); err != nil {
		t.Fatalf("another client while one waits mid-message: %v", err)
	}
	rc.conn.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	if _, err := rc.conn.Read(make([]byte, 1)); err == nil {
		t.Fatal("the server answered a message it has not fully received")
	}
	// The rest arrives: the query runs.
	rc.conn.SetDeadline(time.Now().Add(10 * time.Second))
	rc.conn.Write(full[7:])
	if got := rc.answers(); got != "RowDescription D CommandComplete ReadyI" {
		t.Fatalf("completed message: %s", got)
	}
	rc.conn.Write(full[:6])
	rc.conn.Close()
	if err := conn.QueryRow(t.Context(), "select 2").Scan(&n); err != nil || n != 2 {
		t.Fatalf("after a client hung up mid-message: %d, %v", n, err)
	}
}
