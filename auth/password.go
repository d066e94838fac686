package auth

import (
	"context"

	"github.com/lakegate/lakegate/sqlstate"
)

// passwordMethod asks for the password in clear text and checks it against
// the stored secret. It is refused on a connection without TLS, before the
// client is asked for anything.
type passwordMethod struct{ dummy *ScramSecret }

func (m passwordMethod) Authenticate(ctx context.Context, login *Login) error {
	if login.Conn.TLS() == nil {
		return sqlstate.Errorf(sqlstate.InvalidAuthorizationSpecification,
			"password authentication requires an encrypted connection").
			WithHint("Connect with sslmode=require, or use scram-sha-256.").Fatal()
	}
	var secret Secret = m.dummy
	known := login.Account != nil && login.Account.Secret != nil
	if known {
		secret = login.Account.Secret
	}
	password, err := login.Conn.Cleartext()
	if err != nil {
		return err
	}
	if !VerifyPassword(secret, login.User, string(password)) || !known {
		return errFailed
	}
	return nil
}
