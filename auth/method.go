package auth

import (
	"context"
	"fmt"
	"log/slog"
)

// Method names a way to authenticate, as in pg_hba.conf.
type Method string

// The methods lakegate knows.
const (
	// ScramSHA256 is SCRAM-SHA-256 (RFC 7677): the password never
	// crosses the wire and the server proves it knows the verifier.
	ScramSHA256 Method = "scram-sha-256"
	// MD5 is PostgreSQL's md5 challenge. Kept for old clients.
	MD5 Method = "md5"
	// Password asks for the password in clear text; only over TLS.
	Password Method = "password"
	// Trust admits without a password, from loopback (or networks the
	// operator trusts) only.
	Trust Method = "trust"
	// Reject refuses the login (an hba rule that blocks).
	Reject Method = "reject"
)

// Login is one authentication attempt: who claims to log in, the account
// lakegate has for that name (nil when there is none), and the connection.
type Login struct {
	User    string
	Account *User // nil for an unknown user
	Conn    Conn
	Logger  *slog.Logger
}

// An Authenticator runs one method's exchange. It returns nil when the
// client proved it is Login.User, errFailed (reported as 28P01, the same
// for every failure) when it did not, or another error when the exchange
// broke down. A new method (OIDC bearer tokens sent as a cleartext
// password, say) plugs in by implementing Authenticator and registering it
// in Policy.Methods.
type Authenticator interface {
	Authenticate(ctx context.Context, login *Login) error
}

// AuthenticatorFunc adapts a function to Authenticator.
type AuthenticatorFunc func(ctx context.Context, login *Login) error

// Authenticate calls f.
func (f AuthenticatorFunc) Authenticate(ctx context.Context, login *Login) error {
	return f(ctx, login)
}

// errFailed is every password failure: wrong password, unknown user, a
// secret that cannot serve the method. The client sees one message.
var errFailed = fmt.Errorf("authentication failed")

// builtinMethods are the methods every Policy knows.
func builtinMethods(dummy *ScramSecret) map[Method]Authenticator {
	return map[Method]Authenticator{
		ScramSHA256: scramMethod{dummy: dummy},
		MD5:         md5Method{dummy: dummy},
		Password:    passwordMethod{dummy: dummy},
	}
}
