package auth

import (
	"context"
	"crypto/md5"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/xdg-go/scram"

	"github.com/lakegate/lakegate/sqlstate"
)

// client is a Conn played by a PostgreSQL client that knows password.
type client struct {
	user, password string
	addr           net.Addr
	tls            *tls.ConnectionState
	conv           *scram.ClientConversation
	asked          []string // the requests the server made
	serverProof    error    // the client's check of the server's final message
}

func (c *client) RemoteAddr() net.Addr {
	if c.addr == nil {
		return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5000}
	}
	return c.addr
}
func (c *client) TLS() *tls.ConnectionState { return c.tls }
func (c *client) Cleartext() ([]byte, error) {
	c.asked = append(c.asked, "cleartext")
	return []byte(c.password), nil
}
func (c *client) MD5(salt [4]byte) ([]byte, error) {
	c.asked = append(c.asked, "md5")
	inner := md5.Sum([]byte(c.password + c.user))
	outer := md5.Sum(append([]byte(hex.EncodeToString(inner[:])), salt[:]...))
	return []byte("md5" + hex.EncodeToString(outer[:])), nil
}
func (c *client) SASLStart(mechanisms []string) (string, []byte, error) {
	c.asked = append(c.asked, "sasl:"+strings.Join(mechanisms, ","))
	sc, err := scram.SHA256.NewClient("", c.password, "")
	if err != nil {
		return "", nil, err
	}
	c.conv = sc.WithMinIterations(1).NewConversation()
	first, err := c.conv.Step("")
	return "SCRAM-SHA-256", []byte(first), err
}
func (c *client) SASLContinue(data []byte) ([]byte, error) {
	out, err := c.conv.Step(string(data))
	return []byte(out), err
}
func (c *client) SASLFinal(data []byte) error {
	_, c.serverProof = c.conv.Step(string(data))
	return nil
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func testPolicy(t *testing.T) *Policy {
	t.Helper()
	alice, err := NewScramSecret("alice-secret", 64)
	if err != nil {
		t.Fatal(err)
	}
	return &Policy{Logger: quiet, Users: map[string]*User{
		"alice":    {Name: "alice", Secret: alice, Method: ScramSHA256, ConnectionLimit: 2},
		"bob":      {Name: "bob", Secret: NewMD5Secret("bob", "bob-secret"), Method: MD5},
		"carol":    {Name: "carol", Secret: alice, Method: MD5},
		"dave":     {Name: "dave", Secret: NewMD5Secret("dave", "dave-secret"), Method: Password},
		"lakegate": {Name: "lakegate", Method: Trust},
	}}
}

func code(err error) sqlstate.Code {
	var se *sqlstate.Error
	if errors.As(err, &se) {
		return se.Code
	}
	return ""
}

func TestMethods(t *testing.T) {
	p := testPolicy(t)
	tlsState := &tls.ConnectionState{}
	remote := &net.TCPAddr{IP: net.IPv4(10, 1, 2, 3), Port: 5000}
	cases := []struct {
		name, user, password string
		addr                 net.Addr
		tls                  *tls.ConnectionState
		want                 sqlstate.Code
		asked                string
	}{
		{"scram", "alice", "alice-secret", nil, nil, "", "sasl:SCRAM-SHA-256"},
		{"scram wrong password", "alice", "nope", nil, nil, sqlstate.InvalidPassword, "sasl:SCRAM-SHA-256"},
		{"unknown user runs SCRAM too", "mallory", "nope", nil, nil, sqlstate.InvalidPassword, "sasl:SCRAM-SHA-256"},
		{"md5", "bob", "bob-secret", nil, nil, "", "md5"},
		{"md5 wrong password", "bob", "nope", nil, nil, sqlstate.InvalidPassword, "md5"},
		{"md5 with a SCRAM verifier runs SCRAM", "carol", "alice-secret", nil, nil, "", "sasl:SCRAM-SHA-256"},
		{"password over TLS", "dave", "dave-secret", remote, tlsState, "", "cleartext"},
		{"password wrong over TLS", "dave", "nope", remote, tlsState, sqlstate.InvalidPassword, "cleartext"},
		{"password without TLS refused before asking", "dave", "dave-secret", remote, nil, sqlstate.InvalidAuthorizationSpecification, ""},
		{"trust from loopback", "lakegate", "", nil, nil, "", ""},
		{"trust from elsewhere", "lakegate", "", remote, nil, sqlstate.InvalidAuthorizationSpecification, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &client{user: tc.user, password: tc.password, addr: tc.addr, tls: tc.tls}
			account, err := p.Authenticate(context.Background(), c, tc.user)
			if got := code(err); got != tc.want || (tc.want == "" && err != nil) {
				t.Fatalf("code %q (%v), want %q", got, err, tc.want)
			}
			if strings.Join(c.asked, " ") != tc.asked {
				t.Errorf("server asked %q, want %q", c.asked, tc.asked)
			}
			if tc.want == "" && (account == nil || account.Name != tc.user) {
				t.Errorf("account %+v", account)
			}
			if tc.want == "" && c.conv != nil && c.serverProof != nil {
				t.Errorf("the client rejected the server's SCRAM proof: %v", c.serverProof)
			}
			if err != nil && strings.Contains(err.Error(), tc.password) && tc.password != "" {
				t.Errorf("error %q repeats the password", err)
			}
		})
	}
}

