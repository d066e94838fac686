package auth

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

func loadYAML(t testing.TB, text string) (*Config, error) {
	t.Helper()
	var sections map[string]yaml.Node
	if err := yaml.Unmarshal([]byte(text), &sections); err != nil {
		t.Fatal(err)
	}
	return LoadConfig("/etc/lakegate/lake.yaml", sections)
}

const verifier = "SCRAM-SHA-256$4096:c2FsdHNhbHRzYWx0c2FsdA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

func TestConfig(t *testing.T) {
	t.Setenv("LAKEGATE_TEST_PASSWORD", "from-the-environment")
	cfg, err := loadYAML(t, `
users:
  alice:
    password: "`+verifier+`"
    connection_limit: 5
    statement_timeout: 30s
  bob:
    password: ${LAKEGATE_TEST_PASSWORD}
    method: md5
  carol:
    password: ${LAKEGATE_TEST_PASSWORD}
  lakegate:
    method: trust
hba:
  - {user: lakegate, address: 127.0.0.1, method: trust}
  - {user: [alice, bob], address: 10.0.0.0/8, method: scram-sha-256}
  - {user: "*", method: reject}
limits:
  max_connections: 7
  idle_session_timeout: 5m
  max_message_size: 1MB
  max_query_length: 64kB
`)
	if err != nil {
		t.Fatal(err)
	}
	alice := cfg.Users["alice"]
	if alice.Secret.String() != verifier || alice.Method != ScramSHA256 || alice.ConnectionLimit != 5 || *alice.StatementTimeout != 30*time.Second {
		t.Errorf("alice %+v", alice)
	}
	if !VerifyPassword(cfg.Users["bob"].Secret, "bob", "from-the-environment") {
		t.Error("bob's password from the environment")
	}
	if _, ok := cfg.Users["carol"].Secret.(*ScramSecret); !ok || !VerifyPassword(cfg.Users["carol"].Secret, "carol", "from-the-environment") {
		t.Error("carol's password from the environment is not a SCRAM verifier")
	}
	if len(cfg.HBA) != 3 || cfg.HBA[0].Address.String() != "127.0.0.1/32" || len(cfg.HBA[1].Users) != 2 || cfg.HBA[2].Method != Reject {
		t.Errorf("hba %+v", cfg.HBA)
	}
	l := cfg.Limits
	if l.MaxConnections != 7 || l.IdleSessionTimeout != 5*time.Minute || l.MaxMessageSize != 1<<20 || l.MaxQueryLength != 64<<10 || l.AuthenticationTimeout != time.Minute {
		t.Errorf("limits %+v", l)
	}
	p := cfg.Policy(nil)
	if p.Throttle == nil || p.Users["alice"] != alice {
		t.Errorf("policy %+v", p)
	}
}

func TestConfigDefaults(t *testing.T) {
	cfg, err := loadYAML(t, "schemas: {}\n")
	if err != nil {
		t.Fatal(err)
	}
	p := cfg.Policy(nil)
	if cfg.TLS != nil || p.Users[DemoUser] == nil || p.Users[DemoUser].Method != Trust || cfg.Limits != DefaultLimits() {
		t.Errorf("defaults: %+v %+v", cfg, p.Users)
	}
}

