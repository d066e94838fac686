package test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/lakegate/lakegate/auth"
	"github.com/lakegate/lakegate/catalog"
	"github.com/lakegate/lakegate/engine"
	"github.com/lakegate/lakegate/server"
)

// syncBuffer is a log destination shared by the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// records returns the JSON log records whose msg is msg.
func (b *syncBuffer) records(t testing.TB, msg string) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, line := range bytes.Split(b.buf.Bytes(), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var r map[string]any
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatalf("log line is not JSON: %s", line)
		}
		if r["msg"] == msg {
			out = append(out, r)
		}
	}
	return out
}

// opsLake writes a lake of one hive-partitioned table, demo.sales: 1,000
// rows over ten days, one file a day.
func opsLake(t testing.TB) (dir, yamlText string) {
	t.Helper()
	dir = t.TempDir()
	writeLake(t, fmt.Sprintf(`COPY (SELECT i AS id, DATE '2024-01-01' + (i %% 10)::INT AS day, i * 0.5 AS amount
		FROM range(1000) r(i)) TO '%s/sales' (FORMAT parquet, PARTITION_BY (day))`, dir))
	return dir, `
schemas:
  demo:
    tables:
      sales:
        format: parquet
        location: sales
        partitioning: hive
        partition_columns: {day: date}
`
}

