package auth

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is what the config file's users, hba, tls and limits sections
// say.
type Config struct {
	// Users by name; nil when the file has no users section (the demo
	// default: trust from loopback for user lakegate).
	Users map[string]*User
	// HBA is the host-based rule list, nil without an hba section.
	HBA []HBARule
	// TLS is nil when no certificate is configured.
	TLS    *TLSSettings
	Limits Limits
}

// TLSMode says whether clients must use TLS.
type TLSMode string

// TLS modes.
const (
	TLSPrefer  TLSMode = "prefer"  // TLS offered, plain connections allowed
	TLSRequire TLSMode = "require" // plain connections refused with 28000
)

// TLSSettings are the server's TLS certificate and policy.
type TLSSettings struct {
	// Config has the certificate, TLS 1.2 as the minimum, and, with a
	// client CA, required and verified client certificates.
	Config *tls.Config
	Mode   TLSMode
	// ClientCA is set when client certificates are required.
	ClientCA bool
}

// DemoUser is the user the demo admits without a password from loopback
// when the config file has no users section.
const DemoUser = "lakegate"

// Policy is the login policy the config describes: its users and rules,
// or, without a users section, the demo's trust from loopback for
// DemoUser. trusted are the networks besides loopback from which trust
// logins are admitted (--trust-network).
func (c *Config) Policy(trusted []netip.Prefix) *Policy {
	var p *Policy
	if c.Users == nil {
		p = TrustLoopback(DemoUser)
	} else {
		p = &Policy{Users: c.Users, HBA: c.HBA, Throttle: NewThrottle()}
	}
	p.TrustedNetworks = trusted
	p.RequireClientCertificate = c.TLS != nil && c.TLS.ClientCA
	return p
}

// LoadConfig decodes the users, hba, tls and limits sections of the config
// file (sections as catalog.Config keeps them undecoded). file names the
// file in errors and anchors relative certificate paths.
func LoadConfig(file string, sections map[string]yaml.Node) (*Config, error) {
	d := &decoder{file: file}
	cfg := &Config{Limits: DefaultLimits()}
	if n, ok := sections["users"]; ok {
		cfg.Users = map[string]*User{}
		if err := d.users(&n, cfg.Users); err != nil {
			return nil, err
		}
	}
	if n, ok := sections["hba"]; ok {
		rules, err := d.hba(&n)
		if err != nil {
			return nil, err
		}
		cfg.HBA = rules
	}
	if n, ok := sections["tls"]; ok {
		settings, err := d.tls(&n)
		if err != nil {
			return nil, err
		}
		cfg.TLS = settings
	}
	if n, ok := sections["limits"]; ok {
		if err := d.limits(&n, &cfg.Limits); err != nil {
			return nil, err
		}
	}
	if cfg.HBA != nil && cfg.Users == nil {
		n := sections["hba"]
		return nil, d.fail(&n, "hba", "an hba section needs a users section (with no users, the demo user is trusted from loopback)")
	}
	return cfg, nil
}

type decoder struct{ file string }

func (d *decoder) fail(n *yaml.Node, field, format string, args ...any) error {
	return &ConfigError{File: d.file, Line: n.Line, Field: field, Err: fmt.Errorf(format, args...)}
}

// fields returns a mapping's values by key, refusing keys not in allowed.
func (d *decoder) fields(n *yaml.Node, path string, allowed ...string) (map[string]*yaml.Node, error) {
	if n.Kind != yaml.MappingNode {
		return nil, d.fail(n, path, "expected a mapping")
	}
	out := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key := n.Content[i]
		if !slices.Contains(allowed, key.Value) {
			return nil, d.fail(key, join(path, key.Value), "unknown field (known: %s)", strings.Join(allowed, ", "))
		}
		if _, dup := out[key.Value]; dup {
			return nil, d.fail(key, join(path, key.Value), "given twice")
		}
		out[key.Value] = n.Content[i+1]
	}
	return out, nil
}

func join(path, field string) string {
	if path == "" {
		return field
	}
	return path + "." + field
}

