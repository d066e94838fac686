package test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// writeTestPKI writes a CA (ca.crt), a server certificate for 127.0.0.1
// and localhost (server.crt, server.key) and client certificates whose
// common names are alice and bob (alice.crt, alice.key, alice.pk8 for
// pgjdbc...), all made with crypto/x509.
func writeTestPKI(t testing.TB, dir string) {
	t.Helper()
	caKey := newKey(t)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "lakegate test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	writePEM(t, filepath.Join(dir, "ca.crt"), "CERTIFICATE", caDER)
	issue := func(name string, serial int64, tmpl *x509.Certificate) {
		key := newKey(t)
		tmpl.SerialNumber = big.NewInt(serial)
		tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour)
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		keyDER, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		writePEM(t, filepath.Join(dir, name+".crt"), "CERTIFICATE", der)
		writePEM(t, filepath.Join(dir, name+".key"), "PRIVATE KEY", keyDER)
		if err := os.WriteFile(filepath.Join(dir, name+".pk8"), keyDER, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	issue("server", 2, &x509.Certificate{Subject: pkix.Name{CommonName: "localhost"},
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	issue("alice", 3, &x509.Certificate{Subject: pkix.Name{CommonName: "alice"}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	issue("bob", 4, &x509.Certificate{Subject: pkix.Name{CommonName: "bob"}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func writePEM(t testing.TB, file, kind string, der []byte) {
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// testTLSConfig is a tls section with the test PKI's server certificate,
// and the CA as client CA when clientCA is set.
func testTLSConfig(mode string, clientCA bool) string {
	s := "tls:\n  cert: server.crt\n  key: server.key\n  mode: " + mode + "\n"
	if clientCA {
		s += "  client_ca: ca.crt\n"
	}
	return s
}

func TestTLSRequire(t *testing.T) {
	t.Setenv("LAKEGATE_TEST_BOB_PASSWORD", "bob-pw")
	lg := startSecureLakegate(t, authConfig+testTLSConfig("require", false), nil)
	for _, client := range connectClients {
		t.Run(client, func(t *testing.T) {
			expectLogin(t, client, lg.connectAs(t, client, login{user: "alice", password: "alice-pw", sslmode: "require"}), "alice", "", "")
			expectLogin(t, client, lg.connectAs(t, client, login{user: "alice", password: "alice-pw", sslmode: "verify-full"}), "alice", "", "")
			expectLogin(t, client, lg.connectAs(t, client, login{user: "alice", password: "alice-pw", sslmode: "disable"}), "", "28000", "this server requires an encrypted connection")
		})
	}
}

func TestTLSClientCertificates(t *testing.T) {
	t.Setenv("LAKEGATE_TEST_BOB_PASSWORD", "bob-pw")
	lg := startSecureLakegate(t, authConfig+testTLSConfig("require", true), nil)
	for _, client := range []string{"pgx", "psql", "psycopg2", "psycopg", "pgjdbc"} {
		t.Run(client, func(t *testing.T) {
			expectLogin(t, client, lg.connectAs(t, client, login{user: "alice", password: "alice-pw", sslmode: "verify-full", clientCert: "alice"}), "alice", "", "")
			// bob's certificate does not make its holder alice.
			expectLogin(t, client, lg.connectAs(t, client, login{user: "alice", password: "alice-pw", sslmode: "verify-full", clientCert: "bob"}), "", "28000", `certificate authentication failed for user "alice"`)
			// Without a certificate the handshake fails.
			if got := lg.connectAs(t, client, login{user: "alice", password: "alice-pw", sslmode: "verify-full"}); got[:3] != "ERR" {
				t.Errorf("%s: admitted without a client certificate: %s", client, got)
			}
		})
	}
}

// Direct TLS (PostgreSQL 17's sslnegotiation=direct): the ClientHello
// comes first, with ALPN "postgresql".
func TestDirectTLS(t *testing.T) {
	t.Setenv("LAKEGATE_TEST_BOB_PASSWORD", "bob-pw")
	lg := startSecureLakegate(t, authConfig+testTLSConfig("require", false), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, lg.conninfo(login{user: "alice", password: "alice-pw", sslmode: "verify-full"})+" sslnegotiation=direct")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if !conn.PgConn().Conn().(*tls.Conn).ConnectionState().HandshakeComplete {
		t.Error("not TLS")
	}
	if proto := conn.PgConn().Conn().(*tls.Conn).ConnectionState().NegotiatedProtocol; proto != "postgresql" {
		t.Errorf("ALPN %q", proto)
	}
	// Without ALPN, a direct TLS client is refused.
	raw, err := tls.Dial("tcp", lg.addr, &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	raw.SetDeadline(time.Now().Add(5 * time.Second))
	if got := readError(t, raw); got.Code != "08P01" {
		t.Errorf("direct TLS without ALPN: %+v", got)
	}
}

// TLS below 1.2 is refused, after the SSLRequest's 'S'.
func TestTLSMinimumVersion(t *testing.T) {
	lg := startSecureLakegate(t, testTLSConfig("prefer", false), nil)
	for _, version := range []uint16{tls.VersionTLS10, tls.VersionTLS11} {
		c, err := net.Dial("tcp", lg.addr)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		var req [8]byte
		binary.BigEndian.PutUint32(req[:], 8)
		binary.BigEndian.PutUint32(req[4:], 80877103)
		c.Write(req[:])
		var answer [1]byte
		if _, err := c.Read(answer[:]); err != nil || answer[0] != 'S' {
			t.Fatalf("SSLRequest answered %q, %v", answer, err)
		}
		tc := tls.Client(c, &tls.Config{InsecureSkipVerify: true, MinVersion: version, MaxVersion: version})
		if err := tc.Handshake(); err == nil {
			t.Errorf("TLS version %x accepted", version)
		}
		c.Close()
	}
}

// Bytes sent after an SSLRequest but before the handshake would be read as
// if they had come encrypted (CVE-2021-23214): the server refuses them.
func TestTLSRequestWithTrailingPlaintext(t *testing.T) {
	lg := startSecureLakegate(t, testTLSConfig("prefer", false), nil)
	c, err := net.Dial("tcp", lg.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	req := binary.BigEndian.AppendUint32(nil, 8)
	req = binary.BigEndian.AppendUint32(req, 80877103)
	req = append(req, "Q\x00\x00\x00\x0dselect 1\x00"...)
	c.Write(req)
	if e := readError(t, c); e.Code != "08P01" || e.Message != "received unencrypted data after SSL request" {
		t.Errorf("%+v", e)
	}
}
