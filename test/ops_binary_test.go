package test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// The operations of the real binary: admin listener, SIGHUP, SIGTERM.

var (
	opsBinaryOnce sync.Once
	opsBinary     string
	opsBinaryErr  error
)

// lakegateBinary builds cmd/lakegate once for the tests of this file.
func lakegateBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the lakegate binary")
	}
	opsBinaryOnce.Do(func() {
		dir, err := os.MkdirTemp("", "lakegate-ops-bin-")
		if err != nil {
			opsBinaryErr = err
			return
		}
		opsBinary = filepath.Join(dir, "lakegate")
		out, err := exec.Command("go", "build", "-o", opsBinary, "../cmd/lakegate").CombinedOutput()
		if err != nil {
			opsBinaryErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if opsBinaryErr != nil {
		t.Fatal(opsBinaryErr)
	}
	return opsBinary
}

// lakegateProcess is a running lakegate binary.
type lakegateProcess struct {
	cmd    *exec.Cmd
	pgAddr string
	admin  string // the admin listener's address
	logs   *syncBuffer
	// exited is closed when the process has exited, with exitErr set.
	exited  chan struct{}
	exitErr error
}

// startLakegateProcess runs the binary with args (and a data directory,
// loopback listeners on free ports) and waits for its admin listener;
// ready says whether to wait for the PostgreSQL listener too.
func startLakegateProcess(t *testing.T, ready bool, args ...string) *lakegateProcess {
	t.Helper()
	bin := lakegateBinary(t)
	args = append([]string{"--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--threads", "2", "--data-dir", t.TempDir()}, args...)
	p := &lakegateProcess{cmd: exec.Command(bin, args...), logs: &syncBuffer{}, exited: make(chan struct{})}
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pgAddr, adminAddr := make(chan string, 1), make(chan string, 1)
	var pipes sync.WaitGroup
	pipes.Add(2)
	go func() {
		defer pipes.Done()
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := regexp.MustCompile(`psql -h (\S+) -p (\d+) -U lakegate`).FindStringSubmatch(sc.Text()); m != nil {
				pgAddr <- net.JoinHostPort(m[1], m[2])
			}
		}
	}()
	go func() {
		defer pipes.Done()
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Bytes()
			p.logs.Write(append(append([]byte(nil), line...), '\n'))
			var r map[string]any
			if json.Unmarshal(line, &r) == nil && r["msg"] == "admin listener is up" {
				adminAddr <- r["listen"].(string)
			}
		}
	}()
	go func() {
		pipes.Wait() // Wait closes the pipes: read them to the end first
		p.exitErr = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.exited
		if t.Failed() {
			t.Logf("lakegate's log:\n%s", p.logs.buf.String())
		}
	})
	timeout := time.After(2 * time.Minute)
	select {
	case p.admin = <-adminAddr:
	case <-p.exited:
		t.Fatalf("lakegate exited: %v\n%s", p.exitErr, p.logs.buf.String())
	case <-timeout:
		t.Fatal("the admin listener did not come up")
	}
	if ready {
		select {
		case p.pgAddr = <-pgAddr:
		case err := <-p.exited:
			t.Fatalf("lakegate exited: %v\n%s", err, p.logs.buf.String())
		case <-timeout:
			t.Fatal("lakegate did not become ready")
		}
	} else {
		go func() { p.pgAddr = <-pgAddr }()
	}
	return p
}

