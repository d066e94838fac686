package test

import (
	"context"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func TestSimpleProtocolSeveralStatements(t *testing.T) {
	lg := startLakegate(t)
	conn := lg.connect(t)
	ctx := context.Background()

	results, err := conn.PgConn().Exec(ctx, "select 1 as a; select 'x' as b, null::int as c; set application_name = 'e2e'; begin; commit").ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var tags []string
	for _, r := range results {
		tags = append(tags, r.CommandTag.String())
	}
	if got := strings.Join(tags, "|"); got != "SELECT 1|SELECT 1|SET|BEGIN|COMMIT" {
		t.Errorf("tags = %s", got)
	}
	if got := string(results[1].Rows[0][0]); got != "x" || results[1].Rows[0][1] != nil {
		t.Errorf("row = %q", results[1].Rows[0])
	}
	if got := conn.PgConn().ParameterStatus("application_name"); got != "e2e" {
		t.Errorf("application_name ParameterStatus = %q", got)
	}

	// The empty query gets EmptyQueryResponse, not an error.
	if _, err := conn.PgConn().Exec(ctx, " ;  ").ReadAll(); err != nil {
		t.Errorf("empty query: %v", err)
	}

	// An error stops the rest of the message, and the session goes on.
	_, err = conn.PgConn().Exec(ctx, "select 1; select * from no_such_table; select 2").ReadAll()
	if pgCode(err) != "42P01" {
		t.Errorf("want 42P01, got %v", err)
	}
	var n int
	if err := conn.QueryRow(ctx, "select 41 + 1").Scan(&n); err != nil || n != 42 {
		t.Errorf("after error: %d %v", n, err)
	}
}

func TestStartupParameters(t *testing.T) {
	lg := startLakegate(t)
	conn := lg.connect(t)
	pc := conn.PgConn()
	want := map[string]string{
		"server_encoding":             "UTF8",
		"client_encoding":             "UTF8",
		"DateStyle":                   "ISO, MDY",
		"TimeZone":                    "UTC",
		"integer_datetimes":           "on",
		"standard_conforming_strings": "on",
		"IntervalStyle":               "postgres",
		"is_superuser":                "off",
		"session_authorization":       "lakegate",
	}
	for name, value := range want {
		if got := pc.ParameterStatus(name); got != value {
			t.Errorf("%s = %q, want %q", name, got, value)
		}
	}
	if v := pc.ParameterStatus("server_version"); !strings.HasPrefix(v, "16.") || !strings.Contains(v, "lakegate") {
		t.Errorf("server_version = %q", v)
	}
	if pc.PID() == 0 {
		t.Error("no BackendKeyData")
	}
}

func TestExtendedProtocolTypes(t *testing.T) {
	lg := startLakegate(t)
	conn := lg.connect(t)
	ctx := context.Background()
	const q = `select $1::int as i, $2::bigint as b, $3::double as d, $4::varchar as s,
		true as t, 1.50::decimal(10,2) as n, date '2024-02-29' as dt,
		timestamp '2024-01-02 03:04:05.123456' as ts, timestamptz '2024-01-02 03:04:05+02' as tz,
		'\xde\xad\xbe\xef'::blob as by, uuid '6ba7b810-9dad-11d1-80b4-00c04fd430c8' as u,
		interval '1 day 2 hours' as iv, [1, 2, null] as arr, null::int as nul`
	for _, format := range []int16{pgtype.TextFormatCode, pgtype.BinaryFormatCode} {
		t.Run(map[int16]string{0: "text", 1: "binary"}[format], func(t *testing.T) {
			var (
				i   int32
				b   int64
				d   float64
				s   string
				tr  bool
				n   pgtype.Numeric
				dt  time.Time
				ts  time.Time
				tz  time.Time
				by  []byte
				u   pgtype.UUID
				iv  pgtype.Interval
				arr []pgtype.Int4
				nul *int32
			)
			err := conn.QueryRow(ctx, q, pgx.QueryResultFormats{format}, int32(7), int64(1)<<40, 2.5, "héllo").
				Scan(&i, &b, &d, &s, &tr, &n, &dt, &ts, &tz, &by, &u, &iv, &arr, &nul)
			if err != nil {
				t.Fatal(err)
			}
			if i != 7 || b != 1<<40 || d != 2.5 || s != "héllo" || !tr || nul != nil {
				t.Errorf("scalars: %v %v %v %q %v %v", i, b, d, s, tr, nul)
			}
			if n.Int.Cmp(big.NewInt(150)) != 0 || n.Exp != -2 {
				t.Errorf("numeric = %v e%d", n.Int, n.Exp)
			}
			if dt.Format("2006-01-02") != "2024-02-29" {
				t.Errorf("date = %v", dt)
			}
			if ts.Format("2006-01-02 15:04:05.000000") != "2024-01-02 03:04:05.123456" {
				t.Errorf("timestamp = %v", ts)
			}
			if !tz.Equal(time.Date(2024, 1, 2, 1, 4, 5, 0, time.UTC)) {
				t.Errorf("timestamptz = %v", tz)
			}
			if string(by) != "\xde\xad\xbe\xef" {
				t.Errorf("bytea = %x", by)
			}
			if u.String() != "6ba7b810-9dad-11d1-80b4-00c04fd430c8" {
				t.Errorf("uuid = %s", u.String())
			}
			if iv.Days != 1 || iv.Microseconds != 2*3600*1e6 {
				t.Errorf("interval = %+v", iv)
			}
			if len(arr) != 3 || arr[0].Int32 != 1 || arr[2].Valid {
				t.Errorf("array = %+v", arr)
			}
		})
	}
}

func TestRowDescriptionTypes(t *testing.T) {
	lg := startLakegate(t)
	conn := lg.connect(t)
	sd, err := conn.Prepare(context.Background(), "", "select 1::smallint a, 2::int b, 3::bigint c, 1.5::decimal(12,3) d, 'x' e, 1::utinyint f, 1::uinteger g, 1::ubigint h, 1::hugeint i, [1,2] j, {'k': 1} k")
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		oid    uint32
		size   int16
		typmod int32
	}{
		{21, 2, -1}, {23, 4, -1}, {20, 8, -1}, {1700, -1, 12<<16 | 3 + 4}, {25, -1, -1},
		{21, 2, -1}, {20, 8, -1}, {1700, -1, -1}, {1700, -1, -1}, {1007, -1, -1}, {114, -1, -1},
	}
	for i, f := range sd.Fields {
		if f.DataTypeOID != want[i].oid || f.DataTypeSize != want[i].size || f.TypeModifier != want[i].typmod {
			t.Errorf("column %s: oid %d size %d typmod %d, want %+v", f.Name, f.DataTypeOID, f.DataTypeSize, f.TypeModifier, want[i])
		}
	}
}

