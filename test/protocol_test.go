package test

import (
	"encoding/binary"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// rawClient speaks the protocol message by message, for what drivers do
// not expose: row limits, version negotiation, malformed input.
type rawClient struct {
	t    testing.TB
	conn net.Conn
	fe   *pgproto3.Frontend
}

func dialRaw(t testing.TB, addr string) *rawClient {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(30 * time.Second))
	return &rawClient{t: t, conn: c, fe: pgproto3.NewFrontend(c, c)}
}

func (rc *rawClient) send(msgs ...pgproto3.FrontendMessage) {
	rc.t.Helper()
	for _, m := range msgs {
		rc.fe.Send(m)
	}
	if err := rc.fe.Flush(); err != nil {
		rc.t.Fatal(err)
	}
}

// receiveUntil collects message type names up to and including one of
// type stop.
func (rc *rawClient) receiveUntil(stop string) []string {
	rc.t.Helper()
	var got []string
	for {
		msg, err := rc.fe.Receive()
		if err != nil {
			rc.t.Fatalf("receive after %v: %v", got, err)
		}
		name := typeName(msg)
		if e, ok := msg.(*pgproto3.ErrorResponse); ok {
			name += ":" + e.Code
		}
		got = append(got, name)
		if name == stop {
			return got
		}
	}
}

// typeName names a message compactly: "D" for DataRow, "ReadyI" for
// ReadyForQuery with its status, the pgproto3 type name otherwise.
func typeName(msg pgproto3.BackendMessage) string {
	switch m := msg.(type) {
	case *pgproto3.DataRow:
		return "D"
	case *pgproto3.ReadyForQuery:
		return "Ready" + string(m.TxStatus)
	}
	return strings.TrimPrefix(fmt.Sprintf("%T", msg), "*pgproto3.")
}

func (rc *rawClient) startup(params map[string]string) []string {
	rc.t.Helper()
	rc.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: params})
	return rc.receiveUntil("ReadyI")
}

func sendCancel(t testing.TB, addr string, pid uint32, key []byte) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	buf, _ := (&pgproto3.CancelRequest{ProcessID: pid, SecretKey: key}).Encode(nil)
	c.Write(buf)
}

func TestPortalRowLimit(t *testing.T) {
	lg := startLakegate(t)
	rc := dialRaw(t, lg.addr)
	rc.startup(map[string]string{"user": "lakegate"})
	rc.send(
		&pgproto3.Parse{Name: "s", Query: "select i from range(5) t(i)"},
		&pgproto3.Bind{PreparedStatement: "s", DestinationPortal: "p"},
		&pgproto3.Describe{ObjectType: 'P', Name: "p"},
		&pgproto3.Execute{Portal: "p", MaxRows: 2},
		&pgproto3.Execute{Portal: "p", MaxRows: 2},
		&pgproto3.Execute{Portal: "p", MaxRows: 2},
		&pgproto3.Sync{},
	)
	got := rc.receiveUntil("ReadyI")
	want := "ParseComplete BindComplete RowDescription D D PortalSuspended D D PortalSuspended D CommandComplete ReadyI"
	if joined(got) != want {
		t.Fatalf("got  %s\nwant %s", joined(got), want)
	}
}

func TestErrorSkipsUntilSync(t *testing.T) {
	lg := startLakegate(t)
	rc := dialRaw(t, lg.addr)
	rc.startup(map[string]string{"user": "lakegate"})
	rc.send(
		&pgproto3.Parse{Query: "select * from nowhere"},
		&pgproto3.Bind{},
		&pgproto3.Execute{},
		&pgproto3.Sync{},
		&pgproto3.Parse{Query: "select 1"},
		&pgproto3.Bind{},
		&pgproto3.Execute{},
		&pgproto3.Sync{},
	)
	got := append(rc.receiveUntil("ReadyI"), rc.receiveUntil("ReadyI")...)
	want := "ErrorResponse:42P01 ReadyI ParseComplete BindComplete D CommandComplete ReadyI"
	if joined(got) != want {
		t.Fatalf("got  %s\nwant %s", joined(got), want)
	}
}

func TestProtocolVersionNegotiation(t *testing.T) {
	lg := startLakegate(t)
	rc := dialRaw(t, lg.addr)
	// Protocol 3.1 is not one pgproto3 can encode, so build the packet.
	params := []byte("user\x00lakegate\x00_pq_.something\x00x\x00\x00")
	packet := binary.BigEndian.AppendUint32(nil, uint32(8+len(params)))
	packet = binary.BigEndian.AppendUint32(packet, 3<<16|1)
	packet = append(packet, params...)
	rc.conn.Write(packet)
	got := rc.receiveUntil("ReadyI")
	if got[0] != "NegotiateProtocolVersion" {
		t.Fatalf("want NegotiateProtocolVersion first, got %v", got)
	}
}

func TestSSLRequestDeclined(t *testing.T) {
	lg := startLakegate(t)
	rc := dialRaw(t, lg.addr)
	buf, _ := (&pgproto3.SSLRequest{}).Encode(nil)
	rc.conn.Write(buf)
	answer := make([]byte, 1)
	if _, err := rc.conn.Read(answer); err != nil || answer[0] != 'N' {
		t.Fatalf("SSLRequest answer %q, %v", answer, err)
	}
	rc.startup(map[string]string{"user": "lakegate"})
}

func TestMalformedInputClosesOnlyThatConnection(t *testing.T) {
	lg := startLakegate(t)
	cases := map[string][]byte{
		"unknown message type": []byte{'!', 0, 0, 0, 4},
		"bad length":           []byte{'Q', 0, 0, 0, 1},
		"huge message":         []byte{'Q', 0x7f, 0, 0, 0},
	}
	for name, bytes := range cases {
		t.Run(name, func(t *testing.T) {
			rc := dialRaw(t, lg.addr)
			rc.startup(map[string]string{"user": "lakegate"})
			rc.conn.Write(bytes)
			msg, err := rc.fe.Receive()
			if err != nil {
				t.Fatal(err)
			}
			e, ok := msg.(*pgproto3.ErrorResponse)
			if !ok || e.Severity != "FATAL" {
				t.Fatalf("want a FATAL ErrorResponse, got %#v", msg)
			}
		})
	}
	// A garbage startup packet.
	rc := dialRaw(t, lg.addr)
	rc.conn.Write([]byte{0, 0, 0, 3})
	rc.conn.Read(make([]byte, 100))
	// The server still serves.
	conn := lg.connect(t)
	if _, err := conn.Exec(t.Context(), "select 1"); err != nil {
		t.Fatal(err)
	}
}

func joined(s []string) string { return strings.Join(s, " ") }