func TestWrongPasswordAndUnknownUserLookAlike(t *testing.T) {
	p := testPolicy(t)
	_, wrong := p.Authenticate(context.Background(), &client{user: "alice", password: "x"}, "alice")
	_, unknown := p.Authenticate(context.Background(), &client{user: "alicf", password: "x"}, "alicf")
	w, u := sqlstate.From(wrong), sqlstate.From(unknown)
	if w.Code != sqlstate.InvalidPassword || u.Code != w.Code ||
		strings.ReplaceAll(u.Message, "alicf", "alice") != w.Message || u.Detail != w.Detail || u.Hint != w.Hint {
		t.Errorf("wrong password: %+v\nunknown user: %+v", w, u)
	}
}

func TestHBA(t *testing.T) {
	p := testPolicy(t)
	p.HBA = []HBARule{
		{Users: []string{"lakegate"}, Address: netip.MustParsePrefix("127.0.0.1/32"), Method: Trust},
		{Users: []string{"bob"}, Method: Reject},
		{Users: []string{"*"}, Address: netip.MustParsePrefix("10.0.0.0/8"), Method: ScramSHA256},
	}
	ten := &net.TCPAddr{IP: net.IPv4(10, 9, 9, 9)}
	other := &net.TCPAddr{IP: net.IPv4(192, 168, 1, 1)}
	if _, err := p.Authenticate(context.Background(), &client{}, "lakegate"); err != nil {
		t.Errorf("trust rule: %v", err)
	}
	if _, err := p.Authenticate(context.Background(), &client{addr: ten, password: "alice-secret"}, "alice"); err != nil {
		t.Errorf("scram rule: %v", err)
	}
	if _, err := p.Authenticate(context.Background(), &client{addr: ten, password: "bob-secret"}, "bob"); code(err) != sqlstate.InvalidAuthorizationSpecification {
		t.Errorf("reject rule: %v", err)
	}
	_, err := p.Authenticate(context.Background(), &client{addr: other, password: "alice-secret"}, "alice")
	if code(err) != sqlstate.InvalidAuthorizationSpecification || !strings.Contains(err.Error(), `no lakegate hba rule for host "192.168.1.1"`) {
		t.Errorf("no matching rule: %v", err)
	}
}

func TestTrustedNetworks(t *testing.T) {
	p := TrustLoopback("lakegate")
	remote := &net.TCPAddr{IP: net.IPv4(10, 1, 2, 3), Port: 1}
	if _, err := p.Authenticate(context.Background(), &client{addr: remote}, "lakegate"); err == nil {
		t.Fatal("trust user admitted from a remote address")
	}
	p.TrustedNetworks = []netip.Prefix{netip.MustParsePrefix("10.1.0.0/16")}
	if _, err := p.Authenticate(context.Background(), &client{addr: remote}, "lakegate"); err != nil {
		t.Errorf("trusted network refused: %v", err)
	}
	if _, err := p.Authenticate(context.Background(), &client{addr: &net.TCPAddr{IP: net.IPv4(10, 2, 0, 1)}}, "lakegate"); err == nil {
		t.Error("address outside the trusted network admitted")
	}
	if _, err := (&Policy{}).Authenticate(context.Background(), &client{}, "lakegate"); err == nil {
		t.Error("zero policy admitted a user")
	}
	// With only trust users, an unknown one is refused without a password
	// exchange.
	c := &client{}
	if _, err := p.Authenticate(context.Background(), c, "mallory"); code(err) != sqlstate.InvalidAuthorizationSpecification || len(c.asked) > 0 {
		t.Errorf("unknown user of a trust-only policy: %v, asked %v", err, c.asked)
	}
}

