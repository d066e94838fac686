package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// postgres is a throwaway PostgreSQL cluster in a temporary directory.
type postgres struct {
	bin     string // directory of initdb, pg_ctl
	dir     string // the cluster's temporary directory
	data    string
	port    int
	version string
	owner   *user.User // set when running as root: the cluster runs as postgres
}

// findPostgres returns the bin directory of the newest installed server.
func findPostgres() (string, error) {
	ctls, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	sort.Slice(ctls, func(i, j int) bool {
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(ctls[i]))))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(ctls[j]))))
		return vi > vj
	})
	if len(ctls) > 0 {
		return filepath.Dir(ctls[0]), nil
	}
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("no pg_ctl under /usr/lib/postgresql/*/bin or on PATH")
}

// startPostgres initialises a cluster (trust authentication, fsync off) and
// starts it on a free loopback port.
func startPostgres(ctx context.Context) (_ *postgres, err error) {
	bin, err := findPostgres()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "lakegate-bench-pg-")
	if err != nil {
		return nil, err
	}
	p := &postgres{bin: bin, dir: dir, data: filepath.Join(dir, "data")}
	defer func() {
		if err != nil {
			p.stop()
		}
	}()
	if os.Geteuid() == 0 {
		// initdb and postgres refuse to run as root.
		if p.owner, err = user.Lookup("postgres"); err != nil {
			return nil, fmt.Errorf("running as root and there is no postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(p.owner.Uid)
		gid, _ := strconv.Atoi(p.owner.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
	}
	if out, err := p.command(ctx, "initdb", "-D", p.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %v: %s", err, out)
	}
	if p.port, err = freePort(); err != nil {
		return nil, err
	}
	conf := fmt.Sprintf(`
listen_addresses = '127.0.0.1'
port = %d
unix_socket_directories = '%s'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = '%dMB'
max_wal_size = '8GB'
max_connections = 100
`, p.port, p.dir, sharedBuffersMB())
	f, err := os.OpenFile(filepath.Join(p.data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return nil, err
	}
	_, err = f.WriteString(conf)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	logFile := filepath.Join(p.dir, "postgres.log")
	if out, err := p.command(ctx, "pg_ctl", "-D", p.data, "-l", logFile, "-w", "-t", "120", "start").CombinedOutput(); err != nil {
		log, _ := os.ReadFile(logFile)
		return nil, fmt.Errorf("pg_ctl start: %v: %s\n%s", err, out, log)
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

// command runs a PostgreSQL program, as the postgres user when we are root.
func (p *postgres) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	path := filepath.Join(p.bin, name)
	var cmd *exec.Cmd
	switch {
	case p.owner == nil:
		cmd = exec.CommandContext(ctx, path, args...)
	case hasProgram("runuser"):
		cmd = exec.CommandContext(ctx, "runuser", append([]string{"-u", p.owner.Username, "--", path}, args...)...)
	default:
		quoted := make([]string, 0, len(args)+1)
		for _, a := range append([]string{path}, args...) {
			quoted = append(quoted, "'"+strings.ReplaceAll(a, "'", `'\''`)+"'")
		}
		cmd = exec.CommandContext(ctx, "su", p.owner.Username, "-s", "/bin/sh", "-c", strings.Join(quoted, " "))
	}
	cmd.Dir = p.dir // the postgres user may not be able to enter our working directory
	return cmd
}

func hasProgram(name string) bool {
	_, err := exec.LookPath(name)
	return err == nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func (p *postgres) connect(ctx context.Context) (*pgx.Conn, error) {
	return pgx.Connect(ctx, fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", p.port))
}

// stop shuts the cluster down and removes its directory.
func (p *postgres) stop() {
	if _, err := os.Stat(filepath.Join(p.data, "postmaster.pid")); err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if out, err := p.command(ctx, "pg_ctl", "-D", p.data, "-m", "fast", "-w", "stop").CombinedOutput(); err != nil {
			progress("pg_ctl stop: %v: %s", err, out)
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