func (d *decoder) scalar(n *yaml.Node, path string) (string, error) {
	if n.Kind != yaml.ScalarNode {
		return "", d.fail(n, path, "expected a single value")
	}
	return n.Value, nil
}

var userMethods = []Method{ScramSHA256, MD5, Password, Trust}

func (d *decoder) users(n *yaml.Node, users map[string]*User) error {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return d.fail(n, "users", "expected a mapping of user names to their settings")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		name, body := n.Content[i].Value, n.Content[i+1]
		path := "users." + name
		if name == "" {
			return d.fail(n.Content[i], "users", "a user needs a name")
		}
		if _, dup := users[name]; dup {
			return d.fail(n.Content[i], path, "given twice")
		}
		u, err := d.user(name, body, path)
		if err != nil {
			return err
		}
		users[name] = u
	}
	return nil
}

func (d *decoder) user(name string, n *yaml.Node, path string) (*User, error) {
	f, err := d.fields(n, path, "password", "method", "connection_limit", "statement_timeout")
	if err != nil {
		return nil, err
	}
	u := &User{Name: name, Method: ScramSHA256}
	if m, ok := f["method"]; ok {
		if u.Method, err = d.method(m, join(path, "method"), userMethods); err != nil {
			return nil, err
		}
	}
	if p, ok := f["password"]; ok {
		if u.Secret, err = d.password(p, join(path, "password"), name, u.Method); err != nil {
			return nil, err
		}
	} else if u.Method != Trust {
		return nil, d.fail(n, path, "method %s needs a password (a verifier from lakegate passwd)", u.Method)
	}
	if _, isMD5 := u.Secret.(*MD5Secret); isMD5 && u.Method == ScramSHA256 {
		return nil, d.fail(f["password"], join(path, "password"),
			"an md5 hash cannot serve scram-sha-256: store a SCRAM verifier (lakegate passwd) or set method: md5")
	}
	if l, ok := f["connection_limit"]; ok {
		v, err := strconv.Atoi(l.Value)
		if err != nil || v < 0 || l.Kind != yaml.ScalarNode {
			return nil, d.fail(l, join(path, "connection_limit"), "expected a number of connections (0: no limit of the user's own)")
		}
		u.ConnectionLimit = v
	}
	if t, ok := f["statement_timeout"]; ok {
		v, err := d.duration(t, join(path, "statement_timeout"))
		if err != nil {
			return nil, err
		}
		u.StatementTimeout = &v
	}
	return u, nil
}

func (d *decoder) method(n *yaml.Node, path string, allowed []Method) (Method, error) {
	v, err := d.scalar(n, path)
	if err != nil {
		return "", err
	}
	m := Method(strings.ToLower(v))
	if !slices.Contains(allowed, m) {
		names := make([]string, len(allowed))
		for i, a := range allowed {
			names[i] = string(a)
		}
		return "", d.fail(n, path, "unknown method %q (known: %s)", v, strings.Join(names, ", "))
	}
	return m, nil
}

var envReference = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// password reads a password field: a stored secret, or ${NAME} naming an
// environment variable that holds a secret or a plain password (hashed
// here for the user's method). A plain password written into the file is
// refused. No error repeats the value.
func (d *decoder) password(n *yaml.Node, path, user string, method Method) (Secret, error) {
	raw, err := d.scalar(n, path)
	if err != nil {
		return nil, err
	}
	fromEnv := false
	var missing string
	value := envReference.ReplaceAllStringFunc(raw, func(ref string) string {
		fromEnv = true
		name := envReference.FindStringSubmatch(ref)[1]
		v, ok := os.LookupEnv(name)
		if !ok && missing == "" {
			missing = name
		}
		return v
	})
	if missing != "" {
		return nil, d.fail(n, path, "environment variable %s is not set", missing)
	}
	secret, err := ParseSecret(value)
	if err == nil {
		return secret, nil
	}
	if !fromEnv {
		return nil, d.fail(n, path, "%v; a plain password may only come from the environment, as ${NAME}", err)
	}
	if value == "" {
		return nil, d.fail(n, path, "the password from the environment is empty")
	}
	if method == MD5 {
		return NewMD5Secret(user, value), nil
	}
	s, err := NewScramSecret(value, ScramIterations)
	if err != nil {
		return nil, d.fail(n, path, "%v", err)
	}
	return s, nil
}

