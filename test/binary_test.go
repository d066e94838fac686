package test

import (
	"bufio"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// buildLakegate builds cmd/lakegate into a temporary directory.
func buildLakegate(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "lakegate")
	cmd := exec.Command("go", "build", "-o", bin, "../cmd/lakegate")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func TestBinaryVersionAndHelp(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildLakegate(t)
	out, err := exec.Command(bin, "version").Output()
	if err != nil || !regexp.MustCompile(`^lakegate \S+ .*DuckDB v1\.5\.5`).Match(out) {
		t.Errorf("version: %q %v", out, err)
	}
	help, _ := exec.Command(bin, "-help").CombinedOutput()
	for _, flag := range []string{"-listen", "LAKEGATE_LISTEN", "-data-dir", "LAKEGATE_DATA_DIR", "-memory-limit", "-threads"} {
		if !strings.Contains(string(help), flag) {
			t.Errorf("-help does not mention %s:\n%s", flag, help)
		}
	}
}

// TestBinaryServesDemoLake runs the real binary as a user would, generating
// the demo lake, and queries it with pgx and psql.
func TestBinaryServesDemoLake(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and generates the demo lake")
	}
	bin := buildLakegate(t)
	cmd := exec.Command(bin, "--listen", "127.0.0.1:0", "--threads", "2")
	cmd.Env = append(cmd.Environ(), "LAKEGATE_DATA_DIR="+t.TempDir())
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	})
	// The server prints the psql command that connects to it.
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var host, port string
	timeout := time.After(3 * time.Minute)
	for port == "" {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatal("lakegate exited before it was ready")
			}
			if m := regexp.MustCompile(`psql -h (\S+) -p (\d+) -U lakegate`).FindStringSubmatch(line); m != nil {
				host, port = m[1], m[2]
			}
		case <-timeout:
			t.Fatal("lakegate did not become ready")
		}
	}
	go func() {
		for range lines {
		}
	}()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, fmt.Sprintf("postgres://lakegate@%s:%s/lakegate", host, port))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var sales, days int64
	err = conn.QueryRow(ctx, `select count(*), count(distinct s.sale_date) from demo.sales s join demo.stores st using (store_id)`).Scan(&sales, &days)
	if err != nil {
		t.Fatal(err)
	}
	if sales < 900_000 || days != 366 {
		t.Errorf("demo.sales: %d rows over %d days", sales, days)
	}
	lg := &lakegate{host: host, port: port}
	out, stderr, err := runPsql(t, lg, "-c", "select count(*) > 0 from demo.products")
	if err != nil || strings.TrimSpace(out) != "t" {
		t.Errorf("psql: %q %v %s", out, err, stderr)
	}
}
