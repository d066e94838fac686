package test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/lakegate/lakegate/auth"
	"github.com/lakegate/lakegate/catalog"
	"github.com/lakegate/lakegate/engine"
	"github.com/lakegate/lakegate/server"
)

// secureLakegate is a server started with a config file's users, hba,
// tls and limits sections, as cmd/lakegate wires them.
type secureLakegate struct {
	*lakegate
	dir    string // the config file's directory (certificates live here)
	policy *auth.Policy
}

// startSecureLakegate writes config (YAML with users/hba/tls/limits) to
// a temporary lake.yaml next to the test certificates and starts a server
// from it. engineConfig may adjust the engine (a memory limit, say).
func startSecureLakegate(t testing.TB, config string, engineConfig func(*engine.Config)) *secureLakegate {
	t.Helper()
	dir := t.TempDir()
	writeTestPKI(t, dir)
	file := filepath.Join(dir, "lake.yaml")
	if err := os.WriteFile(file, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := catalog.LoadConfig(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.CheckSections("users", "hba", "tls", "limits"); err != nil {
		t.Fatal(err)
	}
	security, err := auth.LoadConfig(cfg.File(), cfg.Sections)
	if err != nil {
		t.Fatal(err)
	}
	ec := engine.Config{Threads: 2, AllowedDirectories: []string{dir}}
	if engineConfig != nil {
		engineConfig(&ec)
	}
	eng, err := engine.Open(context.Background(), ec)
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	policy := security.Policy(nil)
	policy.Logger = logger
	if policy.Throttle != nil {
		// Fast enough for tests, still observable.
		policy.Throttle.Base, policy.Throttle.Max = 20*time.Millisecond, 400*time.Millisecond
	}
	srv := &server.Server{Engine: eng, Auth: policy, Logger: logger, Limits: security.Limits}
	if security.TLS != nil {
		srv.TLS, srv.RequireTLS = security.TLS.Config, security.TLS.Mode == auth.TLSRequire
	}
	lg := serve(t, srv)
	return &secureLakegate{lakegate: lg, dir: dir, policy: policy}
}

// login is how a test client connects: user, password and the libpq
// sslmode with the test PKI's files.
type login struct {
	user, password string
	sslmode        string // disable, require, verify-full
	clientCert     string // "alice" uses alice.crt/alice.key
}

func (lg *secureLakegate) conninfo(l login) string {
	parts := []string{"host=" + lg.host, "port=" + lg.port, "user=" + l.user, "dbname=lakegate", "connect_timeout=10"}
	if l.password != "" {
		parts = append(parts, "password="+l.password)
	}
	mode := l.sslmode
	if mode == "" {
		mode = "disable"
	}
	parts = append(parts, "sslmode="+mode)
	if mode == "verify-full" || mode == "verify-ca" {
		parts = append(parts, "sslrootcert="+filepath.Join(lg.dir, "ca.crt"))
	}
	if l.clientCert != "" {
		parts = append(parts, "sslcert="+filepath.Join(lg.dir, l.clientCert+".crt"), "sslkey="+filepath.Join(lg.dir, l.clientCert+".key"))
	}
	return strings.Join(parts, " ")
}

// connectClients are the clients login tests run with.
var connectClients = []string{"pgx", "psql", "psycopg2", "psycopg", "asyncpg", "pgjdbc"}

// connectAs logs in with client and returns "OK <current_user>" or
// "ERR <SQLSTATE or -----> <message>" (libpq-based clients do not report
// a SQLSTATE for a refused connection: their message is checked instead).
func (lg *secureLakegate) connectAs(t *testing.T, client string, l login) string {
	t.Helper()
	info := lg.conninfo(l)
	switch client {
	case "pgx":
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, info)
		if err != nil {
			return pgxErr(err)
		}
		defer conn.Close(context.Background())
		var user string
		if err := conn.QueryRow(ctx, "select current_user").Scan(&user); err != nil {
			return pgxErr(err)
		}
		return "OK " + user
	case "psql":
		// psql gets the password as PGPASSWORD, the rest as conninfo.
		psql := requireClient(t, "psql")
		noPassword := l
		noPassword.password = ""
		cmd := exec.Command(psql, "-X", "-A", "-t", "-c", "select current_user", lg.conninfo(noPassword))
		cmd.Env = append(os.Environ(), "PGPASSWORD="+l.password, "PGSSLMODE=", "PGCONNECT_TIMEOUT=10")
		out, err := cmd.CombinedOutput()
		if err != nil {
			return "ERR ----- " + strings.TrimSpace(string(out))
		}
		return "OK " + strings.TrimSpace(string(out))
	case "psycopg2", "psycopg", "asyncpg":
		module := map[string]string{"psycopg2": "psycopg2", "psycopg": "psycopg", "asyncpg": "asyncpg"}[client]
		cmd := pythonCommand(t, lg.lakegate, "connect_check.py", module)
		cmd.Args = []string{debianPython, "connect_check.py", client, info}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", client, err, out)
		}
		return lastLine(out)
	case "pgjdbc":
		cmd := jdbcCommand(t, lg.lakegate)
		url := fmt.Sprintf("jdbc:postgresql://%s:%s/lakegate", lg.host, lg.port)
		switch l.sslmode {
		case "", "disable":
			url += "?sslmode=disable"
		case "require":
			url += "?sslmode=require&sslfactory=org.postgresql.ssl.NonValidatingFactory"
		default:
			url += "?sslmode=" + l.sslmode + "&sslrootcert=" + filepath.Join(lg.dir, "ca.crt")
		}
		if l.clientCert != "" {
			url += "&sslcert=" + filepath.Join(lg.dir, l.clientCert+".crt") + "&sslkey=" + filepath.Join(lg.dir, l.clientCert+".pk8")
		} else {
			// pgjdbc would otherwise offer ~/.postgresql/postgresql.crt.
			url += "&sslcert=" + filepath.Join(lg.dir, "none.crt")
		}
		args := []string{cmd.Args[0], "-cp", pgjdbcJar(), "ConnectCheck.java", url, l.user}
		if l.password != "" {
			args = append(args, l.password)
		}
		cmd.Args = args
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("pgjdbc: %v\n%s", err, out)
		}
		return lastLine(out)
	}
	t.Fatalf("unknown client %s", client)
	return ""
}

