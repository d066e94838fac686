package main

import "testing"

func TestProbeURL(t *testing.T) {
	for _, c := range []struct{ addr, want string }{
		{"127.0.0.1:9433", "http://127.0.0.1:9433/healthz"},
		{"0.0.0.0:9433", "http://127.0.0.1:9433/healthz"},
		{":9433", "http://127.0.0.1:9433/healthz"},
		{"[::]:9433", "http://127.0.0.1:9433/healthz"},
		{"[::1]:9433", "http://[::1]:9433/healthz"},
		{"admin.internal:80", "http://admin.internal:80/healthz"},
	} {
		got, err := probeURL(c.addr, "/healthz")
		if err != nil || got != c.want {
			t.Errorf("probeURL(%q) = %q, %v; want %q", c.addr, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "9433", "host"} {
		if _, err := probeURL(bad, "/healthz"); err == nil {
			t.Errorf("probeURL(%q) accepted", bad)
		}
	}
}