func TestConfigErrors(t *testing.T) {
	cases := []struct{ yaml, want string }{
		{"users:\n  alice:\n    pasword: x\n", "lake.yaml:3: users.alice.pasword: unknown field"},
		{"users:\n  alice:\n    method: md5\n", "lake.yaml:3: users.alice: method md5 needs a password"},
		{"users:\n  alice:\n    password: hunter2\n", "lake.yaml:3: users.alice.password: not a SCRAM-SHA-256$... verifier or md5 hash; a plain password may only come from the environment"},
		{"users:\n  alice:\n    password: ${LAKEGATE_SURELY_UNSET_VARIABLE}\n", "lake.yaml:3: users.alice.password: environment variable LAKEGATE_SURELY_UNSET_VARIABLE is not set"},
		{"users:\n  alice:\n    password: md5dcaf2c9fc1a1ecab2c9fe81e9b1ea1be\n", "lake.yaml:3: users.alice.password: an md5 hash cannot serve scram-sha-256"},
		{"users:\n  alice:\n    method: kerberos\n", `lake.yaml:3: users.alice.method: unknown method "kerberos"`},
		{"users:\n  alice:\n    method: trust\n    connection_limit: many\n", "lake.yaml:4: users.alice.connection_limit: expected a number"},
		{"users:\n  alice:\n    method: trust\n    statement_timeout: soon\n", "lake.yaml:4: users.alice.statement_timeout: expected a duration"},
		{"users: [alice]\n", "lake.yaml:1: users: expected a mapping"},
		{"users: {}\nhba:\n  - {user: '*', address: 0.0.0.0/0, method: trust}\n", "lake.yaml:3: hba[0].method: trust is only allowed from loopback"},
		{"users: {}\nhba:\n  - {user: '*', address: 10.0.0.300/8, method: md5}\n", "lake.yaml:3: hba[0].address: expected a CIDR"},
		{"users: {}\nhba:\n  - {user: '*'}\n", "lake.yaml:3: hba[0]: a rule needs a method"},
		{"users: {}\nhba:\n  - {user: '*', method: md5, ssl: on}\n", "lake.yaml:3: hba[0].ssl: unknown field"},
		{"hba:\n  - {user: '*', method: md5}\n", "lake.yaml:2: hba: an hba section needs a users section"},
		{"tls:\n  cert: server.crt\n", "lake.yaml:2: tls: cert and key are both required"},
		{"tls:\n  cert: nothere.crt\n  key: nothere.key\n", "lake.yaml:2: tls.cert: open /etc/lakegate/nothere.crt"},
		{"limits:\n  max_connections: 0\n", "lake.yaml:2: limits.max_connections: expected a positive number"},
		{"limits:\n  max_message_size: 1TB\n", "lake.yaml:2: limits.max_message_size: expected a size"},
		{"limits:\n  max_message_size: 2GB\n", "lake.yaml:2: limits.max_message_size: must be between 8kB and 1GB"},
		{"limits:\n  authentication_timeout: 0s\n", "lake.yaml:2: limits.authentication_timeout: must be positive"},
		{"limits:\n  idle_timeout: 1s\n", "lake.yaml:2: limits.idle_timeout: unknown field"},
	}
	for _, tc := range cases {
		_, err := loadYAML(t, tc.yaml)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q:\n got  %v\n want %s", tc.yaml, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error repeats a password: %v", err)
		}
	}
}

func TestConfigTLS(t *testing.T) {
	dir := t.TempDir()
	writeTestCertificate(t, dir)
	var sections map[string]yaml.Node
	yaml.Unmarshal([]byte("tls:\n  cert: server.crt\n  key: server.key\n  client_ca: server.crt\n  mode: require\n"), &sections)
	cfg, err := LoadConfig(filepath.Join(dir, "lake.yaml"), sections)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.TLS.Mode != TLSRequire || !cfg.TLS.ClientCA || cfg.TLS.Config.MinVersion < 0x0303 || !cfg.Policy(nil).RequireClientCertificate {
		t.Errorf("tls %+v", cfg.TLS)
	}
}

func FuzzLoadConfig(f *testing.F) {
	for _, seed := range []string{
		"users:\n  alice:\n    password: \"" + verifier + "\"\n    connection_limit: 5\n",
		"users: {}\nhba:\n  - {user: [a, b], address: 127.0.0.1/32, method: trust}\n",
		"limits:\n  max_connections: 3\n  max_message_size: 64MB\n  statement_timeout: 1s\n",
		"tls: {cert: a, key: b}\n",
		"users:\n  x: [1]\nhba: 3\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		var sections map[string]yaml.Node
		if yaml.Unmarshal([]byte(text), &sections) != nil {
			return
		}
		cfg, err := LoadConfig("/nonexistent/lake.yaml", sections)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "/nonexistent/lake.yaml") {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		cfg.Policy(nil)
	})
}
