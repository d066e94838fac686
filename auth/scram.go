package auth

import (
	"context"
	"encoding/base64"
	"strings"

	"github.com/xdg-go/scram"

	"github.com/lakegate/lakegate/sqlstate"
)

// mechanismScramSHA256 is the SASL mechanism name PostgreSQL clients expect.
const mechanismScramSHA256 = "SCRAM-SHA-256"

// scramMethod runs SCRAM-SHA-256 with github.com/xdg-go/scram. An unknown
// user, or one without a SCRAM verifier, runs the same exchange against a
// dummy verifier, as PostgreSQL does, so a client cannot tell them apart.
type scramMethod struct{ dummy *ScramSecret }

func (m scramMethod) Authenticate(ctx context.Context, login *Login) error {
	secret, known := m.dummy, false
	if login.Account != nil {
		switch s := login.Account.Secret.(type) {
		case *ScramSecret:
			secret, known = s, true
		case *MD5Secret:
			login.Logger.Error("user has an md5 password hash, which cannot serve scram-sha-256; store a SCRAM verifier (lakegate passwd)", "user", login.User)
		default:
			login.Logger.Error("user has no password", "user", login.User)
		}
	}
	return runScram(login.Conn, secret, known)
}

// runScram runs one SCRAM-SHA-256 exchange against secret. It fails with
// errFailed on a wrong proof, and also when known is false, after a
// complete exchange.
func runScram(c Conn, secret *ScramSecret, known bool) error {
	mechanism, first, err := c.SASLStart([]string{mechanismScramSHA256})
	if err != nil {
		return err
	}
	if mechanism != mechanismScramSHA256 {
		return sqlstate.Errorf(sqlstate.ProtocolViolation, "client selected an invalid SASL authentication mechanism").Fatal()
	}
	if err := checkClientFirst(first); err != nil {
		return err
	}
	server, err := scram.SHA256.NewServer(func(string) (scram.StoredCredentials, error) {
		// PostgreSQL clients send an empty SCRAM user name: the user is
		// the startup message's.
		return secret.credentials(), nil
	})
	if err != nil {
		return err
	}
	conv := server.NewConversation()
	challenge, err := conv.Step(string(first))
	if err != nil {
		return malformedSCRAM(err.Error())
	}
	final, err := c.SASLContinue([]byte(challenge))
	if err != nil {
		return err
	}
	if err := checkClientFinal(final); err != nil {
		return err
	}
	outcome, err := conv.Step(string(final))
	switch {
	case strings.HasPrefix(outcome, "e=invalid-proof"):
		return errFailed
	case err != nil:
		return malformedSCRAM(err.Error())
	case !known || !conv.Valid():
		return errFailed
	}
	return c.SASLFinal([]byte(outcome))
}

func malformedSCRAM(detail string) error {
	return sqlstate.Errorf(sqlstate.ProtocolViolation, "malformed SCRAM message").WithDetail(detail).Fatal()
}

// checkClientFirst checks the shape of a client-first-message
// (gs2-header "n=user,r=nonce") before the library reads it, so that no
// client input can reach an unchecked index there.
func checkClientFirst(msg []byte) error {
	fields := strings.Split(string(msg), ",")
	if len(fields) < 4 {
		return malformedSCRAM("the client-first-message needs a GS2 header, a user name and a nonce")
	}
	switch {
	case fields[0] == "n", fields[0] == "y":
	case strings.HasPrefix(fields[0], "p="):
		return sqlstate.Errorf(sqlstate.ProtocolViolation,
			"SCRAM channel binding was requested, but lakegate does not offer SCRAM-SHA-256-PLUS").Fatal()
	default:
		return malformedSCRAM("unexpected GS2 channel binding flag")
	}
	if !strings.HasPrefix(fields[2], "n=") || !strings.HasPrefix(fields[3], "r=") || len(fields[3]) == 2 {
		return malformedSCRAM("expected n=<user>,r=<nonce>")
	}
	return nil
}

// checkClientFinal checks the client-final-message's proof: the last
// attribute, p=<base64 of a SHA-256 sized proof>.
func checkClientFinal(msg []byte) error {
	fields := strings.Split(string(msg), ",")
	if len(fields) < 3 {
		return malformedSCRAM("the client-final-message needs channel binding, nonce and proof")
	}
	proof, ok := strings.CutPrefix(fields[len(fields)-1], "p=")
	if !ok {
		return malformedSCRAM("the client-final-message does not end with a proof")
	}
	raw, err := base64.StdEncoding.DecodeString(proof)
	if err != nil || len(raw) != 32 {
		return malformedSCRAM("invalid SCRAM proof")
	}
	return nil
}
