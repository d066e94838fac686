package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lakegate/lakegate/auth"
	"github.com/lakegate/lakegate/engine"
	"github.com/lakegate/lakegate/server"
)

// lakegate is a server running in this process on a random loopback port,
// serving the benchmark's Parquet files as bench.wide and bench.lineitem.
type lakegate struct {
	addr   string
	engine *engine.Engine
	server *server.Server
}

// startLakegate serves each Parquet file of tables (view name → path) as
// the view bench.<name>.
func startLakegate(ctx context.Context, dir string, threads int, tables map[string]string) (*lakegate, error) {
	var views []engine.View
	for name, path := range tables {
		views = append(views, engine.View{Schema: "bench", Name: name, SQL: "SELECT * FROM read_parquet(" + quote(path) + ")"})
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	eng, err := engine.Open(ctx, engine.Config{
		Threads:            threads,
		Views:              views,
		AllowedDirectories: []string{dir},
		Logger:             logger,
	})
	if err != nil {
		return nil, fmt.Errorf("starting the lakegate engine: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		eng.Close()
		return nil, err
	}
	srv := &server.Server{Engine: eng, Auth: auth.TrustLoopback("lakegate"), Logger: logger}
	go srv.Serve(ln)
	return &lakegate{addr: ln.Addr().String(), engine: eng, server: srv}, nil
}

func (lg *lakegate) connect(ctx context.Context) (*pgx.Conn, error) {
	return pgx.Connect(ctx, "postgres://lakegate@"+lg.addr+"/lakegate?sslmode=disable")
}

func (lg *lakegate) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := lg.server.Shutdown(ctx); err != nil {
		progress("lakegate shutdown: %v", err)
	}
	lg.engine.Close()
}
