// Command lakegate serves a data lake to PostgreSQL clients.
//
//	lakegate [flags]     serve (with no flags: the demo lake on 127.0.0.1:5433)
//	lakegate version     print the lakegate and DuckDB versions
//	lakegate passwd      print a password verifier for the config's users
//	lakegate healthcheck exit 0 if the admin listener's /healthz answers (for
//	                     container HEALTHCHECKs)
//	lakegate install-extensions NAME...
//	                     download DuckDB extensions (image build time)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/lakegate/lakegate/auth"
	"github.com/lakegate/lakegate/catalog"
	"github.com/lakegate/lakegate/demolake"
	"github.com/lakegate/lakegate/engine"
	"github.com/lakegate/lakegate/server"
)

type options struct {
	listen      string
	config      string
	dataDir     string
	memoryLimit string
	threads     int
	logLevel    string
	trusted     []netip.Prefix
	limits      limitFlags
	ops         opsOptions
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "version" {
		fmt.Printf("lakegate %s (PostgreSQL %s protocol), DuckDB %s\n", engine.Version, engine.PostgreSQLVersion, engine.DuckDBVersion())
		return
	}
	if len(os.Args) > 1 && os.Args[1] == "passwd" {
		if err := passwd(os.Args[2:], os.Stdin, os.Stdout, os.Stderr); err != nil {
			if !errors.Is(err, flag.ErrHelp) {
				fmt.Fprintln(os.Stderr, "lakegate passwd:", err)
			}
			os.Exit(2)
		}
		return
	}
	if len(os.Args) > 1 && os.Args[1] == "healthcheck" {
		os.Exit(healthcheck(os.Args[2:]))
	}
	if len(os.Args) > 1 && os.Args[1] == "install-extensions" {
		os.Exit(installExtensions(os.Args[2:]))
	}
	opts, err := parseFlags(os.Args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "lakegate:", err)
		os.Exit(2)
	}
	signals, stop := notifySignals()
	defer stop()
	if err := run(signals, opts); err != nil {
		fmt.Fprintln(os.Stderr, "lakegate:", err)
		os.Exit(1)
	}
}

// parseFlags reads flags, each defaulting to its LAKEGATE_* environment
// variable and then to the demo's defaults.
func parseFlags(args []string) (options, error) {
	fs := flag.NewFlagSet("lakegate", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: lakegate [flags]\n       lakegate version\n\nServes the lake to PostgreSQL clients. Every flag can also be set with the environment variable named after it.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	var o options
	fs.StringVar(&o.listen, "listen", env("LAKEGATE_LISTEN", "127.0.0.1:5433"), "`address` to accept PostgreSQL clients on (LAKEGATE_LISTEN)")
	fs.StringVar(&o.config, "config", env("LAKEGATE_CONFIG", ""), "catalog `file` (YAML) declaring the lake's tables (LAKEGATE_CONFIG; default: the built-in demo lake)")
	fs.StringVar(&o.dataDir, "data-dir", env("LAKEGATE_DATA_DIR", ""), "`directory` for the demo lake (generated on first start) and the S3 file cache (LAKEGATE_DATA_DIR; default <user cache dir>/lakegate/demo)")
	fs.StringVar(&o.memoryLimit, "memory-limit", env("LAKEGATE_MEMORY_LIMIT", ""), "DuckDB memory limit, e.g. 4GB (LAKEGATE_MEMORY_LIMIT; default 80% of RAM)")
	threads, err := strconv.Atoi(env("LAKEGATE_THREADS", "0"))
	if err != nil {
		return o, fmt.Errorf("LAKEGATE_THREADS: %w", err)
	}
	fs.IntVar(&o.threads, "threads", threads, "DuckDB worker threads (LAKEGATE_THREADS; default one per core)")
	fs.StringVar(&o.logLevel, "log-level", env("LAKEGATE_LOG_LEVEL", "info"), "log level: debug, info, warn or error (LAKEGATE_LOG_LEVEL)")
	if err := o.ops.register(fs); err != nil {
		return o, err
	}
	fs.Func("trust-network", "comma-separated `CIDRs` from which the demo user is admitted without a password, besides loopback (LAKEGATE_TRUST_NETWORK)", func(v string) error {
		return o.addTrusted(v)
	})
	if v := os.Getenv("LAKEGATE_TRUST_NETWORK"); v != "" {
		if err := o.addTrusted(v); err != nil {
			return o, fmt.Errorf("LAKEGATE_TRUST_NETWORK: %w", err)
		}
	}
	if err := o.limits.register(fs); err != nil {
		return o, err
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q (see lakegate -help)", fs.Arg(0))
	}
	return o, nil
}

func (o *options) addTrusted(list string) error {
	for _, cidr := range strings.Split(list, ",") {
		p, err := netip.ParsePrefix(strings.TrimSpace(cidr))
		if err != nil {
			return err
		}
		o.trusted = append(o.trusted, p)
	}
	return nil
}

func env(name, fallback string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return fallback
}

func newLogger(level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: %w", level, err)
	}
	opts := &slog.HandlerOptions{Level: l}
	if fi, err := os.Stderr.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
		return slog.New(slog.NewTextHandler(os.Stderr, opts)), nil
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, opts)), nil
}

