// Package pgcluster runs a throwaway PostgreSQL cluster, for the tests
// that compare lakegate's answers with PostgreSQL's and for the benchmark
// that compares their speed: initdb'd in a directory the caller owns,
// listening on a free loopback port, trusting every connection, without
// durability (fsync and synchronous_commit off).
package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Options tune a cluster; the zero value suits a test.
type Options struct {
	// SharedBuffers is shared_buffers, e.g. "2GB"; empty means 32MB.
	SharedBuffers string
	// MaxConnections is max_connections; 0 means 20.
	MaxConnections int
	// Settings are more postgresql.conf lines.
	Settings []string
}

// Cluster is a running cluster.
type Cluster struct {
	Port  int
	bin   string     // directory of initdb and pg_ctl
	dir   string     // data/ and the server log
	owner *user.User // set when running as root: the cluster runs as postgres
}

// ServerDir returns the bin directory of the newest installed PostgreSQL
// server. Debian and Ubuntu keep the server programs in
// /usr/lib/postgresql/<major>/bin, off PATH.
func ServerDir() (string, error) {
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
			return dir, nil
		}
	}
	return "", errors.New("no PostgreSQL server (initdb, pg_ctl) is installed")
}

func isExecutable(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular() && info.Mode()&0o111 != 0
}

// Start initdbs a cluster in dir, an empty directory the caller removes
// after Stop, and starts it. As root, the cluster runs as the postgres
// user (initdb and postgres refuse root), which then owns dir and must be
// able to reach it: Start makes dir's parent traversable.
func Start(ctx context.Context, dir string, opts Options) (*Cluster, error) {
	bin, err := ServerDir()
	if err != nil {
		return nil, err
	}
	c := &Cluster{bin: bin, dir: dir}
	if os.Geteuid() == 0 {
		if c.owner, err = user.Lookup("postgres"); err != nil {
			return nil, fmt.Errorf("running as root and there is no postgres user to run PostgreSQL as: %w", err)
		}
		uid, _ := strconv.Atoi(c.owner.Uid)
		gid, _ := strconv.Atoi(c.owner.Gid)
		if info, err := os.Stat(filepath.Dir(dir)); err == nil && info.Mode().Perm()&0o001 == 0 {
			if err := os.Chmod(filepath.Dir(dir), info.Mode().Perm()|0o011); err != nil {
				return nil, err
			}
		}
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
	}
	if out, err := c.command(ctx, "initdb", "-D", c.data(), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	// The port is free when picked but may be taken before the server
	// binds it: try a few.
	for range 3 {
		if err = c.start(ctx, opts); err == nil {
			return c, nil
		}
	}
	return nil, err
}

func (c *Cluster) data() string { return filepath.Join(c.dir, "data") }

// start configures the cluster for a free port and starts it.
func (c *Cluster) start(ctx context.Context, opts Options) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	c.Port = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	if opts.SharedBuffers == "" {
		opts.SharedBuffers = "32MB"
	}
	if opts.MaxConnections == 0 {
		opts.MaxConnections = 20
	}
	// Later settings win, so appending overrides initdb's. No Unix
	// socket: its path, under a temporary directory, can exceed the 107
	// bytes a socket path may have.
	conf := append([]string{"",
		"listen_addresses = '127.0.0.1'",
		fmt.Sprintf("port = %d", c.Port),
		"unix_socket_directories = ''",
		"fsync = off",
		"synchronous_commit = off",
		"full_page_writes = off",
		fmt.Sprintf("shared_buffers = '%s'", opts.SharedBuffers),
		fmt.Sprintf("max_connections = %d", opts.MaxConnections),
	}, opts.Settings...)
	f, err := os.OpenFile(filepath.Join(c.data(), "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(strings.Join(conf, "\n") + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	logFile := filepath.Join(c.dir, "postgres.log")
	if out, err := c.command(ctx, "pg_ctl", "-D", c.data(), "-l", logFile, "-w", "-t", "120", "start").CombinedOutput(); err != nil {
		log, _ := os.ReadFile(logFile)
		return fmt.Errorf("pg_ctl start on port %d: %v\n%s\n%s", c.Port, err, out, log)
	}
	return nil
}

// Stop shuts the cluster down.
func (c *Cluster) Stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if out, err := c.command(ctx, "pg_ctl", "-D", c.data(), "-m", "fast", "-w", "stop").CombinedOutput(); err != nil {
		return fmt.Errorf("pg_ctl stop: %v\n%s", err, out)
	}
	return nil
}

// URL is the connection URI of database db as the superuser postgres.
func (c *Cluster) URL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.Port, db)
}

// command runs a PostgreSQL program, as the postgres user when we are root.
func (c *Cluster) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	path := filepath.Join(c.bin, name)
	var cmd *exec.Cmd
	_, lookErr := exec.LookPath("runuser")
	switch {
	case c.owner == nil:
		cmd = exec.CommandContext(ctx, path, args...)
	case lookErr == nil:
		cmd = exec.CommandContext(ctx, "runuser", append([]string{"-u", c.owner.Username, "--", path}, args...)...)
	default:
		quoted := make([]string, 0, len(args)+1)
		for _, a := range append([]string{path}, args...) {
			quoted = append(quoted, "'"+strings.ReplaceAll(a, "'", `'\''`)+"'")
		}
		cmd = exec.CommandContext(ctx, "su", c.owner.Username, "-s", "/bin/sh", "-c", strings.Join(quoted, " "))
	}
	// The postgres user may not be allowed into the caller's working
	// directory.
	cmd.Dir = c.dir
	return cmd
}
