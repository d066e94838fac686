package test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgproto3"
)

// mixedRows is a query that PostgreSQL and DuckDB both run and answer
// with the same types: NULLs, characters COPY escapes or quotes, unicode,
// floats, numerics, dates, timestamps, intervals, arrays and uuids.
const mixedRows = `select * from (values
	(1, 'plain', 1.5::float8, 0.1::real, 12.50::numeric(12,3), true, '2024-01-02'::date,
	 '2024-01-02 03:04:05.123456'::timestamp, '2024-01-02 03:04:05+00'::timestamptz, interval '1 day 02:03:04',
	 ARRAY[1, 2, 3], ARRAY['a b', 'c'], 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid),
	(2, 'tab' || chr(9) || 'nl' || chr(10) || 'cr' || chr(13) || 'bs\', -0.000123e-10::float8, 3.4e38::real, -0.001::numeric(12,3), false, '0001-01-01'::date,
	 '1999-12-31 23:59:59'::timestamp, '1970-01-01 00:00:00+00'::timestamptz, interval '-3 months 4 days',
	 ARRAY[-1], ARRAY['x,y', 'q"r'], NULL),
	(3, 'quote " comma , semi ; pipe |', 1e300::float8, NULL, 0::numeric(12,3), NULL, NULL,
	 NULL, NULL, NULL, NULL, NULL, NULL),
	(4, '', 'NaN'::float8, 'Infinity'::real, 123456789.123::numeric(12,3), true, '2024-02-29'::date,
	 '2024-02-29 00:00:00'::timestamp, '2024-06-30 12:00:00.5+00'::timestamptz, interval '0 seconds',
	 ARRAY[]::int[], ARRAY['\N', ''], NULL),
	(5, 'unicode: héllo wörld 日本語 🦆 \.', '-Infinity'::float8, -1.25::real, -99.99::numeric(12,3), false, '2000-01-01'::date,
	 '2000-01-01 00:00:00'::timestamp, '2000-01-01 00:00:00+00'::timestamptz, interval '1 year 2 mons 3 days 04:05:06.789',
	 ARRAY[2147483647], ARRAY['日本'], NULL),
	(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
) as t(i, s, f8, f4, n, b, d, ts, tstz, iv, ia, ta, u) order by i nulls last`

// copyOut runs a COPY ... TO STDOUT and returns its data and tag.
func copyOut(t *testing.T, conn *pgx.Conn, sql string) ([]byte, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var buf bytes.Buffer
	tag, err := conn.PgConn().CopyTo(ctx, &buf, sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return buf.Bytes(), tag.String()
}

// TestCopyMatchesPostgres compares COPY output, byte for byte, with a real
// PostgreSQL's for every format and the options that change it.
func TestCopyMatchesPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL cluster")
	}
	pg := startPostgres(t)
	lg := startLakegate(t)
	pgConn, lgConn := pg.connect(t), lg.connect(t)
	for _, conn := range []*pgx.Conn{pgConn, lgConn} {
		if _, err := conn.Exec(context.Background(), "set timezone = 'UTC'"); err != nil {
			t.Fatal(err)
		}
	}
	options := []string{
		"",
		"(format text)",
		"(format text, header, delimiter '|', null '')",
		"(format csv)",
		"with csv header",
		"(format csv, header true, delimiter ';', null 'NULL', quote '''', escape '\\')",
		"(format csv, force_quote *)",
		"(format csv, force_quote (s, ta), null 'x')",
		"(format binary)",
	}
	for _, opt := range options {
		sql := "copy (" + mixedRows + ") to stdout " + opt
		want, wantTag := copyOut(t, pgConn, sql)
		got, gotTag := copyOut(t, lgConn, sql)
		if gotTag != wantTag {
			t.Errorf("%s: tag %q, PostgreSQL %q", opt, gotTag, wantTag)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("COPY %s differs from PostgreSQL:\n got %q\nwant %q", opt, got, want)
		}
	}
	// A single column holding \. alone is quoted in CSV.
	sql := `copy (select '\.' as x union all select 'y' order by 1) to stdout (format csv)`
	if got, want := fst(copyOut(t, lgConn, sql)), fst(copyOut(t, pgConn, sql)); !bytes.Equal(got, want) {
		t.Errorf("single column \\.: got %q, want %q", got, want)
	}
	// An empty result: a header alone; a binary COPY of no rows.
	for _, opt := range []string{"(format csv, header)", "(format binary)"} {
		sql := "copy (select 1 as a where false) to stdout " + opt
		got, gotTag := copyOut(t, lgConn, sql)
		want, wantTag := copyOut(t, pgConn, sql)
		if !bytes.Equal(got, want) || gotTag != wantTag {
			t.Errorf("empty %s: got %q %q, want %q %q", opt, got, gotTag, want, wantTag)
		}
	}
}

