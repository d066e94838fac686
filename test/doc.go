// Package test holds lakegate's end-to-end tests: they start the real
// server on a random port and drive it with real PostgreSQL clients (pgx,
// psql). Tests that need a client binary skip when it is missing, unless
// LAKEGATE_REQUIRE_CLIENTS=1 (as in CI), where they fail instead.
package test
