package main

import (
	"testing"
	"time"

	"github.com/lakegate/lakegate/auth"
)

func TestLimitFlags(t *testing.T) {
	t.Setenv("LAKEGATE_MAX_CONNECTIONS", "7")
	t.Setenv("LAKEGATE_STATEMENT_TIMEOUT", "10s")
	o, err := parseFlags([]string{"-statement-timeout", "2m"})
	if err != nil {
		t.Fatal(err)
	}
	limits := auth.DefaultLimits()
	if err := o.limits.apply(&limits); err != nil {
		t.Fatal(err)
	}
	if limits.MaxConnections != 7 || limits.StatementTimeout != 2*time.Minute || limits.AuthenticationTimeout != time.Minute {
		t.Errorf("%+v", limits)
	}
	if _, err := parseFlags([]string{"-max-connections", "0"}); err == nil {
		t.Error("-max-connections 0 accepted")
	}
	t.Setenv("LAKEGATE_AUTHENTICATION_TIMEOUT", "soon")
	if _, err := parseFlags(nil); err == nil {
		t.Error("LAKEGATE_AUTHENTICATION_TIMEOUT=soon accepted")
	}
}
