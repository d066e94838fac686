package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/xdg-go/scram"

	"github.com/lakegate/lakegate/auth"
	"github.com/lakegate/lakegate/engine"
	"github.com/lakegate/lakegate/server"
)

// runPasswd runs "lakegate passwd args" with input on stdin.
func runPasswd(t *testing.T, input string, args ...string) (string, error) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	w.WriteString(input)
	w.Close()
	defer r.Close()
	var out, errOut bytes.Buffer
	err = passwd(args, r, &out, &errOut)
	return strings.TrimSpace(out.String()), err
}

func TestPasswd(t *testing.T) {
	out, err := runPasswd(t, "correct horse\n")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "correct horse") {
		t.Fatal("the verifier contains the password")
	}
	secret, err := auth.ParseSecret(out)
	if err != nil {
		t.Fatalf("%q: %v", out, err)
	}
	s := secret.(*auth.ScramSecret)
	// The library's client derives the same keys from the password.
	client, err := scram.SHA256.NewClient("", "correct horse", "")
	if err != nil {
		t.Fatal(err)
	}
	cred := client.GetStoredCredentials(scram.KeyFactors{Salt: string(s.Salt), Iters: s.Iterations})
	if !bytes.Equal(cred.StoredKey, s.StoredKey) || !bytes.Equal(cred.ServerKey, s.ServerKey) || s.Iterations != 4096 {
		t.Errorf("verifier %s does not match the library's keys", out)
	}

	// And it logs in.
	eng, err := engine.Open(context.Background(), engine.Config{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &server.Server{Engine: eng, Auth: &auth.Policy{Users: map[string]*auth.User{"alice": {Name: "alice", Secret: secret}}}}
	go srv.Serve(ln)
	defer srv.Shutdown(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, "postgres://alice:correct%20horse@"+ln.Addr().String()+"/lakegate?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	if _, err := pgx.Connect(ctx, "postgres://alice:wrong@"+ln.Addr().String()+"/lakegate?sslmode=disable"); err == nil || !strings.Contains(err.Error(), "28P01") {
		t.Errorf("wrong password: %v", err)
	}
}

func TestPasswdMD5(t *testing.T) {
	out, err := runPasswd(t, "secret", "-method", "md5", "-user", "postgres")
	if err != nil || out != "md553f48b7c4b76a86ce72276c5755f217d" {
		t.Errorf("%q %v", out, err)
	}
	if _, err := runPasswd(t, "secret", "-method", "md5"); err == nil {
		t.Error("md5 without a user name")
	}
	if _, err := runPasswd(t, "\n"); err == nil {
		t.Error("empty password accepted")
	}
}
