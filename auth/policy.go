package auth

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"

	"net/netip"
	"sync"
	"time"

	"github.com/lakegate/lakegate/sqlstate"
)

// User is a configured login.
type User struct {
	Name string
	// Secret is the stored password verifier; nil for a trust-only user.
	Secret Secret
	// Method is how the user logs in when there are no hba rules;
	// empty means scram-sha-256.
	Method Method
	// ConnectionLimit bounds the user's concurrent sessions; 0 means no
	// limit of their own.
	ConnectionLimit int
	// StatementTimeout, when set, replaces the server's default
	// statement_timeout for the user's sessions.
	StatementTimeout *time.Duration
}

// Policy decides who may log in and how. Its zero value admits nobody.
type Policy struct {
	// Users by name.
	Users map[string]*User
	// HBA, when not nil, picks the method by user and address (first
	// match wins; no match refuses). Nil means each user's own Method.
	HBA []HBARule
	// TrustedNetworks are addresses besides loopback from which trust
	// logins are admitted (a container's bridge network, say).
	TrustedNetworks []netip.Prefix
	// RequireClientCertificate makes a verified client certificate whose
	// common name is the user name a condition of every login (tls
	// client_ca is set).
	RequireClientCertificate bool
	// Methods are the password methods by name; nil means the built-in
	// scram-sha-256, md5 and password. Add one to plug in another method.
	Methods map[Method]Authenticator
	// Throttle slows down repeated failures; nil means no delay.
	Throttle *Throttle
	// Logger receives refusals (never a password); nil means slog.Default().
	Logger *slog.Logger

	dummyOnce sync.Once
	dummy     *ScramSecret
	dummyErr  error
}

// TrustLoopback returns a policy admitting the named users without a
// password from loopback addresses: the demo's default.
func TrustLoopback(names ...string) *Policy {
	p := &Policy{Users: map[string]*User{}}
	for _, n := range names {
		p.Users[n] = &User{Name: n, Method: Trust}
	}
	return p
}

func (p *Policy) logger() *slog.Logger {
	if p.Logger != nil {
		return p.Logger
	}
	return slog.Default()
}

// authenticator returns the Authenticator for a password method.
func (p *Policy) authenticator(m Method) (Authenticator, error) {
	if a, ok := p.Methods[m]; ok {
		return a, nil
	}
	p.dummyOnce.Do(func() {
		// The verifier unknown users are checked against: a random
		// password nobody knows, at the default iteration count.
		p.dummy, p.dummyErr = NewScramSecret(rand.Text(), ScramIterations)
	})
	if p.dummyErr != nil {
		return nil, p.dummyErr
	}
	if a, ok := builtinMethods(p.dummy)[m]; ok {
		return a, nil
	}
	return nil, fmt.Errorf("authentication method %q is not available", m)
}

// Prepare does the one-time work (the dummy verifier) so that the first
// login is not slower than the others. It is optional.
func (p *Policy) Prepare() error {
	_, err := p.authenticator(ScramSHA256)
	return err
}

// Authenticate decides whether the client on c may log in as user, running
// the chosen method's exchange. It returns the user's account. Its errors
// are what the client sees: 28P01 "password authentication failed" for a
// wrong password or an unknown user alike, 28000 for a login no rule
// allows.
func (p *Policy) Authenticate(ctx context.Context, c Conn, user string) (*User, error) {
	if p == nil {
		return nil, refused(user)
	}
	addr, local := clientAddr(c.RemoteAddr())
	if p.RequireClientCertificate {
		if err := checkClientCertificate(c, user); err != nil {
			p.logger().Info("login refused", "user", user, "remote", c.RemoteAddr().String(), "reason", err.Error())
			return nil, err
		}
	}
	account := p.Users[user]
	method, err := p.method(account, user, addr, local, c.TLS() != nil)
	if err != nil {
		p.logger().Info("login refused", "user", user, "remote", c.RemoteAddr().String(), "reason", err.Error())
		return nil, err
	}
	switch method {
	case Trust:
		if account == nil || !(local || p.trusted(addr)) {
			p.logger().Info("login refused", "user", user, "remote", c.RemoteAddr().String(), "method", method)
			return nil, refused(user)
		}
		return account, nil
	case Reject:
		p.logger().Info("login refused by an hba rule", "user", user, "remote", c.RemoteAddr().String())
		return nil, refused(user)
	}
	a, err := p.authenticator(method)
	if err != nil {
		return nil, err
	}
	login := &Login{User: user, Account: account, Conn: c, Logger: p.logger().With("remote", c.RemoteAddr().String())}
	err = a.Authenticate(ctx, login)
	if errors.Is(err, errFailed) {
		p.logger().Info("authentication failed", "user", user, "remote", c.RemoteAddr().String(), "method", method, "known_user", account != nil)
		p.Throttle.Failed(ctx, addr)
		return nil, sqlstate.Errorf(sqlstate.InvalidPassword, "password authentication failed for user %q", user).Fatal()
	}
	if err != nil {
		return nil, err
	}
	p.Throttle.Succeeded(addr)
	if account == nil {
		// A method that admits users lakegate has no account for (an
		// external identity provider, say) gets an account of its own.
		account = &User{Name: user}
	}
	return account, nil
}

// method picks the login's method: the first matching hba rule, or the
// user's own (scram-sha-256 by default, also for unknown users, whose
// exchange then fails like a wrong password's, unless nobody has a
// password).
func (p *Policy) method(account *User, user string, addr netip.Addr, local, tls bool) (Method, error) {
	if p.HBA == nil {
		switch {
		case account == nil && !p.hasPasswords():
			// Every user is trust (the demo): a password exchange would
			// hide nothing, as a known name gets in without one.
			return Reject, nil
		case account == nil || account.Method == "":
			return ScramSHA256, nil
		}
		return account.Method, nil
	}
	for i := range p.HBA {
		if p.HBA[i].matches(user, addr, local) {
			return p.HBA[i].Method, nil
		}
	}
	host := "local"
	if addr.IsValid() {
		host = addr.String()
	}
	ssl := "SSL off"
	if tls {
		ssl = "SSL on"
	}
	return "", sqlstate.Errorf(sqlstate.InvalidAuthorizationSpecification,
		"no lakegate hba rule for host %q, user %q, %s", host, user, ssl).Fatal()
}

// hasPasswords reports whether some user logs in with a password.
func (p *Policy) hasPasswords() bool {
	for _, u := range p.Users {
		if u.Method != Trust {
			return true
		}
	}
	return false
}

func (p *Policy) trusted(ip netip.Addr) bool {
	if !ip.IsValid() {
		return false
	}
	if ip.IsLoopback() {
		return true
	}
	for _, n := range p.TrustedNetworks {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

func refused(user string) error {
	return sqlstate.Errorf(sqlstate.InvalidAuthorizationSpecification,
		"no lakegate login for user %q from this host", user).Fatal()
}

// checkClientCertificate requires a verified client certificate (the TLS
// handshake verified it against the client CA) whose common name is user.
func checkClientCertificate(c Conn, user string) error {
	state := c.TLS()
	if state == nil || len(state.PeerCertificates) == 0 {
		return sqlstate.Errorf(sqlstate.InvalidAuthorizationSpecification,
			"connection requires a valid client certificate").Fatal()
	}
	if cn := state.PeerCertificates[0].Subject.CommonName; cn != user {
		return sqlstate.Errorf(sqlstate.InvalidAuthorizationSpecification,
			"certificate authentication failed for user %q", user).
			WithDetail(fmt.Sprintf("The client certificate's common name %q is not the user name.", cn)).Fatal()
	}
	return nil
}