func TestClientCertificate(t *testing.T) {
	p := TrustLoopback("alice")
	p.RequireClientCertificate = true
	withCN := func(cn string) *tls.ConnectionState {
		return &tls.ConnectionState{PeerCertificates: []*x509.Certificate{{Subject: pkix.Name{CommonName: cn}}}}
	}
	if _, err := p.Authenticate(context.Background(), &client{tls: withCN("alice")}, "alice"); err != nil {
		t.Errorf("matching certificate refused: %v", err)
	}
	for name, state := range map[string]*tls.ConnectionState{"other CN": withCN("bob"), "no TLS": nil, "no certificate": {}} {
		if _, err := p.Authenticate(context.Background(), &client{tls: state}, "alice"); code(err) != sqlstate.InvalidAuthorizationSpecification {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// A method plugs in through Policy.Methods.
func TestPluggableMethod(t *testing.T) {
	p := testPolicy(t)
	p.Users["erin"] = &User{Name: "erin", Method: "token"}
	p.Methods = map[Method]Authenticator{"token": AuthenticatorFunc(func(ctx context.Context, l *Login) error {
		tok, err := l.Conn.Cleartext()
		if err != nil {
			return err
		}
		if string(tok) != "valid-token" {
			return errFailed
		}
		return nil
	})}
	if _, err := p.Authenticate(context.Background(), &client{password: "valid-token"}, "erin"); err != nil {
		t.Errorf("token method: %v", err)
	}
	if _, err := p.Authenticate(context.Background(), &client{password: "forged"}, "erin"); code(err) != sqlstate.InvalidPassword {
		t.Errorf("bad token: %v", err)
	}
}

func TestThrottle(t *testing.T) {
	th := &Throttle{Base: 10 * time.Millisecond, Max: 40 * time.Millisecond, Window: time.Minute, MaxAddresses: 3}
	a := netip.MustParseAddr("10.0.0.1")
	now := time.Now()
	var delays []time.Duration
	for range 4 {
		delays = append(delays, th.record(a, now))
	}
	want := []time.Duration{10, 20, 40, 40}
	for i := range want {
		if delays[i] != want[i]*time.Millisecond {
			t.Fatalf("delays %v, want %v ms", delays, want)
		}
	}
	if d := th.record(netip.MustParseAddr("10.0.0.2"), now); d != 10*time.Millisecond {
		t.Errorf("another address starts at %v", d)
	}
	if d := th.record(a, now.Add(2*time.Minute)); d != 10*time.Millisecond {
		t.Errorf("after a quiet window: %v", d)
	}
	th.Succeeded(a)
	for i := range 100 {
		th.record(netip.AddrFrom4([4]byte{192, 168, 0, byte(i)}), now.Add(time.Duration(i)*time.Millisecond))
	}
	if n := th.addresses(); n > 3 {
		t.Errorf("%d addresses remembered, limit 3", n)
	}
}

func TestSecretFormats(t *testing.T) {
	s, err := NewScramSecret("pencil", 4096)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := ParseSecret(s.String())
	if err != nil || parsed.String() != s.String() {
		t.Fatalf("round trip: %v %v", parsed, err)
	}
	if !VerifyPassword(parsed, "u", "pencil") || VerifyPassword(parsed, "u", "pencils") {
		t.Error("VerifyPassword with a SCRAM verifier")
	}
	// md5(password || user), as PostgreSQL stores it (pg_authid.rolpassword).
	if got := NewMD5Secret("postgres", "secret").String(); got != "md553f48b7c4b76a86ce72276c5755f217d" {
		t.Errorf("md5 %s", got)
	}
	for _, bad := range []string{"", "hunter2", "md5xyz", "SCRAM-SHA-256$4096:c2FsdA==$x:y", "SCRAM-SHA-256$0:c2FsdA==$" + strings.Repeat("A", 44) + ":" + strings.Repeat("A", 44)} {
		if _, err := ParseSecret(bad); err == nil {
			t.Errorf("ParseSecret(%q) accepted", bad)
		} else if bad != "" && strings.Contains(err.Error(), bad) {
			t.Errorf("error repeats the input: %v", err)
		}
	}
}

// Logins may start concurrently on a Policy nobody Prepared.
func TestConcurrentFirstLogins(t *testing.T) {
	p := testPolicy(t)
	done := make(chan error)
	for range 8 {
		go func() {
			_, err := p.Authenticate(context.Background(), &client{user: "mallory", password: "x"}, "mallory")
			done <- err
		}()
	}
	for range 8 {
		if err := <-done; code(err) != sqlstate.InvalidPassword {
			t.Errorf("unknown user: %v", err)
		}
	}
}
