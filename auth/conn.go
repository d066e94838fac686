package auth

import (
	"crypto/tls"
	"net"
)

// Conn is what an authentication method needs from a client connection.
// The wire server implements it on top of the PostgreSQL protocol's
// authentication messages, so no authentication code touches sockets.
type Conn interface {
	// RemoteAddr is the client's address.
	RemoteAddr() net.Addr
	// TLS is the connection's TLS state, nil on a plain connection.
	TLS() *tls.ConnectionState
	// Cleartext asks for the password in clear text and returns it.
	Cleartext() ([]byte, error)
	// MD5 asks for the md5 answer to salt and returns it.
	MD5(salt [4]byte) ([]byte, error)
	// SASLStart offers mechanisms and returns the one the client chose
	// with its initial response.
	SASLStart(mechanisms []string) (mechanism string, data []byte, err error)
	// SASLContinue sends a challenge and returns the client's response.
	SASLContinue(data []byte) ([]byte, error)
	// SASLFinal sends the server's final SASL message (the login is
	// confirmed separately, by AuthenticationOk).
	SASLFinal(data []byte) error
}