// startOpsLakegate serves yamlText's catalog with the query log captured
// as JSON, lakegate as the only admin, and alice as a second user.
func startOpsLakegate(t testing.TB, dir, yamlText string, redact bool) (*lakegate, *syncBuffer) {
	t.Helper()
	cfg, err := catalog.ParseConfig(filepath.Join(dir, "lake.yaml"), []byte(yamlText))
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	cat, err := catalog.Open(context.Background(), cfg, catalog.Options{CacheDirectory: filepath.Join(dir, "cache"), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.Open(context.Background(), engine.Config{Threads: 2, Lake: cat, AllowedDirectories: cat.LocalDirectories(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	eng.SetAdmins([]string{"lakegate"})
	logs := &syncBuffer{}
	srv := &server.Server{Engine: eng, Auth: auth.TrustLoopback("lakegate", "alice"), Logger: quiet,
		QueryLog: slog.New(slog.NewJSONHandler(logs, nil)), RedactQueryLog: redact}
	lg := serve(t, srv, cat.Close)
	return lg, logs
}

func connectAs(t testing.TB, lg *lakegate, user, application string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, lg.url(user)+"&application_name="+application)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// statementRecord finds the query-log record of a statement by its text.
func statementRecord(t testing.TB, logs *syncBuffer, query string) map[string]any {
	t.Helper()
	for _, r := range logs.records(t, "statement") {
		if r["query"] == query {
			return r
		}
	}
	t.Fatalf("no query-log record of %q", query)
	return nil
}

func TestQueryLogRecordsPruning(t *testing.T) {
	dir, yamlText := opsLake(t)
	lg, logs := startOpsLakegate(t, dir, yamlText, false)
	conn := connectAs(t, lg, "lakegate", "ops-test")
	ctx := context.Background()
	const pruned = "SELECT count(*)::text FROM demo.sales WHERE day = DATE '2024-01-03'"
	if got := queryString(t, conn, pruned); got != "100" {
		t.Fatalf("count: %s", got)
	}
	r := statementRecord(t, logs, pruned)
	for field, want := range map[string]any{"user": "lakegate", "application_name": "ops-test", "client": "127.0.0.1", "rows": 1.0} {
		if r[field] != want {
			t.Errorf("%s = %v, want %v (record %v)", field, r[field], want, r)
		}
	}
	if fp, _ := r["fingerprint"].(string); len(fp) != 16 {
		t.Errorf("fingerprint %q", r["fingerprint"])
	}
	if r["session"].(float64) == 0 || r["bytes_sent"].(float64) <= 0 || r["duration_ms"] == nil {
		t.Errorf("record %v", r)
	}
	lake, _ := r["lake"].([]any)
	if len(lake) != 1 {
		t.Fatalf("lake = %v", r["lake"])
	}
	scan := lake[0].(map[string]any)
	if scan["table"] != "demo.sales" || scan["files_scanned"] != 1.0 || scan["files_pruned"] != 9.0 || scan["files_total"] != 10.0 ||
		scan["bytes_scanned"].(float64) <= 0 || scan["bytes_pruned"].(float64) <= scan["bytes_scanned"].(float64) {
		t.Errorf("lake scan = %v", scan)
	}

	// The same statement with another constant has the same fingerprint.
	queryString(t, conn, "SELECT count(*)::text FROM demo.sales WHERE day = DATE '2024-01-07'")
	if other := statementRecord(t, logs, "SELECT count(*)::text FROM demo.sales WHERE day = DATE '2024-01-07'"); other["fingerprint"] != r["fingerprint"] {
		t.Errorf("fingerprints differ: %v and %v", other["fingerprint"], r["fingerprint"])
	}

	// An error is logged with its SQLSTATE.
	_, err := conn.Exec(ctx, "SELECT nope FROM demo.sales")
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		t.Fatalf("want an error, got %v", err)
	}
	if r := statementRecord(t, logs, "SELECT nope FROM demo.sales"); r["sqlstate"] != pgErr.Code || r["error"] == "" {
		t.Errorf("error record %v, client got %s", r, pgErr.Code)
	}

	// lakegate.query_history has the same statements with their numbers.
	var files, total int64
	var fingerprint string
	err = conn.QueryRow(ctx, `SELECT files_scanned, files_total, fingerprint FROM lakegate.query_history
		WHERE query = $1`, pruned).Scan(&files, &total, &fingerprint)
	if err != nil || files != 1 || total != 10 || fingerprint != r["fingerprint"] {
		t.Errorf("query_history: %d of %d files, %q, %v", files, total, fingerprint, err)
	}
	var state string
	if err := conn.QueryRow(ctx, `SELECT sqlstate FROM lakegate.query_history WHERE query = 'SELECT nope FROM demo.sales'`).Scan(&state); err != nil || state != pgErr.Code {
		t.Errorf("query_history error: %q %v", state, err)
	}
}

func TestQueryLogRedacted(t *testing.T) {
	dir, yamlText := opsLake(t)
	lg, logs := startOpsLakegate(t, dir, yamlText, true)
	conn := connectAs(t, lg, "lakegate", "ops-test")
	queryString(t, conn, "SELECT 'secret-value' || count(*) FROM demo.sales WHERE id = 42")
	for _, r := range logs.records(t, "statement") {
		if q, _ := r["query"].(string); strings.Contains(q, "secret-value") || strings.Contains(q, "42") {
			t.Errorf("constant in a redacted log: %q", q)
		}
	}
	statementRecord(t, logs, "SELECT $1 || count(*) FROM demo.sales WHERE id = $2")
}

// longQuery runs until it is canceled.
const longQuery = "SELECT count(*) FROM range(1000000000000) t(x) WHERE x % 7 = 3"

// startLongQuery runs longQuery on conn in the background and waits until
// pg_stat_activity (read on watcher) shows it running; it returns the
// victim's pid and the channel its error arrives on.
func startLongQuery(t *testing.T, conn, watcher *pgx.Conn) (uint32, <-chan error) {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := conn.Exec(context.Background(), longQuery)
		done <- err
	}()
	pid := conn.PgConn().PID()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		var state, query, user, app string
		err := watcher.QueryRow(context.Background(),
			"SELECT state, coalesce(query, '<null>'), usename, application_name FROM pg_stat_activity WHERE pid = $1", int32(pid)).Scan(&state, &query, &user, &app)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			t.Fatal(err)
		}
		if state == "active" && query == longQuery {
			return pid, done
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("pg_stat_activity never showed the long query running")
	return 0, nil
}

func TestPgStatActivityAndCancelBackend(t *testing.T) {
	if testing.Short() {
		t.Skip("runs queries until they are canceled")
	}
	dir, yamlText := opsLake(t)
	lg, _ := startOpsLakegate(t, dir, yamlText, false)
	ctx := context.Background()
	victim := connectAs(t, lg, "lakegate", "victim")
	admin := connectAs(t, lg, "lakegate", "watcher")
	alice := connectAs(t, lg, "alice", "alice-app")

	// Every session is listed, the idle ones too.
	var sessions int
	if err := admin.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'").Scan(&sessions); err != nil || sessions != 3 {
		t.Fatalf("pg_stat_activity lists %d sessions, want 3 (%v)", sessions, err)
	}
	var aliceState, aliceApp, aliceAddr string
	if err := admin.QueryRow(ctx, "SELECT state, application_name, client_addr FROM pg_stat_activity WHERE usename = 'alice'").Scan(&aliceState, &aliceApp, &aliceAddr); err != nil ||
		aliceState != "idle" || aliceApp != "alice-app" || aliceAddr != "127.0.0.1" {
		t.Errorf("alice's session: %q %q %q %v", aliceState, aliceApp, aliceAddr, err)
	}

	pid, done := startLongQuery(t, victim, admin)
	// Another user may not cancel it: 42501, as PostgreSQL.
	_, err := alice.Exec(ctx, "SELECT pg_cancel_backend($1)", int32(pid))
	if pgCode(err) != "42501" {
		t.Errorf("alice canceling lakegate's query: %v, want 42501", err)
	}
	// An admin may.
	var ok bool
	if err := admin.QueryRow(ctx, fmt.Sprintf("SELECT pg_cancel_backend(%d)", pid)).Scan(&ok); err != nil || !ok {
		t.Fatalf("pg_cancel_backend: %v %v", ok, err)
	}
	select {
	case err := <-done:
		if pgCode(err) != "57014" {
			t.Errorf("canceled query ended with %v, want 57014", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the canceled query is still running")
	}
	// The session lives on.
	if got := queryString(t, victim, "SELECT 'alive'"); got != "alive" {
		t.Errorf("after cancel: %q", got)
	}

	// A user may cancel their own session's query from another session.
	alice2 := connectAs(t, lg, "alice", "alice-2")
	_, done = startLongQuery(t, alice2, admin)
	if err := alice.QueryRow(ctx, "SELECT pg_cancel_backend($1)", int32(alice2.PgConn().PID())).Scan(&ok); err != nil || !ok {
		t.Fatalf("alice canceling her own query: %v %v", ok, err)
	}
	if err := <-done; pgCode(err) != "57014" {
		t.Errorf("alice's canceled query: %v", err)
	}
	// An unknown pid is a warning and false, as PostgreSQL.
	if err := admin.QueryRow(ctx, "SELECT pg_cancel_backend(1)").Scan(&ok); err != nil || ok {
		t.Errorf("unknown pid: %v %v", ok, err)
	}
}

func TestPgTerminateBackend(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a query until it is terminated")
	}
	dir, yamlText := opsLake(t)
	lg, _ := startOpsLakegate(t, dir, yamlText, false)
	ctx := context.Background()
	admin := connectAs(t, lg, "lakegate", "admin")

	// A running statement: the client gets FATAL 57P01 and the connection
	// ends.
	busy := connectAs(t, lg, "lakegate", "busy")
	pid, done := startLongQuery(t, busy, admin)
	var ok bool
	if err := admin.QueryRow(ctx, "SELECT pg_terminate_backend($1)", int32(pid)).Scan(&ok); err != nil || !ok {
		t.Fatalf("pg_terminate_backend: %v %v", ok, err)
	}
	err := <-done
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "57P01" || pgErr.Severity != "FATAL" ||
		pgErr.Message != "terminating connection due to administrator command" {
		t.Errorf("terminated query ended with %v, want FATAL 57P01", err)
	}
	waitClosed(t, busy)

	// An idle session is told at once, and is gone from pg_stat_activity.
	idle := connectAs(t, lg, "alice", "idle")
	idlePID := idle.PgConn().PID()
	alice := connectAs(t, lg, "alice", "alice")
	if err := alice.QueryRow(ctx, "SELECT pg_terminate_backend($1)", int32(idlePID)).Scan(&ok); err != nil || !ok {
		t.Fatalf("alice terminating her own idle session: %v %v", ok, err)
	}
	waitClosed(t, idle)
	_, err = alice.Exec(ctx, "SELECT pg_terminate_backend($1)", int32(admin.PgConn().PID()))
	if pgCode(err) != "42501" {
		t.Errorf("alice terminating an admin's session: %v, want 42501", err)
	}
	// The server forgets a session just after its client sees it end.
	var left int
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		err := admin.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE pid IN ($1, $2)", int32(pid), int32(idlePID)).Scan(&left)
		if err != nil {
			t.Fatal(err)
		}
		if left == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("terminated sessions still listed: %d", left)
			break
		}
	}
}

// waitClosed waits for the server to close conn.
func waitClosed(t *testing.T, conn *pgx.Conn) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := conn.Exec(context.Background(), "SELECT 1"); err != nil {
			if code := pgCode(err); code != "" && code != "57P01" {
				t.Errorf("after termination: %v", err)
			}
			if conn.IsClosed() {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Error("the terminated connection is still open")
}

// TestActivityPrivacy checks that a user sees other users' statements
// neither in pg_stat_activity (their query reads <insufficient privilege>,
// as in PostgreSQL for a non-superuser) nor in lakegate.query_history,
// while an admin sees everyone's, and that the rows behind both views
// cannot be read directly.
func TestActivityPrivacy(t *testing.T) {
	dir, yamlText := opsLake(t)
	lg, _ := startOpsLakegate(t, dir, yamlText, false)
	ctx := context.Background()
	admin := connectAs(t, lg, "lakegate", "admin")
	alice := connectAs(t, lg, "alice", "alice-app")
	if _, err := admin.Exec(ctx, "SELECT 'admin secret'"); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.Exec(ctx, "SELECT 'alice statement'"); err != nil {
		t.Fatal(err)
	}
	var query string
	if err := alice.QueryRow(ctx, "SELECT query FROM pg_stat_activity WHERE usename = 'lakegate'").Scan(&query); err != nil || query != "<insufficient privilege>" {
		t.Errorf("alice reads the admin's statement in pg_stat_activity: %q %v", query, err)
	}
	// alice's last statement is the one above.
	if err := admin.QueryRow(ctx, "SELECT query FROM pg_stat_activity WHERE usename = 'alice'").Scan(&query); err != nil ||
		query != "SELECT query FROM pg_stat_activity WHERE usename = 'lakegate'" {
		t.Errorf("the admin reads alice's statement as %q %v", query, err)
	}
	var users string
	if err := alice.QueryRow(ctx, "SELECT string_agg(DISTINCT usename, ',') FROM lakegate.query_history").Scan(&users); err != nil || users != "alice" {
		t.Errorf("alice's query_history has the statements of %q %v", users, err)
	}
	if err := admin.QueryRow(ctx, "SELECT string_agg(DISTINCT usename, ',' ORDER BY usename) FROM lakegate.query_history").Scan(&users); err != nil || users != "alice,lakegate" {
		t.Errorf("the admin's query_history has the statements of %q %v", users, err)
	}
	for _, q := range []string{
		"SELECT * FROM lakegate_pg_catalog.lakegate_query_history_rows",
		"SELECT * FROM lakegate_query_history_rows",
		"SELECT * FROM lakegate_pg_catalog.lakegate_activity_rows",
	} {
		if _, err := alice.Exec(ctx, q); pgCode(err) != "42501" {
			t.Errorf("%s: %v, want 42501", q, err)
		}
	}
}