func TestNamedStatementsAndParameterTypes(t *testing.T) {
	lg := startLakegate(t)
	conn := lg.connect(t)
	ctx := context.Background()
	sd, err := conn.Prepare(ctx, "add_one", "select $1::integer + 1 as n, $2::varchar as s")
	if err != nil {
		t.Fatal(err)
	}
	if len(sd.ParamOIDs) != 2 || sd.ParamOIDs[0] != pgtype.Int4OID || sd.ParamOIDs[1] != pgtype.TextOID {
		t.Errorf("param OIDs = %v", sd.ParamOIDs)
	}
	for i := int32(0); i < 3; i++ {
		var n int32
		var s string
		if err := conn.QueryRow(ctx, "add_one", i, "v").Scan(&n, &s); err != nil || n != i+1 || s != "v" {
			t.Fatalf("execute %d: %d %q %v", i, n, s, err)
		}
	}
	if err := conn.Deallocate(ctx, "add_one"); err != nil {
		t.Fatal(err)
	}
	// A statement that does not exist is an error, not a broken session.
	_, err = conn.PgConn().ExecPrepared(ctx, "add_one", nil, nil, nil).Close()
	if pgCode(err) != "26000" {
		t.Errorf("want 26000, got %v", err)
	}
	if _, err := conn.Exec(ctx, "select 1"); err != nil {
		t.Fatal(err)
	}
}

