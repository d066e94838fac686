package test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestSettingsTakeEffect runs statements whose result depends on session
// settings (search_path resolving unqualified lake tables, set_config,
// application_name, extra_float_digits) on lakegate and on a real
// PostgreSQL holding the same lake as TestPsqlMetaCommands, one session
// each, and requires the same rows, as text, or the same SQLSTATE.
func TestSettingsTakeEffect(t *testing.T) {
	if testing.Short() {
		t.Skip("starts lakegate and PostgreSQL")
	}
	lgConn, pgConn := connectPsqlMetaLakes(t)
	ctx := context.Background()

	for _, q := range []string{
		`SELECT count(*) FROM events`,
		`SELECT current_schema()`,
		`SELECT count(*) FROM orders`,
		`SET search_path = shop`,
		`SHOW search_path`,
		`SELECT current_schema(), current_schemas(false)`,
		`SELECT count(*), sum(quantity) FROM orders WHERE customer_id = 10`,
		`SELECT name FROM customers ORDER BY 1`,
		`SELECT count(*) FROM events`,
		`SET search_path TO shop, public`,
		`SELECT o.order_id, c.name, e.kind FROM orders o JOIN customers c USING (customer_id) CROSS JOIN events e ORDER BY 1`,
		`SELECT count(*) FROM shop.orders o JOIN public.events e ON true`,
		`SELECT set_config('search_path', 'public', false)`,
		`SELECT count(*) FROM orders`,
		`SELECT count(*) FROM events`,
		`RESET search_path`,
		`SHOW search_path`,
		`SELECT count(*) FROM events`,
		`SET search_path = no_such_schema, shop`,
		`SELECT count(*) FROM orders`,
		`SELECT current_schema()`,
		`SET search_path = ''`,
		`SELECT count(*) FROM events`,
		`SELECT typname FROM pg_type WHERE oid = 23`,
		`SHOW extra_float_digits`,
		floatValues,
		`SET extra_float_digits = 0`,
		floatValues,
		`SELECT discount, weight FROM shop.orders ORDER BY order_id`,
		`SET extra_float_digits = -3`,
		floatValues,
		`SET extra_float_digits = -15`,
		floatValues,
		`SET extra_float_digits = 3`,
		floatValues,
		`SET extra_float_digits = 2`,
		floatValues,
		`SET extra_float_digits = 4`,
		`SHOW extra_float_digits`,
		dateValues,
		`SET DateStyle = 'ISO, DMY'`,
		`SHOW DateStyle`,
		dateValues,
		`SET DateStyle = 'european'`,
		`SHOW DateStyle`,
		dateValues,
		`SET DateStyle = 'ISO, MDY'`,
		dateValues,
		`SET application_name = 'settings test'`,
		`SHOW application_name`,
		`SELECT current_setting('application_name')`,
	} {
		want := settingResult(pgConn, q)
		got := settingResult(lgConn, q)
		if got != want {
			t.Errorf("%s:\n got %s\nwant %s", q, got, want)
		}
	}
	// The extended protocol, with a parameter the pruning uses.
	for _, conn := range []*pgx.Conn{lgConn, pgConn} {
		if _, err := conn.Exec(ctx, "SET search_path = shop"); err != nil {
			t.Fatal(err)
		}
	}
	var lgCount, pgCount int64
	if err := lgConn.QueryRow(ctx, "SELECT count(*) FROM orders WHERE customer_id = $1", 10).Scan(&lgCount); err != nil {
		t.Fatal(err)
	}
	if err := pgConn.QueryRow(ctx, "SELECT count(*) FROM orders WHERE customer_id = $1", 10).Scan(&pgCount); err != nil {
		t.Fatal(err)
	}
	if lgCount != pgCount || lgCount != 2 {
		t.Errorf("count with a parameter: lakegate %d, PostgreSQL %d", lgCount, pgCount)
	}
	// COPY's text and CSV follow extra_float_digits too.
	for _, efd := range []string{"0", "1", "-4"} {
		var outputs [2]string
		for i, conn := range []*pgx.Conn{lgConn, pgConn} {
			if _, err := conn.Exec(ctx, "SET extra_float_digits = "+efd); err != nil {
				t.Fatal(err)
			}
			for _, format := range []string{"text", "csv"} {
				var buf bytes.Buffer
				q := "COPY (SELECT 123456789.123456789::float8, 0.1::float4, '0.333333343'::float4, 1e20::float8) TO STDOUT (FORMAT " + format + ")"
				if _, err := conn.PgConn().CopyTo(ctx, &buf, q); err != nil {
					t.Fatal(err)
				}
				outputs[i] += buf.String()
			}
		}
		if outputs[0] != outputs[1] {
			t.Errorf("COPY with extra_float_digits %s: got %q, want %q", efd, outputs[0], outputs[1])
		}
	}
	// application_name is reported to the client when it changes.
	if _, err := lgConn.Exec(ctx, "SET application_name = 'reported app'"); err != nil {
		t.Fatal(err)
	}
	if got := lgConn.PgConn().ParameterStatus("application_name"); got != "reported app" {
		t.Errorf("application_name ParameterStatus %q", got)
	}
}

// floatValues are float8 and float4 values whose text depends on
// extra_float_digits.
const floatValues = `SELECT 0.1::float8, 1e20::float8, 1.5e-7::float8, 123456789.123456789::float8, -0.0::float8,
	'3.141592653589793'::float8, 1e15::float8, 1e16::float8, 'NaN'::float8, '-Infinity'::float8,
	0.1::float4, '0.333333343'::float4, 1e7::float4, 123456.7::float4, '1.17549435e-38'::float4`

// dateValues are literals whose reading depends on DateStyle's order.
const dateValues = `SELECT '03/04/2024'::date, date '03.04.2024', '3-4-2024'::date, '03/04/2024 10:30'::timestamp,
	'2024-03-04'::date, '12/11/2024 01:02:03+00'::timestamptz`

// settingResult runs q and returns its rows as text, or its SQLSTATE.
func settingResult(conn *pgx.Conn, q string) string {
	rows, err := textRows(conn, q)
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return "ERROR " + pe.Code
	}
	if err != nil {
		return "error: " + err.Error()
	}
	return rows
}
