package server

import (
	"bufio"
	"crypto/tls"
	"net"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/lakegate/lakegate/sqlstate"
)

// tlsRecordHandshake is the first byte of a TLS ClientHello: a client
// using PostgreSQL 17's direct TLS (sslnegotiation=direct) starts with it
// instead of an SSLRequest.
const tlsRecordHandshake = 0x16

// alpnPostgreSQL is the ALPN protocol direct TLS clients must negotiate.
const alpnPostgreSQL = "postgresql"

func (c *conn) tlsState() *tls.ConnectionState {
	if tc, ok := c.netConn.(*tls.Conn); ok {
		state := tc.ConnectionState()
		return &state
	}
	return nil
}

// startsWithTLS reports whether the client opened with a TLS ClientHello
// rather than a startup packet.
func (c *conn) startsWithTLS() bool {
	first, err := c.reader.Peek(1)
	return err == nil && first[0] == tlsRecordHandshake
}

// answerSSLRequest answers an SSLRequest: 'S' and a TLS handshake when a
// certificate is configured, 'N' (continue in plain text) otherwise. It
// returns false when the connection is done.
func (c *conn) answerSSLRequest() bool {
	if c.sec.TLS == nil || c.tlsState() != nil {
		_, err := c.netConn.Write([]byte{'N'})
		return err == nil
	}
	if c.reader.Buffered() > 0 {
		// Bytes sent after the SSLRequest, before the handshake, would
		// be read as if they had been encrypted (CVE-2021-23214).
		c.fatal(sqlstate.Errorf(sqlstate.ProtocolViolation, "received unencrypted data after SSL request").Fatal())
		return false
	}
	if _, err := c.netConn.Write([]byte{'S'}); err != nil {
		return false
	}
	return c.handshakeTLS(false)
}

// handshakeTLS runs the server side of the TLS handshake and moves the
// connection's reader and Backend onto the encrypted stream.
func (c *conn) handshakeTLS(direct bool) bool {
	var raw net.Conn = c.netConn
	if c.reader.Buffered() > 0 {
		// The ClientHello a direct TLS client sent is already in the
		// reader (startsWithTLS peeked at it).
		raw = &bufferedConn{Conn: c.netConn, r: c.reader}
	}
	tc := tls.Server(raw, c.sec.TLS)
	if err := tc.HandshakeContext(c.ctx); err != nil {
		c.server.logger().Info("TLS handshake failed", "remote", c.netConn.RemoteAddr().String(), "error", err.Error())
		return false
	}
	// Shutdown closes netConn from another goroutine, under the server's
	// lock.
	c.server.mu.Lock()
	c.netConn = tc
	c.server.mu.Unlock()
	c.reader = bufio.NewReaderSize(tc, 32<<10)
	c.backend = pgproto3.NewBackend(c.reader, &c.out)
	c.backend.SetMaxBodyLen(c.maxMessageSize())
	if direct && tc.ConnectionState().NegotiatedProtocol != alpnPostgreSQL {
		c.fatal(sqlstate.Errorf(sqlstate.ProtocolViolation,
			"received direct SSL connection request without ALPN protocol negotiation extension").Fatal())
		return false
	}
	return true
}

// bufferedConn reads through a bufio.Reader that holds bytes already
// received on Conn.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (b *bufferedConn) Read(p []byte) (int, error) { return b.r.Read(p) }
