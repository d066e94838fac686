package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"time"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/lakegate/lakegate/test/pgcluster"
)

// postgres is a throwaway PostgreSQL cluster in a temporary directory,
// sized for the benchmark.
type postgres struct {
	*pgcluster.Cluster
	dir     string
	version string
}

// startPostgres starts a cluster on a free loopback port with the usual
// advice for a dedicated server's shared_buffers.
func startPostgres(ctx context.Context) (_ *postgres, err error) {
	dir, err := os.MkdirTemp("", "lakegate-bench-pg-")
	if err != nil {
		return nil, err
	}
	p := &postgres{dir: dir}
	defer func() {
		if err != nil {
			p.stop()
		}
	}()
	p.Cluster, err = pgcluster.Start(ctx, dir, pgcluster.Options{
		SharedBuffers:  fmt.Sprintf("%dMB", sharedBuffersMB()),
		MaxConnections: 100,
		Settings:       []string{"max_wal_size = '8GB'"},
	})
	if err != nil {
		return nil, err
	}
	conn, err := p.connect(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	if err := conn.QueryRow(ctx, "SHOW server_version").Scan(&p.version); err != nil {
		return nil, err
	}
	p.version = "PostgreSQL " + p.version
	return p, nil
}

// sharedBuffersMB follows the usual advice for a dedicated server: a
// quarter of RAM, here at most 8 GiB.
func sharedBuffersMB() int64 {
	mb := memTotalBytes() >> 20 / 4
	if mb <= 0 {
		return 128
	}
	return min(mb, 8<<10)
}

func (p *postgres) connect(ctx context.Context) (*pgx.Conn, error) {
	return pgx.Connect(ctx, p.URL("postgres"))
}

// stop shuts the cluster down and removes its directory.
func (p *postgres) stop() {
	if p.Cluster != nil {
		if err := p.Stop(); err != nil {
			progress("%v", err)
		}
	}
	os.RemoveAll(p.dir)
}

// loadWide copies the rows of the Parquet file at path, read through the
// reference DuckDB, into the table wide with COPY FROM STDIN.
func (p *postgres) loadWide(ctx context.Context, ref *sql.DB, path string) error {
	conn, err := p.connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP TABLE IF EXISTS wide"); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, "CREATE TABLE wide ("+wideColumns+")"); err != nil {
		return err
	}
	rows, err := ref.QueryContext(ctx, "SELECT * FROM read_parquet("+quote(path)+") ORDER BY id")
	if err != nil {
		return err
	}
	defer rows.Close()
	cols := []string{"id", "qty", "price", "amount", "name", "order_date", "created_at", "active"}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"wide"}, cols, &wideSource{rows: rows}); err != nil {
		return err
	}
	_, err = conn.Exec(ctx, "VACUUM ANALYZE wide")
	return err
}

// wideSource feeds DuckDB rows to pgx's CopyFrom.
type wideSource struct{ rows *sql.Rows }

func (s *wideSource) Next() bool { return s.rows.Next() }

func (s *wideSource) Values() ([]any, error) {
	var (
		id, qty int64
		price   float64
		amount  duckdb.Decimal
		name    string
		day, ts time.Time
		active  bool
	)
	if err := s.rows.Scan(&id, &qty, &price, &amount, &name, &day, &ts, &active); err != nil {
		return nil, err
	}
	num := pgtype.Numeric{Int: amount.Value, Exp: -int32(amount.Scale), Valid: true}
	return []any{id, int32(qty), price, num, name, day, ts, active}, nil
}

func (s *wideSource) Err() error { return s.rows.Err() }