func fst(b []byte, _ string) []byte { return b }

func TestCopyStreamsLargeResult(t *testing.T) {
	lg := startLakegate(t)
	conn := lg.connect(t)
	var n int
	counter := writerFunc(func(p []byte) (int, error) {
		n += bytes.Count(p, []byte{'\n'})
		return len(p), nil
	})
	tag, err := conn.PgConn().CopyTo(context.Background(), counter, "COPY (select i from range(300000) t(i)) TO STDOUT")
	if err != nil {
		t.Fatal(err)
	}
	if tag.String() != "COPY 300000" || n != 300000 {
		t.Errorf("tag %q, %d lines", tag, n)
	}
	// The session goes on.
	var one int
	if err := conn.QueryRow(context.Background(), "select 1").Scan(&one); err != nil || one != 1 {
		t.Errorf("after COPY: %v %d", err, one)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestCopyErrors(t *testing.T) {
	lg := startLakegate(t)
	conn := lg.connect(t)
	ctx := context.Background()
	var buf bytes.Buffer
	for sql, code := range map[string]string{
		"copy (select 1) to stdout (format xml)":                                                  "22023",
		"copy (select (case when i = 2 then 'x' else '1' end)::int from range(5) t(i)) to stdout": "22P02",
		"copy t from stdin": "25006",
	} {
		_, err := conn.PgConn().CopyTo(ctx, &buf, sql)
		if err == nil || !strings.Contains(err.Error(), code) {
			t.Errorf("%s: %v, want SQLSTATE %s", sql, err, code)
		}
	}
	var one int
	if err := conn.QueryRow(ctx, "select 1").Scan(&one); err != nil {
		t.Errorf("after errors: %v", err)
	}
}

// TestCopyTable copies a relation by name, which lakegate runs as
// COPY (SELECT ...) TO STDOUT.
func TestCopyTable(t *testing.T) {
	lg := startLakegate(t)
	conn := lg.connect(t)
	got, tag := copyOut(t, conn, "copy information_schema.schemata (schema_name) to stdout with csv header")
	if tag == "" || !strings.HasPrefix(string(got), "schema_name\n") {
		t.Errorf("copy table: %q %q", got, tag)
	}
}

func TestPsqlCopy(t *testing.T) {
	lg := startLakegate(t)
	file := filepath.Join(t.TempDir(), "out.csv")
	_, stderr, err := runPsql(t, lg, "-c", `\copy (select i, 'v,' || i as s, case when i = 1 then null else i * 1.5 end as f from range(3) t(i) order by i) to '`+file+`' csv header`)
	if err != nil {
		t.Fatalf("psql \\copy: %v\n%s", err, stderr)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if want := "i,s,f\n0,\"v,0\",0.0\n1,\"v,1\",\n2,\"v,2\",3.0\n"; string(data) != want {
		t.Errorf("\\copy wrote %q, want %q", data, want)
	}
	out, stderr, err := runPsql(t, lg, "-c", `COPY (select 'a' || chr(9) || 'b' as x, null as y) TO STDOUT`)
	if err != nil {
		t.Fatalf("psql COPY: %v\n%s", err, stderr)
	}
	if out != "a\\tb\t\\N\n" {
		t.Errorf("COPY TO STDOUT printed %q", out)
	}
}

// TestCopyExtendedProtocol runs COPY through Parse/Bind/Describe/Execute:
// the portal describes no rows, and Execute answers with the copy, whatever
// its row limit. The message sequence is PostgreSQL's (checked against a
// real PostgreSQL unless -short).
func TestCopyExtendedProtocol(t *testing.T) {
	type server struct{ addr, user string }
	servers := []server{{startLakegate(t).addr, "lakegate"}}
	if !testing.Short() {
		servers = append(servers, server{fmt.Sprintf("127.0.0.1:%d", startPostgres(t).Port), "postgres"})
	}
	for _, srv := range servers {
		rc := dialRaw(t, srv.addr)
		rc.startup(map[string]string{"user": srv.user})
		rc.send(
			&pgproto3.Parse{Query: "copy (select 1 as a union all select 2 order by 1) to stdout (format csv, header)"},
			&pgproto3.Bind{},
			&pgproto3.Describe{ObjectType: 'P'},
			&pgproto3.Execute{MaxRows: 1},
			&pgproto3.Sync{},
		)
		got := rc.receiveUntil("ReadyI")
		want := "ParseComplete BindComplete NoData CopyOutResponse CopyData CopyData CopyData CopyDone CommandComplete ReadyI"
		if joined(got) != want {
			t.Errorf("%s:\n got %s\nwant %s", srv.user, joined(got), want)
		}
		// A binary COPY sends its signature with the first row and its
		// trailer alone.
		rc.send(&pgproto3.Query{String: "copy (select 1::int as a) to stdout (format binary)"})
		var data [][]byte
		for {
			msg, err := rc.fe.Receive()
			if err != nil {
				t.Fatal(err)
			}
			if d, ok := msg.(*pgproto3.CopyData); ok {
				data = append(data, bytes.Clone(d.Data))
			}
			if _, ok := msg.(*pgproto3.ReadyForQuery); ok {
				break
			}
		}
		if len(data) != 2 || !bytes.HasPrefix(data[0], []byte("PGCOPY\n\xff\r\n\x00")) || len(data[0]) != 19+2+4+4 || !bytes.Equal(data[1], []byte{0xff, 0xff}) {
			t.Errorf("%s: binary COPY messages %q", srv.user, data)
		}
	}
}

// TestPortalFetchSizeInTransaction is how pgjdbc reads with setFetchSize
// and autocommit off: a named portal executed a few rows at a time, each
// batch followed by Sync, the portal surviving the Syncs of its
// transaction.
func TestPortalFetchSizeInTransaction(t *testing.T) {
	lg := startLakegate(t)
	rc := dialRaw(t, lg.addr)
	rc.startup(map[string]string{"user": "lakegate"})
	rc.send(&pgproto3.Query{String: "begin"})
	rc.receiveUntil("ReadyT")
	rc.send(
		&pgproto3.Parse{Name: "S_1", Query: "select i from range(5) t(i)"},
		&pgproto3.Bind{PreparedStatement: "S_1", DestinationPortal: "C_1"},
		&pgproto3.Describe{ObjectType: 'P', Name: "C_1"},
		&pgproto3.Execute{Portal: "C_1", MaxRows: 2},
		&pgproto3.Sync{},
	)
	steps := []string{"ParseComplete BindComplete RowDescription D D PortalSuspended ReadyT"}
	got := []string{joined(rc.receiveUntil("ReadyT"))}
	for range 2 {
		rc.send(&pgproto3.Execute{Portal: "C_1", MaxRows: 2}, &pgproto3.Sync{})
		got = append(got, joined(rc.receiveUntil("ReadyT")))
	}
	steps = append(steps, "D D PortalSuspended ReadyT", "D CommandComplete ReadyT")
	rc.send(&pgproto3.Close{ObjectType: 'P', Name: "C_1"}, &pgproto3.Sync{})
	got = append(got, joined(rc.receiveUntil("ReadyT")))
	steps = append(steps, "CloseComplete ReadyT")
	rc.send(&pgproto3.Query{String: "commit"})
	got = append(got, joined(rc.receiveUntil("ReadyI")))
	steps = append(steps, "CommandComplete ReadyI")
	for i := range steps {
		if got[i] != steps[i] {
			t.Errorf("step %d:\n got %s\nwant %s", i, got[i], steps[i])
		}
	}
}
