package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"

	bindings "github.com/duckdb/duckdb-go-bindings"
)

// Config configures the Engine. The zero value is an in-memory DuckDB with
// DuckDB's default memory limit and threads, and no readable files.
type Config struct {
	// MemoryLimit is DuckDB's memory_limit, e.g. "4GB"; empty keeps DuckDB's
	// default (80% of RAM).
	MemoryLimit string
	// Threads is DuckDB's thread count; 0 keeps DuckDB's default (one per core).
	Threads int
	// TempDirectory is where DuckDB spills; empty means a fresh directory
	// under os.TempDir, removed on Close.
	TempDirectory string
	// AllowedDirectories are the only directories user SQL may read files
	// from (the lake's local locations and the file cache).
	AllowedDirectories []string
	// Views are the tables clients see, created (with their schemas) with
	// full access before the sandbox is locked.
	Views []View
	// Lake is the catalog of lake tables, each served as a view; nil for
	// none.
	Lake Lake
	// Access decides which lake tables each user reads, with which row
	// filters and column masks (access.go); nil lets every user read
	// every table.
	Access Access
	// Logger receives engine logs; nil means slog.Default().
	Logger *slog.Logger
}

// Engine owns the process's DuckDB database.
type Engine struct {
	db bindings.Database
	// lake is swapped whole when the catalog is reloaded (reload.go).
	lake    atomic.Pointer[lakeViews]
	pool    connPool
	logger  *slog.Logger
	tempDir string
	ownTemp bool
	version string
	// schemas are the schemas of the lake and the configured views,
	// swapped whole on reload.
	schemas atomic.Pointer[map[string]bool]
	// views are the configured views, kept for reloads.
	views []View
	// ops is the operational state: sessions, query history (ops.go).
	ops opsState
	// checks vets the SQL users send (filecheck.go).
	checks *statementChecks
}

// Open creates the DuckDB database, runs the setup statements and locks the
// sandbox.
func Open(ctx context.Context, cfg Config) (*Engine, error) {
	e := &Engine{logger: cfg.Logger, tempDir: cfg.TempDirectory}
	if e.logger == nil {
		e.logger = slog.Default()
	}
	if e.tempDir == "" {
		dir, err := os.MkdirTemp("", "lakegate-duckdb-")
		if err != nil {
			return nil, err
		}
		e.tempDir, e.ownTemp = dir, true
	}
	if bindings.Open(":memory:", &e.db) == bindings.StateError {
		e.removeTemp()
		return nil, errors.New("duckdb: cannot open an in-memory database")
	}
	e.pool = connPool{db: e.db, maxIdle: 64}
	c, err := e.pool.get()
	if err != nil {
		e.Close()
		return nil, err
	}
	defer e.pool.put(c)
	for _, stmt := range configure(cfg, e.tempDir) {
		if err := c.exec(stmt); err != nil {
			e.Close()
			return nil, fmt.Errorf("configuring duckdb (%s): %w", stmt, err)
		}
	}
	for _, stmt := range viewStatements(cfg.Views) {
		if err := ctx.Err(); err != nil {
			e.Close()
			return nil, err
		}
		if err := c.exec(stmt); err != nil {
			e.Close()
			return nil, fmt.Errorf("setting up the catalog (%s): %w", stmt, err)
		}
	}
	e.lake.Store(newLakeViews(cfg.Lake, cfg.Access))
	for _, err := range e.lake.Load().createAll(ctx, c) {
		if pe := (*PolicyError)(nil); errors.As(err, &pe) {
			e.Close()
			return nil, err
		}
		e.logger.Error("lake table not served until it loads", "err", err)
	}
	e.views = cfg.Views
	e.schemas.Store(schemaSet(cfg.Views, cfg.Lake))
	if err := installCompat(ctx, c, cfg.Lake, bindings.LibraryVersion()); err != nil {
		e.Close()
		return nil, fmt.Errorf("installing the PostgreSQL compatibility layer: %w", err)
	}
	if err := installOps(c); err != nil {
		e.Close()
		return nil, fmt.Errorf("creating lakegate's system views: %w", err)
	}
	if e.checks, err = newStatementChecks(ctx, c, cfg.Views, &e.lake); err != nil {
		e.Close()
		return nil, fmt.Errorf("reading the compatibility layer's relations: %w", err)
	}
	e.ops.history.limit = defaultQueryHistory
	e.pool.setup = []string{layerSearchPath}
	if err := c.exec(layerSearchPath); err != nil {
		e.Close()
		return nil, err
	}
	for _, stmt := range sandbox(cfg.AllowedDirectories) {
		if err := c.exec(stmt); err != nil {
			e.Close()
			return nil, fmt.Errorf("locking the duckdb sandbox (%s): %w", stmt, err)
		}
	}
	e.version = bindings.LibraryVersion()
	return e, nil
}

// View is a table clients see: a DuckDB query (over read_parquet, say)
// exposed as schema.name.
type View struct {
	Schema, Name string
	SQL          string
}

// viewStatements creates each view and, first, each schema.
func viewStatements(views []View) []string {
	var stmts []string
	schemas := map[string]bool{}
	for _, v := range views {
		if !schemas[v.Schema] {
			stmts = append(stmts, "CREATE SCHEMA IF NOT EXISTS "+quoteIdent(v.Schema))
			schemas[v.Schema] = true
		}
		stmts = append(stmts, "CREATE VIEW "+quoteIdent(v.Schema)+"."+quoteIdent(v.Name)+" AS "+v.SQL)
	}
	return stmts
}

// DuckDBVersion is the version of the embedded DuckDB library, e.g. "v1.5.5".
func (e *Engine) DuckDBVersion() string { return e.version }

// Close releases the database. Sessions must be closed first.
func (e *Engine) Close() error {
	e.pool.closeAll()
	bindings.Close(&e.db)
	e.removeTemp()
	return nil
}

func (e *Engine) removeTemp() {
	if e.ownTemp {
		os.RemoveAll(e.tempDir)
	}
}

// DuckDBVersion reports the embedded DuckDB library version without opening
// a database.
func DuckDBVersion() string { return bindings.LibraryVersion() }

// connPool keeps idle DuckDB connections. A connection carries no session
// state, so any session may use any idle connection.
type connPool struct {
	db      bindings.Database
	mu      sync.Mutex
	idle    []*duckConn
	maxIdle int
	// setup runs on every new connection (the compatibility layer's
	// search path).
	setup []string
}

func (p *connPool) get() (*duckConn, error) {
	p.mu.Lock()
	if n := len(p.idle); n > 0 {
		c := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		return c, nil
	}
	p.mu.Unlock()
	c, err := connect(p.db)
	if err != nil {
		return nil, err
	}
	for _, stmt := range p.setup {
		if err := c.exec(stmt); err != nil {
			c.close()
			return nil, err
		}
	}
	return c, nil
}

func (p *connPool) put(c *duckConn) {
	c.forgetPrepared()
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.idle) >= p.maxIdle {
		c.close()
		return
	}
	p.idle = append(p.idle, c)
}

func (p *connPool) closeAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.idle {
		c.close()
	}
	p.idle = nil
}
