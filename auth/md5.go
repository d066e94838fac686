package auth

import (
	"context"
	"crypto/rand"
)

// md5Method runs PostgreSQL's md5 challenge. A user whose secret is a
// SCRAM verifier cannot answer it (the md5 hash cannot be derived from a
// verifier), so, as PostgreSQL does, the exchange is SCRAM-SHA-256 instead.
type md5Method struct{ dummy *ScramSecret }

func (m md5Method) Authenticate(ctx context.Context, login *Login) error {
	var secret *MD5Secret
	if login.Account != nil {
		switch s := login.Account.Secret.(type) {
		case *ScramSecret:
			login.Logger.Warn("user has a SCRAM verifier, which cannot serve md5: authenticating with scram-sha-256 instead", "user", login.User)
			return runScram(login.Conn, s, true)
		case *MD5Secret:
			secret = s
		default:
			login.Logger.Error("user has no password", "user", login.User)
		}
	}
	var salt [4]byte
	if _, err := rand.Read(salt[:]); err != nil {
		return err
	}
	known := secret != nil
	if !known {
		// Compare against a hash nobody knows, so that the work and the
		// answer are the same as for a wrong password.
		var random [16]byte
		rand.Read(random[:])
		secret = NewMD5Secret(login.User, string(random[:]))
	}
	response, err := login.Conn.MD5(salt)
	if err != nil {
		return err
	}
	if !secret.matches(salt, response) || !known {
		return errFailed
	}
	return nil
}
