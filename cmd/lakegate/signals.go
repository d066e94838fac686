package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/lakegate/lakegate/server"
)

// Signals: SIGTERM and SIGINT shut down gracefully (the listener closes,
// idle sessions get 57P01, running statements have the grace period to
// finish before they are interrupted); SIGHUP reloads the config.

// notifySignals delivers the signals lakegate acts on.
func notifySignals() (<-chan os.Signal, func()) {
	ch := make(chan os.Signal, 4)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	return ch, func() { signal.Stop(ch) }
}

// serveUntilStopped serves until a shutdown signal or a serving error,
// reloading on SIGHUP, then shuts the server down within grace.
func serveUntilStopped(signals <-chan os.Signal, serveErr <-chan error, srv *server.Server, r *reloader,
	admin *adminServer, grace time.Duration, logger *slog.Logger) error {
	for {
		select {
		case err := <-serveErr:
			return err
		case sig := <-signals:
			if sig == syscall.SIGHUP {
				logger.Info("reloading the configuration", "signal", sig.String(), "config", r.path)
				if err := r.reload(context.Background()); err != nil {
					logger.Error("reload refused, keeping the running configuration", "config", r.path, "err", err)
				}
				continue
			}
			logger.Info("shutting down", "signal", sig.String(), "grace", grace.String())
			if admin != nil {
				admin.stopping.Store(true)
			}
			ctx, cancel := context.WithTimeout(context.Background(), grace)
			err := srv.Shutdown(ctx)
			cancel()
			if err != nil && !errors.Is(err, context.DeadlineExceeded) {
				return err
			}
			if err != nil {
				logger.Warn("some connections did not end after the grace period", "err", err)
			}
			logger.Info("stopped")
			return nil
		}
	}
}