var hbaMethods = []Method{ScramSHA256, MD5, Password, Trust, Reject}

func (d *decoder) hba(n *yaml.Node) ([]HBARule, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, d.fail(n, "hba", "expected a list of rules ({user, address, method})")
	}
	rules := []HBARule{}
	for i, item := range n.Content {
		path := fmt.Sprintf("hba[%d]", i)
		f, err := d.fields(item, path, "user", "address", "method")
		if err != nil {
			return nil, err
		}
		rule := HBARule{Line: item.Line}
		if u, ok := f["user"]; ok {
			switch u.Kind {
			case yaml.ScalarNode:
				rule.Users = []string{u.Value}
			case yaml.SequenceNode:
				for _, e := range u.Content {
					if e.Kind != yaml.ScalarNode {
						return nil, d.fail(e, join(path, "user"), "expected a user name")
					}
					rule.Users = append(rule.Users, e.Value)
				}
			default:
				return nil, d.fail(u, join(path, "user"), `expected a user name, a list of them, or "*"`)
			}
		}
		if a, ok := f["address"]; ok {
			if rule.Address, err = d.address(a, join(path, "address")); err != nil {
				return nil, err
			}
		}
		m, ok := f["method"]
		if !ok {
			return nil, d.fail(item, path, "a rule needs a method")
		}
		if rule.Method, err = d.method(m, join(path, "method"), hbaMethods); err != nil {
			return nil, err
		}
		if rule.Method == Trust && (!rule.Address.IsValid() || !isLoopbackOnly(rule.Address)) {
			return nil, d.fail(m, join(path, "method"),
				"trust is only allowed from loopback addresses (address: 127.0.0.1/32 or ::1/128)")
		}
		rules = append(rules, rule)
	}
	return rules, nil
}

func (d *decoder) address(n *yaml.Node, path string) (netip.Prefix, error) {
	v, err := d.scalar(n, path)
	if err != nil {
		return netip.Prefix{}, err
	}
	switch v {
	case "all", "*", "":
		return netip.Prefix{}, nil
	}
	if p, err := netip.ParsePrefix(v); err == nil {
		return p.Masked(), nil
	}
	if a, err := netip.ParseAddr(v); err == nil {
		return netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), nil
	}
	return netip.Prefix{}, d.fail(n, path, "expected a CIDR (10.0.0.0/8), an address, or all")
}

func (d *decoder) tls(n *yaml.Node) (*TLSSettings, error) {
	f, err := d.fields(n, "tls", "cert", "key", "client_ca", "mode")
	if err != nil {
		return nil, err
	}
	certNode, key := f["cert"], f["key"]
	if certNode == nil || key == nil {
		return nil, d.fail(n, "tls", "cert and key are both required")
	}
	certFile, keyFile := d.path(certNode.Value), d.path(key.Value)
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, d.fail(certNode, "tls.cert", "%v", err)
	}
	s := &TLSSettings{Mode: TLSPrefer, Config: &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{cert},
		// Direct TLS connections (PostgreSQL 17's sslnegotiation=direct)
		// must negotiate this protocol.
		NextProtos: []string{"postgresql"},
	}}
	if m, ok := f["mode"]; ok {
		switch TLSMode(m.Value) {
		case TLSPrefer, TLSRequire:
			s.Mode = TLSMode(m.Value)
		default:
			return nil, d.fail(m, "tls.mode", "expected require or prefer")
		}
	}
	if ca, ok := f["client_ca"]; ok {
		pem, err := os.ReadFile(d.path(ca.Value))
		if err != nil {
			return nil, d.fail(ca, "tls.client_ca", "%v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, d.fail(ca, "tls.client_ca", "no PEM certificate in %s", ca.Value)
		}
		s.Config.ClientCAs = pool
		s.Config.ClientAuth = tls.RequireAndVerifyClientCert
		s.ClientCA = true
	}
	return s, nil
}

