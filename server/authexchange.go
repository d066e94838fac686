package server

import (
	"crypto/tls"
	"fmt"
	"net"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/lakegate/lakegate/auth"
	"github.com/lakegate/lakegate/sqlstate"
)

// maxAuthMessage bounds a password or SASL message, as PostgreSQL's
// PG_MAX_AUTH_TOKEN_LENGTH does.
const maxAuthMessage = 65535

// authExchange is the auth.Conn of a connection in its startup phase: each
// method runs its exchange through these authentication messages.
type authExchange struct{ c *conn }

var _ auth.Conn = authExchange{}

func (a authExchange) RemoteAddr() net.Addr { return a.c.netConn.RemoteAddr() }

func (a authExchange) TLS() *tls.ConnectionState { return a.c.tlsState() }

func (a authExchange) Cleartext() ([]byte, error) {
	m, err := a.request(&pgproto3.AuthenticationCleartextPassword{}, pgproto3.AuthTypeCleartextPassword)
	if err != nil {
		return nil, err
	}
	p, ok := m.(*pgproto3.PasswordMessage)
	if !ok {
		return nil, unexpectedAuthMessage(m)
	}
	return []byte(p.Password), nil
}

func (a authExchange) MD5(salt [4]byte) ([]byte, error) {
	m, err := a.request(&pgproto3.AuthenticationMD5Password{Salt: salt}, pgproto3.AuthTypeMD5Password)
	if err != nil {
		return nil, err
	}
	p, ok := m.(*pgproto3.PasswordMessage)
	if !ok {
		return nil, unexpectedAuthMessage(m)
	}
	return []byte(p.Password), nil
}

func (a authExchange) SASLStart(mechanisms []string) (string, []byte, error) {
	m, err := a.request(&pgproto3.AuthenticationSASL{AuthMechanisms: mechanisms}, pgproto3.AuthTypeSASL)
	if err != nil {
		return "", nil, err
	}
	r, ok := m.(*pgproto3.SASLInitialResponse)
	if !ok {
		return "", nil, unexpectedAuthMessage(m)
	}
	return r.AuthMechanism, r.Data, nil
}

func (a authExchange) SASLContinue(data []byte) ([]byte, error) {
	m, err := a.request(&pgproto3.AuthenticationSASLContinue{Data: data}, pgproto3.AuthTypeSASLContinue)
	if err != nil {
		return nil, err
	}
	r, ok := m.(*pgproto3.SASLResponse)
	if !ok {
		return nil, unexpectedAuthMessage(m)
	}
	return r.Data, nil
}

func (a authExchange) SASLFinal(data []byte) error {
	// AuthenticationOk follows in the same flush.
	a.c.backend.Send(&pgproto3.AuthenticationSASLFinal{Data: data})
	return nil
}

// request sends an authentication request and reads the client's answer,
// with the message size bounded while it does.
func (a authExchange) request(msg pgproto3.BackendMessage, authType uint32) (pgproto3.FrontendMessage, error) {
	a.c.backend.Send(msg)
	if err := a.c.flush(); err != nil {
		return nil, err
	}
	if err := a.c.backend.SetAuthType(authType); err != nil {
		return nil, err
	}
	a.c.backend.SetMaxBodyLen(maxAuthMessage)
	defer a.c.backend.SetMaxBodyLen(a.c.maxMessageSize())
	m, err := a.c.backend.Receive()
	if err != nil {
		if _, tooBig := err.(*pgproto3.ExceededMaxBodyLenErr); tooBig {
			return nil, sqlstate.Errorf(sqlstate.ProtocolViolation, "invalid authentication message length").Fatal()
		}
		return nil, err // the client went away or timed out
	}
	return m, nil
}

func unexpectedAuthMessage(m pgproto3.FrontendMessage) error {
	return sqlstate.Errorf(sqlstate.ProtocolViolation, "expected a password response, got %s", fmt.Sprintf("%T", m)[len("*pgproto3."):]).Fatal()
}