func pgxErr(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return "ERR " + pe.Code + " " + pe.Message
	}
	return "ERR ----- " + err.Error()
}

// expectLogin checks a connectAs result: "OK user", or an error with code
// (for clients that report one) and message.
func expectLogin(t *testing.T, client, got, wantUser, wantCode, wantMessage string) {
	t.Helper()
	if wantUser != "" {
		if got != "OK "+wantUser {
			t.Errorf("%s: %s, want OK %s", client, got, wantUser)
		}
		return
	}
	if !strings.HasPrefix(got, "ERR ") || !strings.Contains(got, wantMessage) {
		t.Errorf("%s: %s, want an error with %q", client, got, wantMessage)
		return
	}
	if code := strings.Fields(got)[1]; code != "-----" && code != wantCode {
		t.Errorf("%s: SQLSTATE %s, want %s (%s)", client, code, wantCode, got)
	}
}

// testVerifier is the SCRAM verifier of "alice-pw", made by lakegate
// passwd; testMD5 is md5("bob-pw" || "bob").
const (
	testVerifier = "SCRAM-SHA-256$4096:r+WL5WotuBIBIC3Y0K72WQ==$Of7rQ7mtH0tyGOkRdNXklVVfPSTgsEIPbSJIDwdaMTo=:DHQczWZOlCml4oxe0Id+HgyceX3jjGt/qlDT6khihg8="
)

const authConfig = `
users:
  alice:
    password: "` + testVerifier + `"
  bob:
    password: ${LAKEGATE_TEST_BOB_PASSWORD}
    method: md5
  dave:
    password: ${LAKEGATE_TEST_BOB_PASSWORD}
    method: password
`