func (p *lakegateProcess) connect(t *testing.T) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), "postgres://lakegate@"+p.pgAddr+"/lakegate?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// get returns the status and body of an admin path.
func (p *lakegateProcess) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := http.Get("http://" + p.admin + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// waitLog waits for a log record with that msg, after the first skip.
func (p *lakegateProcess) waitLog(t *testing.T, msg string, skip int) map[string]any {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if recs := p.logs.records(t, msg); len(recs) > skip {
			return recs[skip]
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no log record %q", msg)
	return nil
}

// metrics scrapes /metrics and parses it.
func (p *lakegateProcess) metrics(t *testing.T) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get("http://" + p.admin + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.LegacyValidation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return families
}

// metricValue is the value of the sample of name with the given labels.
func metricValue(families map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	f := families[name]
	if f == nil {
		return 0
	}
next:
	for _, m := range f.GetMetric() {
		for i := 0; i+1 < len(labels); i += 2 {
			found := false
			for _, l := range m.GetLabel() {
				if l.GetName() == labels[i] && l.GetValue() == labels[i+1] {
					found = true
				}
			}
			if !found {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		}
	}
	return 0
}

// slowRESTCatalog is an Iceberg REST catalog that answers only once
// released (with an error: the schema it serves is then empty), so that
// a test sees lakegate before its catalog has loaded.
func slowRESTCatalog(t *testing.T) (url string, release func()) {
	t.Helper()
	released := make(chan struct{})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-released
		http.Error(w, "no catalog here", http.StatusServiceUnavailable)
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	var once sync.Once
	release = func() { once.Do(func() { close(released) }) }
	t.Cleanup(func() { release(); srv.Close() })
	return "http://" + ln.Addr().String(), release
}

func TestBinaryReadyMetricsAndReload(t *testing.T) {
	dir, _ := opsLake(t)
	restURL, release := slowRESTCatalog(t)
	config := filepath.Join(dir, "lake.yaml")
	good := fmt.Sprintf(`
schemas:
  demo:
    tables:
      sales:
        format: parquet
        location: sales
        partitioning: hive
        partition_columns: {day: date}
  remote:
    iceberg_rest:
      uri: %s
      namespace: ns
`, restURL)
	if err := os.WriteFile(config, []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	p := startLakegateProcess(t, false, "--config", config, "--lake-roots", dir)

	// Up, not ready: the catalog is still loading.
	if code, _ := p.get(t, "/healthz"); code != http.StatusOK {
		t.Errorf("/healthz while loading: %d", code)
	}
	if code, body := p.get(t, "/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "loading the catalog") {
		t.Errorf("/readyz while loading: %d %q", code, body)
	}
	release()
	deadline := time.Now().Add(time.Minute)
	for {
		code, _ := p.get(t, "/readyz")
		if code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz still %d", code)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for p.pgAddr == "" {
		time.Sleep(10 * time.Millisecond)
	}

	// Metrics move with real queries.
	conn := p.connect(t)
	ctx := context.Background()
	before := p.metrics(t)
	for _, day := range []string{"2024-01-02", "2024-01-05", "2024-01-09"} {
		if got := queryString(t, conn, "SELECT count(*)::text FROM demo.sales WHERE day = $1::date", day); got != "100" {
			t.Fatalf("count on %s: %s", day, got)
		}
	}
	if _, err := conn.Exec(ctx, "SELECT missing FROM demo.sales"); pgCode(err) == "" {
		t.Fatalf("want an error, got %v", err)
	}
	after := p.metrics(t)
	delta := func(name string, labels ...string) float64 {
		return metricValue(after, name, labels...) - metricValue(before, name, labels...)
	}
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"lakegate_queries_total", []string{"status", "ok", "user", "lakegate"}, 3},
		{"lakegate_queries_total", []string{"status", "error", "user", "lakegate"}, 1},
		{"lakegate_query_duration_seconds", []string{"status", "ok"}, 3},
		{"lakegate_rows_returned_total", nil, 3},
		{"lakegate_lake_files_total", []string{"table", "demo.sales", "outcome", "scanned"}, 3},
		{"lakegate_lake_files_total", []string{"table", "demo.sales", "outcome", "pruned"}, 27},
	} {
		if got := delta(c.name, c.labels...); got != c.want {
			t.Errorf("%s%v moved by %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if scanned, pruned := delta("lakegate_lake_bytes_total", "outcome", "scanned"), delta("lakegate_lake_bytes_total", "outcome", "pruned"); scanned <= 0 || pruned <= scanned {
		t.Errorf("lake bytes scanned %v, pruned %v", scanned, pruned)
	}
	if got := delta("lakegate_bytes_sent_total"); got <= 0 {
		t.Errorf("bytes sent moved by %v", got)
	}
	if got := metricValue(after, "lakegate_connections"); got != 1 {
		t.Errorf("lakegate_connections = %v, want 1", got)
	}
	if got := metricValue(after, "lakegate_duckdb_memory_bytes"); got <= 0 {
		t.Errorf("lakegate_duckdb_memory_bytes = %v", got)
	}
	for _, name := range []string{"lakegate_cache_hits_total", "lakegate_cache_misses_total", "lakegate_s3_requests_total", "lakegate_s3_errors_total", "lakegate_auth_failures_total"} {
		if after[name] == nil {
			t.Errorf("/metrics has no %s", name)
		}
	}

	// A broken config is refused and the running one keeps serving.
	if err := os.WriteFile(config, []byte("schemas: [this is not a catalog\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p.cmd.Process.Signal(syscall.SIGHUP)
	refused := p.waitLog(t, "reload refused, keeping the running configuration", 0)
	if !strings.Contains(fmt.Sprint(refused["err"]), "lake.yaml") {
		t.Errorf("refusal does not name the file: %v", refused)
	}
	if got := queryString(t, conn, "SELECT count(*)::text FROM demo.sales"); got != "1000" {
		t.Errorf("after a refused reload: %s", got)
	}

	// A good one adds a table, and the session opened before sees it.
	writeLake(t, fmt.Sprintf(`COPY (SELECT i AS item, 'item ' || i AS label FROM range(7) r(i)) TO '%s/items.parquet' (FORMAT parquet)`, dir))
	added := good + `
  more:
    tables:
      items:
        format: parquet
        location: items.parquet
`
	if err := os.WriteFile(config, []byte(added), 0o644); err != nil {
		t.Fatal(err)
	}
	p.cmd.Process.Signal(syscall.SIGHUP)
	p.waitLog(t, "configuration reloaded", 0)
	if got := queryString(t, conn, "SELECT count(*)::text || ' ' || max(label) FROM more.items"); got != "7 item 6" {
		t.Errorf("the added table: %q", got)
	}
	if got := queryString(t, conn, "SELECT count(*)::text FROM demo.sales WHERE day = '2024-01-04'"); got != "100" {
		t.Errorf("the kept table after reload: %q", got)
	}
	if got := queryString(t, conn, "SELECT count(*)::text FROM information_schema.tables WHERE table_schema = 'more'"); got != "1" {
		t.Errorf("information_schema after reload: %q", got)
	}

	// Users and grants reload too: bob, unknown until now, may log in and
	// read only what his role grants; the open session goes on.
	connectBob := func() (*pgx.Conn, error) {
		return pgx.Connect(context.Background(), "postgres://bob@"+p.pgAddr+"/lakegate?sslmode=disable")
	}
	if c, err := connectBob(); err == nil {
		c.Close(context.Background())
		t.Fatal("bob logged in before any config named him")
	}
	withUsers := added + `
users:
  lakegate: {method: trust}
  bob: {method: trust}
roles:
  admins: {members: [lakegate], grants: ["*.*"]}
  readers: {members: [bob], grants: ["more.*"]}
`
	if err := os.WriteFile(config, []byte(withUsers+"  broken: {method: bogus}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p.cmd.Process.Signal(syscall.SIGHUP)
	p.waitLog(t, "reload refused, keeping the running configuration", 1)
	if err := os.WriteFile(config, []byte(withUsers), 0o644); err != nil {
		t.Fatal(err)
	}
	p.cmd.Process.Signal(syscall.SIGHUP)
	p.waitLog(t, "configuration reloaded", 1)
	bob, err := connectBob()
	if err != nil {
		t.Fatalf("bob after the reload: %v", err)
	}
	defer bob.Close(context.Background())
	if got := queryString(t, bob, "SELECT count(*)::text FROM more.items"); got != "7" {
		t.Errorf("bob reads more.items: %q", got)
	}
	if _, err := bob.Exec(context.Background(), "SELECT count(*) FROM demo.sales"); pgCode(err) != "42501" {
		t.Errorf("bob reads demo.sales: %v, want 42501", err)
	}
	if got := queryString(t, conn, "SELECT count(*)::text FROM demo.sales"); got != "1000" {
		t.Errorf("the session opened before the users reload: %q", got)
	}
}

// timedQuery returns a query that runs for about d on this machine.
func timedQuery(t *testing.T, conn *pgx.Conn, d time.Duration) string {
	t.Helper()
	const probe = 50_000_000
	q := func(n int64) string { return fmt.Sprintf("SELECT count(*) FROM range(%d) t(x) WHERE x %% 7 = 3", n) }
	start := time.Now()
	if _, err := conn.Exec(context.Background(), q(probe)); err != nil {
		t.Fatal(err)
	}
	took := max(time.Since(start), time.Millisecond)
	return q(int64(float64(probe) * float64(d) / float64(took)))
}

func TestBinarySIGTERMFinishesRunningQuery(t *testing.T) {
	dir, yamlText := opsLake(t)
	config := filepath.Join(dir, "lake.yaml")
	if err := os.WriteFile(config, []byte(yamlText), 0o644); err != nil {
		t.Fatal(err)
	}
	p := startLakegateProcess(t, true, "--config", config, "--shutdown-grace", "60s")
	busy, idle, watcher := p.connect(t), p.connect(t), p.connect(t)
	query := timedQuery(t, busy, 3*time.Second)
	done := make(chan error, 1)
	var count int64
	go func() { done <- busy.QueryRow(context.Background(), query).Scan(&count) }()
	pid := busy.PgConn().PID()
	for deadline := time.Now().Add(20 * time.Second); ; {
		var state string
		watcher.QueryRow(context.Background(), "SELECT state FROM pg_stat_activity WHERE pid = $1", int32(pid)).Scan(&state)
		if state == "active" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the query never showed as active")
		}
		time.Sleep(10 * time.Millisecond)
	}
	signalled := time.Now()
	p.cmd.Process.Signal(syscall.SIGTERM)
	p.waitLog(t, "shutting down", 0)

	// Idle sessions are told at once: FATAL 57P01, and the connection
	// is closed.
	waitClosed(t, idle)
	// New connections are refused.
	if c, err := pgx.Connect(context.Background(), "postgres://lakegate@"+p.pgAddr+"/lakegate?sslmode=disable&connect_timeout=5"); err == nil {
		c.Close(context.Background())
		t.Error("a new connection was accepted during shutdown")
	}
	// The running query finishes with its result.
	if err := <-done; err != nil || count == 0 {
		t.Errorf("running query after SIGTERM: %d, %v", count, err)
	}
	select {
	case <-p.exited:
		if p.exitErr != nil {
			t.Errorf("lakegate exited with %v, want 0", p.exitErr)
		}
		t.Logf("exited %v after SIGTERM", time.Since(signalled).Round(time.Millisecond))
	case <-time.After(60 * time.Second):
		t.Fatal("lakegate did not exit within the grace period")
	}
}

func TestBinarySIGTERMGraceCancels(t *testing.T) {
	dir, yamlText := opsLake(t)
	config := filepath.Join(dir, "lake.yaml")
	if err := os.WriteFile(config, []byte(yamlText), 0o644); err != nil {
		t.Fatal(err)
	}
	p := startLakegateProcess(t, true, "--config", config, "--shutdown-grace", "1s")
	busy, watcher := p.connect(t), p.connect(t)
	_, done := startLongQuery(t, busy, watcher)
	signalled := time.Now()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-done:
		var code string
		if code = pgCode(err); code != "57P01" {
			t.Errorf("query still running at the end of the grace period: %v, want 57P01", err)
		}
		if waited := time.Since(signalled); waited < time.Second {
			t.Errorf("interrupted after %v, before the 1s grace period", waited)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the query was not interrupted")
	}
	select {
	case <-p.exited:
		if p.exitErr != nil {
			t.Errorf("lakegate exited with %v, want 0", p.exitErr)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("lakegate did not exit")
	}
}
