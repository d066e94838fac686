package auth

import (
	"crypto/tls"
	"errors"
	"net"
	"testing"
)

// scriptedConn answers a SCRAM exchange with fixed client messages.
type scriptedConn struct {
	mechanism     string
	first, final  []byte
	continueCalls int
}

func (c *scriptedConn) RemoteAddr() net.Addr       { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }
func (c *scriptedConn) TLS() *tls.ConnectionState  { return nil }
func (c *scriptedConn) Cleartext() ([]byte, error) { return nil, errors.New("unexpected") }
func (c *scriptedConn) MD5([4]byte) ([]byte, error) {
	return nil, errors.New("unexpected")
}
func (c *scriptedConn) SASLStart([]string) (string, []byte, error) {
	return c.mechanism, c.first, nil
}
func (c *scriptedConn) SASLContinue([]byte) ([]byte, error) {
	c.continueCalls++
	return c.final, nil
}
func (c *scriptedConn) SASLFinal([]byte) error { return nil }

// FuzzScramMessages feeds arbitrary client-first and client-final messages
// to the server side: it must never panic (the library indexes fields it
// does not check) and never admit the client.
func FuzzScramMessages(f *testing.F) {
	f.Add("SCRAM-SHA-256", "n,,n=,r=rOprNGfwEbeRWgbNEkqO", "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
	f.Add("SCRAM-SHA-256", ",,n=,r=x", "c=biws,r=x,p=AAAA")
	f.Add("SCRAM-SHA-256", "y,,n=u,r=abc", "c=eSws,r=abc,p="+"QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=")
	f.Add("SCRAM-SHA-256", "p=tls-server-end-point,,n=,r=x", "")
	f.Add("SCRAM-SHA-1", "n,,n=,r=x", "")
	secret, err := NewScramSecret("pencil", 16)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, mechanism, first, final string) {
		c := &scriptedConn{mechanism: mechanism, first: []byte(first), final: []byte(final)}
		if err := runScram(c, secret, true); err == nil {
			t.Fatalf("admitted %q / %q", first, final)
		}
	})
}