func TestSCRAMLogin(t *testing.T) {
	t.Setenv("LAKEGATE_TEST_BOB_PASSWORD", "bob-pw")
	lg := startSecureLakegate(t, authConfig, nil)
	for _, client := range connectClients {
		t.Run(client, func(t *testing.T) {
			expectLogin(t, client, lg.connectAs(t, client, login{user: "alice", password: "alice-pw"}), "alice", "", "")
			got := lg.connectAs(t, client, login{user: "alice", password: "wrong"})
			expectLogin(t, client, got, "", "28P01", `password authentication failed for user "alice"`)
			if strings.Contains(got, "wrong") {
				t.Errorf("the error repeats the password: %s", got)
			}
		})
	}
}

func TestMD5Login(t *testing.T) {
	t.Setenv("LAKEGATE_TEST_BOB_PASSWORD", "bob-pw")
	lg := startSecureLakegate(t, authConfig, nil)
	for _, client := range []string{"pgx", "psql", "pgjdbc"} {
		t.Run(client, func(t *testing.T) {
			expectLogin(t, client, lg.connectAs(t, client, login{user: "bob", password: "bob-pw"}), "bob", "", "")
			expectLogin(t, client, lg.connectAs(t, client, login{user: "bob", password: "bob-pw2"}), "", "28P01", `password authentication failed for user "bob"`)
		})
	}
}

func TestWrongPasswordAndUnknownUserGetTheSameError(t *testing.T) {
	t.Setenv("LAKEGATE_TEST_BOB_PASSWORD", "bob-pw")
	lg := startSecureLakegate(t, authConfig, nil)
	wrong := lg.connectAs(t, "pgx", login{user: "alice", password: "nope"})
	unknown := lg.connectAs(t, "pgx", login{user: "alicf", password: "nope"})
	if !strings.HasPrefix(wrong, "ERR 28P01 ") || strings.ReplaceAll(unknown, "alicf", "alice") != wrong {
		t.Errorf("wrong password: %s\nunknown user:   %s", wrong, unknown)
	}
	// Both ran a SCRAM exchange: libpq asks for a password in both cases.
	psqlWrong := lg.connectAs(t, "psql", login{user: "alice"})
	psqlUnknown := lg.connectAs(t, "psql", login{user: "alicf"})
	if !strings.Contains(psqlWrong, "no password supplied") || strings.ReplaceAll(psqlUnknown, "alicf", "alice") != psqlWrong {
		t.Errorf("without a password: %s\nunknown user: %s", psqlWrong, psqlUnknown)
	}
}

func TestFailedLoginsAreThrottled(t *testing.T) {
	t.Setenv("LAKEGATE_TEST_BOB_PASSWORD", "bob-pw")
	lg := startSecureLakegate(t, authConfig, nil) // backoff 20ms doubling to 400ms
	var took []time.Duration
	for range 6 {
		start := time.Now()
		if got := lg.connectAs(t, "pgx", login{user: "alice", password: "nope"}); !strings.HasPrefix(got, "ERR 28P01") {
			t.Fatal(got)
		}
		took = append(took, time.Since(start))
	}
	// The 6th failure in a row waits 20ms·2^5, capped at 400ms.
	if took[5] < 400*time.Millisecond {
		t.Errorf("failed logins took %v: the 6th should wait at least 400ms", took)
	}
	// A success clears the address's record.
	expectLogin(t, "pgx", lg.connectAs(t, "pgx", login{user: "alice", password: "alice-pw"}), "alice", "", "")
	start := time.Now()
	lg.connectAs(t, "pgx", login{user: "alice", password: "nope"})
	if d := time.Since(start); d >= 400*time.Millisecond && took[0] < 100*time.Millisecond {
		t.Errorf("after a successful login a failure still waits %v", d)
	}
}

