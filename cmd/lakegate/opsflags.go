package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// opsOptions are the operational flags: the admin listener, the query
// log and history, admins, and shutdown.
type opsOptions struct {
	adminListen   string
	admins        []string
	shutdownGrace time.Duration
	queryHistory  int
	logQueries    bool
	redactQueries bool
	// lakeRoots are directories DuckDB may read besides the catalog's
	// tables, for tables a reload adds (the sandbox is fixed at start).
	lakeRoots []string
}

// defaultAdminListen serves /metrics, /healthz and /readyz on loopback
// only: a container or pod sets LAKEGATE_ADMIN_LISTEN=0.0.0.0:9433 for
// its probes and scraper.
const defaultAdminListen = "127.0.0.1:9433"

func (o *opsOptions) register(fs *flag.FlagSet) error {
	fs.StringVar(&o.adminListen, "admin-listen", env("LAKEGATE_ADMIN_LISTEN", defaultAdminListen),
		"`address` of the HTTP admin listener serving /metrics, /healthz and /readyz; empty turns it off (LAKEGATE_ADMIN_LISTEN)")
	o.admins = splitList(env("LAKEGATE_ADMINS", "lakegate"))
	fs.Func("admins", "comma-separated `users` who may cancel and terminate any session with pg_cancel_backend/pg_terminate_backend (LAKEGATE_ADMINS; default lakegate)", func(v string) error {
		o.admins = splitList(v)
		return nil
	})
	grace, err := time.ParseDuration(env("LAKEGATE_SHUTDOWN_GRACE", "30s"))
	if err != nil {
		return fmt.Errorf("LAKEGATE_SHUTDOWN_GRACE: %w", err)
	}
	fs.DurationVar(&o.shutdownGrace, "shutdown-grace", grace,
		"on SIGTERM/SIGINT, how long running statements may take to finish before they are canceled (LAKEGATE_SHUTDOWN_GRACE)")
	history, err := strconv.Atoi(env("LAKEGATE_QUERY_HISTORY", "1000"))
	if err != nil {
		return fmt.Errorf("LAKEGATE_QUERY_HISTORY: %w", err)
	}
	fs.IntVar(&o.queryHistory, "query-history", history, "how many statements lakegate.query_history keeps (LAKEGATE_QUERY_HISTORY)")
	logQueries, err := strconv.ParseBool(env("LAKEGATE_LOG_QUERIES", "true"))
	if err != nil {
		return fmt.Errorf("LAKEGATE_LOG_QUERIES: %w", err)
	}
	fs.BoolVar(&o.logQueries, "log-queries", logQueries, "log one record per statement (LAKEGATE_LOG_QUERIES)")
	o.lakeRoots = splitList(env("LAKEGATE_LAKE_ROOTS", ""))
	fs.Func("lake-roots", "comma-separated local `directories` DuckDB may read besides the catalog's tables, so that a reload (SIGHUP) can add tables under them (LAKEGATE_LAKE_ROOTS)", func(v string) error {
		o.lakeRoots = splitList(v)
		return nil
	})
	redact, err := strconv.ParseBool(env("LAKEGATE_LOG_REDACT", "false"))
	if err != nil {
		return fmt.Errorf("LAKEGATE_LOG_REDACT: %w", err)
	}
	fs.BoolVar(&o.redactQueries, "log-redact", redact, "replace the constants of logged and recorded statements by $n (LAKEGATE_LOG_REDACT)")
	return nil
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
