package test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestCompatFunctions runs PostgreSQL functions that clients send and
// DuckDB lacks or has differently (format, set_config, the pgjdbc helper
// information_schema._pg_expandarray, generate_subscripts, pg_settings rows
// pgjdbc reads) on lakegate and on a real PostgreSQL: the rows, as text,
// must be the same.
func TestCompatFunctions(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL")
	}
	lg := startLakegate(t)
	pg := startPostgres(t)
	lgConn, pgConn := lg.connect(t), pg.connect(t)
	for _, q := range []string{
		`SELECT format('%s-%I-%%-%1$L', 'a', 'B c')`,
		`SELECT format('%s|%s|%L', NULL, 1, NULL)`,
		`SELECT format('%I.%I', 'select', 'lower_case')`,
		`SELECT format('%L', E'a\\b''c'), format('%L', 'it''s'), format('no args'), format('%s', 42), format('%3$s %1$s %s', 'a', 'b', 'c')`,
		`SELECT quote_literal('x''y'), quote_nullable(NULL), quote_ident('Mixed')`,
		`SELECT (information_schema._pg_expandarray(ARRAY[10,20,30])).x, (information_schema._pg_expandarray(ARRAY[10,20,30])).n`,
		`SELECT (s.k).x, (s.k).n FROM (SELECT information_schema._pg_expandarray(ARRAY['a','b']) AS k) s ORDER BY 2`,
		`SELECT btrim('  x  '), btrim('"y"', '"'), trim(both '"' from '"z"'), trim(leading 'a' from 'aab')`,
		`SELECT 3 = any('{1,NULL}'::int[]), 3 <> all('{1,NULL}'::int[]), 1 = any('{1,NULL}'::int[]), NULL::int = any('{}'::int[]), NULL::int = any('{1}'::int[]), 2 = any(NULL::int[]), 2 <> all('{1,3}'::int[])`,
		`SELECT generate_subscripts(ARRAY[10,20,30], 1) AS s`,
		`SELECT setting FROM pg_catalog.pg_settings WHERE name IN ('max_index_keys', 'max_identifier_length', 'max_function_args') ORDER BY name`,
		`SELECT set_config('application_name', 'checks', false)`,
		`SELECT current_setting('application_name')`,
		`SELECT pg_catalog.set_config('DateStyle', 'iso, dmy', false) AS style`,
		`SHOW DateStyle`,
		`SELECT set_config('search_path', '', false)`,
		`SHOW search_path`,
	} {
		want, err := textRows(pgConn, q)
		if err != nil {
			t.Fatalf("PostgreSQL: %s: %v", q, err)
		}
		got, err := textRows(lgConn, q)
		if err != nil {
			t.Errorf("%s: %v", q, err)
			continue
		}
		if got != want {
			t.Errorf("%s:\n got %s\nwant %s", q, got, want)
		}
	}
	// set_config reports a reported parameter as SET does.
	if _, err := textRows(lgConn, "SELECT set_config('application_name', 'reported', false)"); err != nil {
		t.Fatal(err)
	}
	if got := lgConn.PgConn().ParameterStatus("application_name"); got != "reported" {
		t.Errorf("application_name ParameterStatus %q after set_config", got)
	}
	// Errors as PostgreSQL's.
	for q, code := range map[string]string{
		"SELECT set_config('no_such_setting', 'x', false)": "42704",
		"SELECT set_config('server_version', '1', false)":  "55P02",
	} {
		_, err := textRows(lgConn, q)
		if err == nil || !strings.Contains(err.Error(), code) {
			t.Errorf("%s: %v, want SQLSTATE %s", q, err, code)
		}
	}
}

// textRows runs a query with the simple protocol (every value in text) and
// returns its rows, a line each, values separated by |.
func textRows(conn *pgx.Conn, q string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rows, err := conn.Query(ctx, q, pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var values []string
		for _, v := range rows.RawValues() {
			if v == nil {
				values = append(values, "NULL")
			} else {
				values = append(values, string(v))
			}
		}
		lines = append(lines, strings.Join(values, "|"))
	}
	return strings.Join(lines, "\n"), rows.Err()
}
