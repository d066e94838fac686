package server

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/lakegate/lakegate/auth"
	"github.com/lakegate/lakegate/engine"
)

// FuzzReadStartupPacket feeds arbitrary bytes to the startup packet reader.
func FuzzReadStartupPacket(f *testing.F) {
	f.Add([]byte{0, 0, 0, 8, 4, 210, 22, 47})
	f.Add(startupBytes(pgproto3.ProtocolVersion30, "user\x00u\x00\x00"))
	f.Add([]byte{0, 0, 0, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		code, body, err := readStartupPacket(bytes.NewReader(data))
		if err == nil && (len(body) < 4 || binary.BigEndian.Uint32(body) != code) {
			t.Fatalf("inconsistent packet: code %d body %x", code, body)
		}
	})
}

// FuzzParseOptions checks the startup options parser never panics.
func FuzzParseOptions(f *testing.F) {
	f.Add("-c search_path=a,b --application-name=x -c")
	f.Add(`-c a=b\ c`)
	f.Fuzz(func(t *testing.T, s string) { parseOptions(s) })
}

// FuzzDecodeParams feeds arbitrary Bind parameter bytes to the decoder.
func FuzzDecodeParams(f *testing.F) {
	f.Add(uint32(pgtype.Int4OID), int16(1), []byte{0, 0, 0, 1})
	f.Add(uint32(pgtype.NumericOID), int16(1), []byte{0, 1, 0, 0, 0, 0, 0, 0, 0, 7})
	f.Add(uint32(pgtype.TimestamptzOID), int16(1), []byte{1, 2, 3})
	f.Add(uint32(pgtype.IntervalOID), int16(1), make([]byte, 16))
	f.Add(uint32(pgtype.Int4ArrayOID), int16(0), []byte(`{{1,2},{NULL," 3 "}}`))
	f.Add(uint32(pgtype.TextArrayOID), int16(0), []byte(`{"a\"b",NULL,c}`))
	f.Add(uint32(pgtype.Int8ArrayOID), int16(1), []byte{0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 20, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 7})
	f.Fuzz(func(t *testing.T, oid uint32, format int16, value []byte) {
		decodeParams([]uint32{oid}, []int16{format}, [][]byte{value})
	})
}

// FuzzSession drives a whole session with arbitrary bytes after a valid
// startup: the server must answer or close, never hang or crash.
func FuzzSession(f *testing.F) {
	eng, err := engine.Open(context.Background(), engine.Config{Threads: 1})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { eng.Close() })
	srv := &Server{Engine: eng, Auth: auth.TrustLoopback("u")}
	seed := func(msgs ...pgproto3.FrontendMessage) []byte {
		var buf []byte
		for _, m := range msgs {
			buf, _ = m.Encode(buf)
		}
		return buf
	}
	f.Add(seed(&pgproto3.Query{String: "select 1"}))
	f.Add(seed(&pgproto3.Parse{Query: "select $1::int"}, &pgproto3.Bind{Parameters: [][]byte{[]byte("1")}}, &pgproto3.Execute{}, &pgproto3.Sync{}))
	f.Add(seed(&pgproto3.Bind{PreparedStatement: "nope"}, &pgproto3.Describe{ObjectType: 'X'}, &pgproto3.Sync{}))
	f.Add([]byte{'Q', 0, 0, 0, 4})
	f.Fuzz(func(t *testing.T, data []byte) {
		client, serverSide := net.Pipe()
		c := newConn(srv, &loopbackConn{serverSide})
		done := make(chan struct{})
		go func() { defer close(done); c.serve() }()
		go io.Copy(io.Discard, client)
		client.SetWriteDeadline(time.Now().Add(5 * time.Second))
		client.Write(startupBytes(pgproto3.ProtocolVersion30, "user\x00u\x00\x00"))
		client.Write(data)
		client.Write([]byte{'X', 0, 0, 0, 4})
		// A truncated message leaves the server waiting for its rest, as
		// PostgreSQL would; the client hanging up must end the session.
		client.Close()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("session did not end")
		}
	})
}

func startupBytes(version uint32, params string) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(8+len(params)))
	b = binary.BigEndian.AppendUint32(b, version)
	return append(b, params...)
}

// loopbackConn makes a net.Pipe end look like a loopback TCP connection to
// the trust policy.
type loopbackConn struct{ net.Conn }

func (loopbackConn) RemoteAddr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5} }
