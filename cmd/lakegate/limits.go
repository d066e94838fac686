package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/lakegate/lakegate/auth"
)

// limitFlags are the config file's limits that flags and LAKEGATE_*
// variables may override (a flag wins over its variable, both over the
// file).
type limitFlags struct {
	maxConnections        *int
	statementTimeout      *time.Duration
	authenticationTimeout *time.Duration
}

func (l *limitFlags) register(fs *flag.FlagSet) error {
	if v, ok := os.LookupEnv("LAKEGATE_MAX_CONNECTIONS"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return fmt.Errorf("LAKEGATE_MAX_CONNECTIONS: expected a positive number, not %q", v)
		}
		l.maxConnections = &n
	}
	for name, dst := range map[string]**time.Duration{"LAKEGATE_STATEMENT_TIMEOUT": &l.statementTimeout, "LAKEGATE_AUTHENTICATION_TIMEOUT": &l.authenticationTimeout} {
		if v, ok := os.LookupEnv(name); ok {
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				return fmt.Errorf("%s: expected a duration such as 30s, not %q", name, v)
			}
			*dst = &d
		}
	}
	fs.Func("max-connections", "maximum concurrent sessions (LAKEGATE_MAX_CONNECTIONS; default: the config's limits, 100)", func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return fmt.Errorf("expected a positive number")
		}
		l.maxConnections = &n
		return nil
	})
	durationFlag := func(name, env, usage string, dst **time.Duration) {
		fs.Func(name, usage+" ("+env+")", func(v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				return fmt.Errorf("expected a duration such as 30s")
			}
			*dst = &d
			return nil
		})
	}
	durationFlag("statement-timeout", "LAKEGATE_STATEMENT_TIMEOUT", "default statement_timeout of every session, e.g. 5m; 0 for none (default: the config's limits)", &l.statementTimeout)
	durationFlag("authentication-timeout", "LAKEGATE_AUTHENTICATION_TIMEOUT", "time a client has to log in (default: the config's limits, 60s)", &l.authenticationTimeout)
	return nil
}

func (l *limitFlags) apply(limits *auth.Limits) error {
	if l.maxConnections != nil {
		limits.MaxConnections = *l.maxConnections
	}
	if l.statementTimeout != nil {
		limits.StatementTimeout = *l.statementTimeout
	}
	if l.authenticationTimeout != nil {
		if *l.authenticationTimeout <= 0 {
			return fmt.Errorf("the authentication timeout must be positive")
		}
		limits.AuthenticationTimeout = *l.authenticationTimeout
	}
	return nil
}
