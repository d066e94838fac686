package test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lakegate/lakegate/auth"
	"github.com/lakegate/lakegate/engine"
	"github.com/lakegate/lakegate/server"
)

// lakegate is a server started for a test.
type lakegate struct {
	addr   string
	host   string
	port   string
	server *server.Server
	engine *engine.Engine
}

// startLakegate starts a server on a random loopback port with the given
// views, stopped when the test ends.
func startLakegate(t testing.TB, views ...engine.View) *lakegate {
	t.Helper()
	eng, err := engine.Open(context.Background(), engine.Config{Threads: 2, Views: views, AllowedDirectories: []string{t.TempDir()}})
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return serve(t, &server.Server{Engine: eng, Auth: auth.TrustLoopback("lakegate", "alice"), Logger: logger})
}

// serve runs srv on a random loopback port. When the test ends, the
// server shuts down, then its engine and closers (a catalog, say) close.
func serve(t testing.TB, srv *server.Server, closers ...func()) *lakegate {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		srv.Engine.Close()
		for _, c := range closers {
			c()
		}
	})
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	return &lakegate{addr: ln.Addr().String(), host: host, port: port, server: srv, engine: srv.Engine}
}

func (lg *lakegate) url(user string) string {
	return fmt.Sprintf("postgres://%s@%s/lakegate?sslmode=disable", user, lg.addr)
}

// connect opens a pgx connection, closed when the test ends.
func (lg *lakegate) connect(t testing.TB) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, lg.url("lakegate"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// requireClient returns the path of a client program, skipping the test
// when it is missing unless LAKEGATE_REQUIRE_CLIENTS=1.
func requireClient(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("LAKEGATE_REQUIRE_CLIENTS") == "1" {
			t.Fatalf("%s is not installed and LAKEGATE_REQUIRE_CLIENTS=1", name)
		}
		t.Skipf("%s is not installed; install it (see .ci/run) to run this test", name)
	}
	return path
}