func TestErrorsCarrySQLSTATEAndKeepSession(t *testing.T) {
	lg := startLakegate(t)
	conn := lg.connect(t)
	ctx := context.Background()
	cases := []struct {
		sql, code string
		position  int32
	}{
		{"selec 1", "42601", 1},
		{"select * from nowhere", "42P01", 15},
		{"select nope from range(3)", "42703", 8},
		{"select 'abc'::int", "22P02", 0},
		{"insert into t values (1)", "25006", 0},
		{"create table t (a int)", "25006", 0},
		{"drop table demo.sales", "25006", 0},
		{"copy t from stdin", "25006", 0},
		{"attach 'evil.db'", "42501", 0},
		{"install httpfs", "42501", 0},
		{"set threads = 1", "42704", 0},
		{"select * from read_csv('/etc/passwd')", "42501", 0},
	}
	for _, c := range cases {
		_, err := conn.Exec(ctx, c.sql)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) {
			t.Errorf("%s: want a PostgreSQL error, got %v", c.sql, err)
			continue
		}
		if pe.Code != c.code {
			t.Errorf("%s: code %s (%s), want %s", c.sql, pe.Code, pe.Message, c.code)
		}
		if c.position != 0 && pe.Position != c.position {
			t.Errorf("%s: position %d, want %d", c.sql, pe.Position, c.position)
		}
		if pe.Severity != "ERROR" || pe.Message == "" {
			t.Errorf("%s: severity %q message %q", c.sql, pe.Severity, pe.Message)
		}
	}
	var one int
	if err := conn.QueryRow(ctx, "select 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("session broken after errors: %v", err)
	}
}

func TestTransactionStatus(t *testing.T) {
	lg := startLakegate(t)
	conn := lg.connect(t)
	ctx := context.Background()
	pc := conn.PgConn()
	step := func(sql string, status byte, wantErr string) {
		t.Helper()
		_, err := pc.Exec(ctx, sql).ReadAll()
		if pgCode(err) != wantErr {
			t.Fatalf("%s: err %v, want %q", sql, err, wantErr)
		}
		if pc.TxStatus() != status {
			t.Fatalf("%s: status %c, want %c", sql, pc.TxStatus(), status)
		}
	}
	step("begin", 'T', "")
	step("select 1", 'T', "")
	step("select 1/0::decimal(10,0) from nowhere", 'E', "42P01")
	step("select 1", 'E', "25P02")
	step("rollback", 'I', "")
	step("start transaction read only", 'T', "")
	step("commit", 'I', "")
}

func TestCancelRequest(t *testing.T) {
	lg := startLakegate(t)
	conn := lg.connect(t)
	ctx := context.Background()
	done := make(chan error, 1)
	go func() {
		_, err := conn.Exec(ctx, "select count(*) from range(1000000000000) a")
		done <- err
	}()
	time.Sleep(300 * time.Millisecond)

	// A CancelRequest with the wrong key does nothing.
	sendCancel(t, lg.addr, conn.PgConn().PID(), []byte{1, 2, 3, 4})
	select {
	case err := <-done:
		t.Fatalf("query ended before cancel: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	// The right one cancels, and the client sees 57014.
	if err := conn.PgConn().CancelRequest(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if pgCode(err) != "57014" {
			t.Fatalf("want 57014, got %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("cancel did not stop the query")
	}
	var one int
	if err := conn.QueryRow(ctx, "select 1").Scan(&one); err != nil {
		t.Fatalf("session broken after cancel: %v", err)
	}
}

func TestDisconnectMidStream(t *testing.T) {
	lg := startLakegate(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, lg.url("lakegate"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := conn.Query(ctx, "select i, repeat('x', 100) from range(1000000000) t(i)")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 1000 && rows.Next(); i++ {
	}
	// Drop the socket without a Terminate.
	conn.PgConn().Conn().Close()
	deadline := time.Now().Add(10 * time.Second)
	for lg.server.Connections() > 0 {
		if time.Now().After(deadline) {
			t.Fatal("server still holds the connection 10s after the client went away")
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The server is unaffected.
	other := lg.connect(t)
	var n int64
	if err := other.QueryRow(ctx, "select count(*) from range(10)").Scan(&n); err != nil || n != 10 {
		t.Fatalf("after disconnect: %d %v", n, err)
	}
}

func TestUnknownUserRefused(t *testing.T) {
	lg := startLakegate(t)
	_, err := pgconn.Connect(context.Background(), lg.url("mallory"))
	if pgCode(err) != "28000" {
		t.Fatalf("unknown user: want 28000, got %v", err)
	}
}
