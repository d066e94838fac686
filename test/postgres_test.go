package test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lakegate/lakegate/test/pgcluster"
)

// postgresServer is a throwaway PostgreSQL cluster for one test, in the
// test's temporary directory and stopped when the test ends.
type postgresServer struct{ *pgcluster.Cluster }

// startPostgres starts a cluster for t, skipping the test when no
// PostgreSQL server is installed unless LAKEGATE_REQUIRE_CLIENTS=1 (as
// requireClient does for client programs).
func startPostgres(t testing.TB) *postgresServer {
	t.Helper()
	if _, err := pgcluster.ServerDir(); err != nil {
		if os.Getenv("LAKEGATE_REQUIRE_CLIENTS") == "1" {
			t.Fatalf("%v and LAKEGATE_REQUIRE_CLIENTS=1", err)
		}
		t.Skipf("%v; install the postgresql package (see .ci/run) to run this test", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := pgcluster.Start(ctx, t.TempDir(), pgcluster.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Stop(); err != nil {
			t.Error(err)
		}
	})
	return &postgresServer{c}
}

// connect opens a pgx connection to the postgres database, closed when
// the test ends.
func (p *postgresServer) connect(t testing.TB) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, p.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}
