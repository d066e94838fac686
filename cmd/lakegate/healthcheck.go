package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"
)

// healthcheck is `lakegate healthcheck [-admin-listen addr] [-path /healthz]`:
// it asks the admin listener of the lakegate running beside it and exits
// 0 if it answers 200, 1 otherwise. Distroless and slim images have no
// curl, so the image's HEALTHCHECK runs the binary itself.
func healthcheck(args []string) int {
	fs := flag.NewFlagSet("lakegate healthcheck", flag.ContinueOnError)
	addr := fs.String("admin-listen", env("LAKEGATE_ADMIN_LISTEN", defaultAdminListen), "`address` of the admin listener (LAKEGATE_ADMIN_LISTEN)")
	path := fs.String("path", "/healthz", "`path` to ask: /healthz (alive) or /readyz (ready for queries)")
	timeout := fs.Duration("timeout", 3*time.Second, "how long to wait for the answer")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	url, err := probeURL(*addr, *path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "lakegate healthcheck:", err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "lakegate healthcheck:", err)
		return 1
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintln(os.Stderr, "lakegate healthcheck:", err)
		return 1
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(os.Stderr, "lakegate healthcheck: %s answered %s\n", url, resp.Status)
		return 1
	}
	return 0
}

// probeURL is the URL of path on the admin listener at addr; a wildcard
// host (0.0.0.0, ::, empty) is asked on loopback.
func probeURL(addr, path string) (string, error) {
	if addr == "" {
		return "", fmt.Errorf("the admin listener is off (LAKEGATE_ADMIN_LISTEN is empty)")
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("admin address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + path, nil
}