func run(signals <-chan os.Signal, o options) error {
	logger, err := newLogger(o.logLevel)
	if err != nil {
		return err
	}
	slog.SetDefault(logger)
	// Signals that arrive while the catalog loads stop the start.
	ctx, cancelStart := context.WithCancel(context.Background())
	defer cancelStart()
	started := make(chan struct{})
	go func() {
		select {
		case sig := <-signals:
			logger.Info("stopping during start", "signal", sig.String())
			cancelStart()
		case <-started:
		}
	}()
	var admin *adminServer
	if o.ops.adminListen != "" {
		admin = newAdminServer()
		if err := admin.listen(o.ops.adminListen, logger); err != nil {
			return err
		}
		defer admin.close()
	}
	if o.dataDir == "" {
		if o.dataDir, err = demolake.DefaultDir(); err != nil {
			return err
		}
	}
	lakeName := "the demo lake"
	if o.config == "" {
		if o.config, err = demolake.Ensure(ctx, o.dataDir, logger); err != nil {
			return fmt.Errorf("preparing the demo lake in %s: %w", o.dataDir, err)
		}
	} else {
		lakeName = o.config
	}
	cfg, err := loadConfig(o.config)
	if err != nil {
		return err
	}
	security, err := serverSecurity(cfg, o, logger)
	if err != nil {
		return err
	}
	access, err := accessRules(cfg)
	if err != nil {
		return err
	}
	catalogOptions := catalog.Options{CacheDirectory: filepath.Join(o.dataDir, "cache"), Logger: logger}
	cat, err := catalog.Open(ctx, cfg, catalogOptions)
	if err != nil {
		return err
	}
	lake := &lakeHolder{cat: cat}
	defer lake.close()
	eng, err := engine.Open(ctx, engine.Config{
		MemoryLimit:        o.memoryLimit,
		Threads:            o.threads,
		AllowedDirectories: allowedDirectories(cat, catalogOptions, o.ops.lakeRoots),
		Lake:               cat,
		Access:             access,
		Logger:             logger,
	})
	if err != nil {
		return err
	}
	defer eng.Close()
	if err := ctx.Err(); err != nil {
		return err
	}
	eng.SetAdmins(o.ops.admins)
	eng.SetQueryHistorySize(o.ops.queryHistory)

	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return err
	}
	srv := &server.Server{Engine: eng, Logger: logger}
	srv.Reconfigure(security)
	srv.RedactQueryLog = o.ops.redactQueries
	if o.ops.logQueries {
		srv.QueryLog = logger
	}
	if admin != nil {
		srv.Metrics = server.NewMetrics(admin.registry)
		admin.registerGauges(srv, eng, lake)
	}
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	logger.Info("lakegate is ready", "listen", ln.Addr().String(), "duckdb", eng.DuckDBVersion(), "catalog", o.config, "tables", len(cat.Tables()))
	fmt.Printf("lakegate %s is serving %s. Connect with:\n\n    psql -h %s -p %s -U lakegate\n\n", engine.Version, lakeName, host, port)

	// From here on, signals are the serving loop's.
	close(started)
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	if admin != nil {
		admin.engine.Store(eng)
	}
	r := &reloader{path: o.config, options: catalogOptions, allowed: allowedDirectories(cat, catalogOptions, o.ops.lakeRoots), lake: lake, engine: eng, server: srv, flags: o, logger: logger}
	return serveUntilStopped(signals, serveErr, srv, r, admin, o.ops.shutdownGrace, logger)
}

// serverSecurity is the server's logins, TLS and limits: the config file's
// users, hba, tls and limits sections, with the limits the flags set.
func serverSecurity(cfg *catalog.Config, o options, logger *slog.Logger) (server.Security, error) {
	conf, err := auth.LoadConfig(cfg.File(), cfg.Sections)
	if err != nil {
		return server.Security{}, err
	}
	if err := o.limits.apply(&conf.Limits); err != nil {
		return server.Security{}, err
	}
	policy := conf.Policy(o.trusted)
	policy.Logger = logger
	if err := policy.Prepare(); err != nil {
		return server.Security{}, err
	}
	sec := server.Security{Auth: policy, Limits: conf.Limits}
	if conf.TLS != nil {
		sec.TLS, sec.RequireTLS = conf.TLS.Config, conf.TLS.Mode == auth.TLSRequire
	}
	return sec, nil
}

// accessRules are the config file's grants, row filters and masks (roles
// and access sections); nil when it has none: everyone reads everything.
func accessRules(cfg *catalog.Config) (engine.Access, error) {
	grants, err := auth.ParseGrants(cfg.File(), cfg.Sections)
	if err != nil || grants == nil {
		return nil, err
	}
	return grants, nil
}

// ownedSections are the config file's sections beyond the catalog's, all
// read by package auth: logins, TLS and limits (users, hba, tls, limits)
// and access control (roles, access).
var ownedSections = []string{"users", "hba", "tls", "limits", "roles", "access"}

// loadConfig reads the config file and checks that every section in it
// has an owner.
func loadConfig(path string) (*catalog.Config, error) {
	cfg, err := catalog.LoadConfig(path)
	if err != nil {
		return nil, err
	}
	if err := cfg.CheckSections(ownedSections...); err != nil {
		return nil, err
	}
	return cfg, nil
}
