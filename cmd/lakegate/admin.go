package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/lakegate/lakegate/engine"
	"github.com/lakegate/lakegate/server"
)

// adminServer is the HTTP admin listener: /metrics (Prometheus), /healthz
// (the process is up) and /readyz (the catalog is loaded and DuckDB
// answers). It starts before the catalog loads, so that a probe can tell
// "starting" from "dead".
type adminServer struct {
	registry *prometheus.Registry
	http     *http.Server
	addr     string
	// engine is set once the catalog is loaded and the engine open.
	engine atomic.Pointer[engine.Engine]
	// stopping is set on shutdown: the replica is no longer ready.
	stopping atomic.Bool
}

// probeTimeout bounds the DuckDB query behind /readyz and the memory gauge.
const probeTimeout = 2 * time.Second

func newAdminServer() *adminServer {
	a := &adminServer{registry: prometheus.NewRegistry()}
	a.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", a.ready)
	a.http = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	return a
}

func (a *adminServer) ready(w http.ResponseWriter, r *http.Request) {
	eng := a.engine.Load()
	switch {
	case a.stopping.Load():
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	case eng == nil:
		http.Error(w, "loading the catalog", http.StatusServiceUnavailable)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), probeTimeout)
	defer cancel()
	if err := eng.Ping(ctx); err != nil {
		http.Error(w, "duckdb does not answer: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	fmt.Fprintln(w, "ready")
}

// listen starts serving on addr.
func (a *adminServer) listen(addr string, logger *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("admin listener: %w", err)
	}
	a.addr = ln.Addr().String()
	go func() {
		if err := a.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("admin listener stopped", "err", err)
		}
	}()
	logger.Info("admin listener is up", "listen", a.addr, "paths", "/metrics /healthz /readyz")
	return nil
}

func (a *adminServer) close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	a.http.Shutdown(ctx)
}

// registerGauges adds the metrics the server does not own: connections,
// DuckDB memory, the file cache and S3, read at scrape time from what is
// in service then (the catalog changes on reload).
func (a *adminServer) registerGauges(srv *server.Server, eng *engine.Engine, lake *lakeHolder) {
	gauge := func(name, help string, f func() float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f)
	}
	counter := func(name, help string, f func() float64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, f)
	}
	a.registry.MustRegister(
		gauge("lakegate_connections", "Open client connections.", func() float64 { return float64(srv.Connections()) }),
		gauge("lakegate_duckdb_memory_bytes", "Memory DuckDB's buffer manager holds (duckdb_memory()).", func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
			defer cancel()
			n, _ := eng.MemoryInUse(ctx)
			return float64(n)
		}),
		counter("lakegate_cache_hits_total", "File cache gets served by a cached file.", func() float64 { return float64(lake.cacheStats().Hits) }),
		counter("lakegate_cache_misses_total", "File cache gets that waited for a download.", func() float64 { return float64(lake.cacheStats().Misses) }),
		counter("lakegate_cache_downloaded_bytes_total", "Bytes downloaded into the file cache.", func() float64 { return float64(lake.cacheStats().DownloadedBytes) }),
		counter("lakegate_cache_evictions_total", "Files evicted from the file cache.", func() float64 { return float64(lake.cacheStats().Evictions) }),
		gauge("lakegate_cache_bytes", "Bytes the file cache holds.", func() float64 { return float64(lake.cacheStats().Bytes) }),
		gauge("lakegate_cache_max_bytes", "The file cache's size bound.", func() float64 { return float64(lake.cacheStats().MaxBytes) }),
		counter("lakegate_s3_requests_total", "HTTP requests sent to S3, retries included.", func() float64 { return float64(lake.s3Stats().Requests) }),
		counter("lakegate_s3_errors_total", "S3 requests that failed.", func() float64 { return float64(lake.s3Stats().Errors) }),
		gauge("lakegate_catalog_tables", "Tables in the catalog in service.", func() float64 { return float64(len(lake.current().Tables())) }),
	)
}