func TestPasswordMethodOnlyOverTLS(t *testing.T) {
	t.Setenv("LAKEGATE_TEST_BOB_PASSWORD", "bob-pw")
	lg := startSecureLakegate(t, authConfig+testTLSConfig("prefer", false), nil)
	for _, client := range []string{"pgx", "psql", "pgjdbc"} {
		t.Run(client, func(t *testing.T) {
			expectLogin(t, client, lg.connectAs(t, client, login{user: "dave", password: "bob-pw", sslmode: "require"}), "dave", "", "")
			expectLogin(t, client, lg.connectAs(t, client, login{user: "dave", password: "bob-pw2", sslmode: "require"}), "", "28P01", "password authentication failed")
			expectLogin(t, client, lg.connectAs(t, client, login{user: "dave", password: "bob-pw", sslmode: "disable"}), "", "28000", "password authentication requires an encrypted connection")
		})
	}
}

func TestHBARules(t *testing.T) {
	t.Setenv("LAKEGATE_TEST_BOB_PASSWORD", "bob-pw")
	lg := startSecureLakegate(t, authConfig+`  lakegate:
    method: trust
hba:
  - {user: lakegate, address: 127.0.0.1/32, method: trust}
  - {user: bob, method: reject}
  - {user: "*", address: 127.0.0.0/8, method: scram-sha-256}
`, nil)
	expectLogin(t, "pgx", lg.connectAs(t, "pgx", login{user: "lakegate"}), "lakegate", "", "")
	expectLogin(t, "pgx", lg.connectAs(t, "pgx", login{user: "alice", password: "alice-pw"}), "alice", "", "")
	expectLogin(t, "pgx", lg.connectAs(t, "pgx", login{user: "bob", password: "bob-pw"}), "", "28000", `no lakegate login for user "bob"`)
}

// Secrets are interchangeable with PostgreSQL's pg_authid.rolpassword: a
// verifier and an md5 hash PostgreSQL made log in to lakegate, and
// PostgreSQL stores lakegate's verifier as it is (it re-hashes anything it
// does not parse as a SCRAM secret).
func TestSecretsInterchangeWithPostgreSQL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL")
	}
	pg := startPostgres(t)
	conn := pg.connect(t)
	ctx := context.Background()
	rolpassword := func(role string) string {
		var s string
		if err := conn.QueryRow(ctx, "select rolpassword from pg_authid where rolname = $1", role).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	for _, sql := range []string{
		"set password_encryption = 'scram-sha-256'",
		"create role pgscram login password 'pg-scram-pw'",
		"set password_encryption = 'md5'",
		"create role pgmd5 login password 'pg-md5-pw'",
		"create role fromlakegate login password '" + testVerifier + "'",
	} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	if got := rolpassword("fromlakegate"); got != testVerifier {
		t.Errorf("PostgreSQL did not take lakegate's verifier as a SCRAM secret: stored %s", got)
	}
	scramSecret, md5Secret := rolpassword("pgscram"), rolpassword("pgmd5")
	if !strings.HasPrefix(scramSecret, "SCRAM-SHA-256$4096:") || !strings.HasPrefix(md5Secret, "md5") {
		t.Fatalf("PostgreSQL stored %s and %s", scramSecret, md5Secret)
	}
	lg := startSecureLakegate(t, fmt.Sprintf("users:\n  pgscram:\n    password: %q\n  pgmd5:\n    password: %q\n    method: md5\n", scramSecret, md5Secret), nil)
	expectLogin(t, "pgx", lg.connectAs(t, "pgx", login{user: "pgscram", password: "pg-scram-pw"}), "pgscram", "", "")
	expectLogin(t, "pgx", lg.connectAs(t, "pgx", login{user: "pgmd5", password: "pg-md5-pw"}), "pgmd5", "", "")
	expectLogin(t, "psql", lg.connectAs(t, "psql", login{user: "pgmd5", password: "pg-md5-pw"}), "pgmd5", "", "")
}
