package test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// postgresServer is a throwaway PostgreSQL cluster for one test: initdb'd
// in the test's temporary directory, listening on a free loopback port,
// trusting every local connection, and stopped when the test ends.
type postgresServer struct {
	bin   string // directory of initdb and pg_ctl
	dir   string // the cluster's directory: data/ and the server log
	Port  int
	owner *user.User // set when running as root: the cluster runs as postgres
}

// requirePostgresServer returns the bin directory of the newest installed
// PostgreSQL server, skipping the test when there is none unless
// LAKEGATE_REQUIRE_CLIENTS=1 (as requireClient does for client programs).
// Debian and Ubuntu keep the server programs in
// /usr/lib/postgresql/<major>/bin, off PATH.
func requirePostgresServer(t testing.TB) string {
	t.Helper()
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	major := func(dir string) int {
		n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
		return n
	}
	slices.SortFunc(dirs, func(a, b string) int { return major(b) - major(a) })
	if p, err := exec.LookPath("initdb"); err == nil {
		dirs = append(dirs, filepath.Dir(p))
	}
	for _, dir := range dirs {
		if isExecutable(filepath.Join(dir, "initdb")) && isExecutable(filepath.Join(dir, "pg_ctl")) {
			return dir
		}
	}
	if os.Getenv("LAKEGATE_REQUIRE_CLIENTS") == "1" {
		t.Fatal("no PostgreSQL server (initdb, pg_ctl) is installed and LAKEGATE_REQUIRE_CLIENTS=1")
	}
	t.Skip("no PostgreSQL server (initdb, pg_ctl) is installed; install the postgresql package (see .ci/run) to run this test")
	return ""
}

func isExecutable(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular() && info.Mode()&0o111 != 0
}

// startPostgres initdbs and starts a cluster for t. Durability is off
// (fsync, synchronous_commit): the cluster lives as long as the test.
func startPostgres(t testing.TB) *postgresServer {
	t.Helper()
	p := &postgresServer{bin: requirePostgresServer(t), dir: t.TempDir()}
	if os.Geteuid() == 0 {
		// initdb and postgres refuse to run as root: run them as the
		// postgres user, which must own the cluster's directory and be
		// able to reach it through the test's private (0700) parent.
		owner, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root and there is no postgres user to run PostgreSQL as: %v", err)
		}
		p.owner = owner
		uid, _ := strconv.Atoi(owner.Uid)
		gid, _ := strconv.Atoi(owner.Gid)
		if err := os.Chmod(filepath.Dir(p.dir), 0o711); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(p.dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	data := filepath.Join(p.dir, "data")
	if out, err := p.command(ctx, "initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	// The port is free when picked but may be taken before the server
	// binds it: try a few.
	var lastErr error
	for range 3 {
		if lastErr = p.start(ctx, data); lastErr == nil {
			break
		}
	}
	if lastErr != nil {
		t.Fatal(lastErr)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if out, err := p.command(ctx, "pg_ctl", "-D", data, "-m", "fast", "-w", "stop").CombinedOutput(); err != nil {
			t.Errorf("pg_ctl stop: %v\n%s", err, out)
		}
	})
	return p
}

// start configures the cluster for a free port and starts it.
func (p *postgresServer) start(ctx context.Context, data string) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	p.Port = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	// Later settings win, so appending overrides initdb's. No Unix
	// socket: its path, under a test's temporary directory, can exceed
	// the 107 bytes a socket path may have.
	conf := fmt.Sprintf(`
listen_addresses = '127.0.0.1'
port = %d
unix_socket_directories = ''
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = '32MB'
max_connections = 20
`, p.Port)
	f, err := os.OpenFile(filepath.Join(data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(conf)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	logFile := filepath.Join(p.dir, "postgres.log")
	if out, err := p.command(ctx, "pg_ctl", "-D", data, "-l", logFile, "-w", "-t", "60", "start").CombinedOutput(); err != nil {
		log, _ := os.ReadFile(logFile)
		return fmt.Errorf("pg_ctl start on port %d: %v\n%s\n%s", p.Port, err, out, log)
	}
	return nil
}

// command runs a PostgreSQL program, as the postgres user when we are root.
func (p *postgresServer) command(ctx context.Context, name string, args ...string) *exec.Cmd {
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
	// The postgres user may not be allowed into the test's working
	// directory.
	cmd.Dir = p.dir
	return cmd
}

func hasProgram(name string) bool {
	_, err := exec.LookPath(name)
	return err == nil
}

// URL is the connection URI of database db as the superuser postgres.
func (p *postgresServer) URL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", p.Port, db)
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
