package main

import (
	"context"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"

	"github.com/lakegate/lakegate/catalog"
	"github.com/lakegate/lakegate/engine"
	"github.com/lakegate/lakegate/server"
)

// lakeHolder is the catalog in service, replaced by a reload (SIGHUP).
// Its cache and S3 counters carry over the retired catalogs' totals, so
// that the metrics stay monotonic.
type lakeHolder struct {
	mu       sync.Mutex
	cat      *catalog.Catalog
	cacheOld catalog.CacheStats
	s3Old    catalog.S3Stats
}

func (h *lakeHolder) current() *catalog.Catalog {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.cat
}

// swap puts next in service and returns the catalog it replaced.
func (h *lakeHolder) swap(next *catalog.Catalog) *catalog.Catalog {
	h.mu.Lock()
	defer h.mu.Unlock()
	old := h.cat
	if old != nil {
		c, s := old.CacheStats(), old.S3Stats()
		h.cacheOld.Hits += c.Hits
		h.cacheOld.Misses += c.Misses
		h.cacheOld.DownloadedBytes += c.DownloadedBytes
		h.cacheOld.Evictions += c.Evictions
		h.s3Old.Requests += s.Requests
		h.s3Old.Errors += s.Errors
	}
	h.cat = next
	return old
}

func (h *lakeHolder) cacheStats() catalog.CacheStats {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := h.cat.CacheStats()
	c.Hits += h.cacheOld.Hits
	c.Misses += h.cacheOld.Misses
	c.DownloadedBytes += h.cacheOld.DownloadedBytes
	c.Evictions += h.cacheOld.Evictions
	return c
}

func (h *lakeHolder) s3Stats() catalog.S3Stats {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.cat.S3Stats()
	s.Requests += h.s3Old.Requests
	s.Errors += h.s3Old.Errors
	return s
}

func (h *lakeHolder) close() {
	if c := h.swap(nil); c != nil {
		c.Close()
	}
}

// reloader re-reads the config file on SIGHUP and puts the new catalog
// (and users) in service without dropping sessions; a config that does
// not load is refused with a log line and the running one stays.
type reloader struct {
	path    string
	options catalog.Options
	// allowed are the directories DuckDB's sandbox was locked with.
	allowed []string
	lake    *lakeHolder
	engine  *engine.Engine
	server  *server.Server
	// flags are the command line's, whose limits override the file's.
	flags  options
	logger *slog.Logger
	mu     sync.Mutex
}

func (r *reloader) reload(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	cfg, err := loadConfig(r.path)
	if err != nil {
		return err
	}
	// Users, TLS, limits and grants are read first: an error in any of
	// them refuses the reload before anything is replaced.
	security, err := serverSecurity(cfg, r.flags, r.logger)
	if err != nil {
		return err
	}
	access, err := accessRules(cfg)
	if err != nil {
		return err
	}
	next, err := catalog.Open(ctx, cfg, r.options)
	if err != nil {
		return err
	}
	if err := r.engine.ReplaceLake(ctx, next, access, r.allowed, next.LocalDirectories()); err != nil {
		next.Close()
		return err
	}
	// Sessions already open keep the login terms they came with.
	r.server.Reconfigure(security)
	if old := r.lake.swap(next); old != nil {
		old.Close()
	}
	r.logger.Info("configuration reloaded", "config", r.path, "tables", len(next.Tables()))
	return nil
}

// allowedDirectories are the directories DuckDB's sandbox is locked
// with: the catalog's, the file cache's (so that S3 tables added by a
// reload can be read), and the --lake-roots.
func allowedDirectories(cat *catalog.Catalog, opts catalog.Options, lakeRoots []string) []string {
	dirs := cat.LocalDirectories()
	if opts.CacheDirectory != "" && !slices.Contains(dirs, opts.CacheDirectory) {
		dirs = append(dirs, opts.CacheDirectory)
	}
	for _, d := range lakeRoots {
		if abs, err := filepath.Abs(d); err == nil && !slices.Contains(dirs, abs) {
			dirs = append(dirs, abs)
		}
	}
	return dirs
}