func (d *decoder) path(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(filepath.Dir(d.file), p)
}

func (d *decoder) limits(n *yaml.Node, l *Limits) error {
	f, err := d.fields(n, "limits", "max_connections", "statement_timeout", "idle_session_timeout",
		"idle_in_transaction_session_timeout", "authentication_timeout", "max_message_size", "max_query_length")
	if err != nil {
		return err
	}
	if v, ok := f["max_connections"]; ok {
		c, err := strconv.Atoi(v.Value)
		if err != nil || c < 1 || v.Kind != yaml.ScalarNode {
			return d.fail(v, "limits.max_connections", "expected a positive number of connections")
		}
		l.MaxConnections = c
	}
	durations := []struct {
		name string
		dst  *time.Duration
	}{
		{"statement_timeout", &l.StatementTimeout},
		{"idle_session_timeout", &l.IdleSessionTimeout},
		{"idle_in_transaction_session_timeout", &l.IdleInTransactionSessionTimeout},
		{"authentication_timeout", &l.AuthenticationTimeout},
	}
	for _, dur := range durations {
		if v, ok := f[dur.name]; ok {
			if *dur.dst, err = d.duration(v, "limits."+dur.name); err != nil {
				return err
			}
		}
	}
	if l.AuthenticationTimeout <= 0 {
		return d.fail(f["authentication_timeout"], "limits.authentication_timeout", "must be positive (a client that never sends anything is dropped after it)")
	}
	if v, ok := f["max_message_size"]; ok {
		if l.MaxMessageSize, err = d.size(v, "limits.max_message_size"); err != nil {
			return err
		}
		if l.MaxMessageSize < 8<<10 || l.MaxMessageSize > 1<<30 {
			return d.fail(v, "limits.max_message_size", "must be between 8kB and 1GB")
		}
	}
	if v, ok := f["max_query_length"]; ok {
		if l.MaxQueryLength, err = d.size(v, "limits.max_query_length"); err != nil {
			return err
		}
	}
	return nil
}

// duration reads a Go duration ("30s", "1m30s", "500ms") or 0.
func (d *decoder) duration(n *yaml.Node, path string) (time.Duration, error) {
	v, err := d.scalar(n, path)
	if err != nil {
		return 0, err
	}
	if v == "0" {
		return 0, nil
	}
	t, err := time.ParseDuration(v)
	if err != nil || t < 0 {
		return 0, d.fail(n, path, "expected a duration such as 30s, 5m or 0 (none)")
	}
	return t, nil
}

// size reads a byte count with an optional unit: B, kB, MB, GB (powers of
// 1024, as PostgreSQL's memory settings).
func (d *decoder) size(n *yaml.Node, path string) (int64, error) {
	v, err := d.scalar(n, path)
	if err != nil {
		return 0, err
	}
	b, err := parseSize(v)
	if err != nil {
		return 0, d.fail(n, path, "%v", err)
	}
	return b, nil
}

func parseSize(v string) (int64, error) {
	s := strings.TrimSpace(v)
	i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	num, unit := s, ""
	if i >= 0 {
		num, unit = s[:i], strings.TrimSpace(s[i:])
	}
	n, err := strconv.ParseInt(num, 10, 64)
	bad := errors.New("expected a size such as 64MB, 512kB or 1GB")
	if err != nil || n < 0 {
		return 0, bad
	}
	mult := map[string]int64{"": 1, "B": 1, "kB": 1 << 10, "KB": 1 << 10, "KiB": 1 << 10,
		"MB": 1 << 20, "MiB": 1 << 20, "GB": 1 << 30, "GiB": 1 << 30}[unit]
	if mult == 0 || n > (1<<62)/mult {
		return 0, bad
	}
	return n * mult, nil
}
