package test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestCursorSimpleProtocol is the way Tableau and psycopg2's named
// cursors read results: DECLARE, FETCH n until fewer rows come, CLOSE.
func TestCursorSimpleProtocol(t *testing.T) {
	lg := startLakegate(t)
	conn := lg.connect(t)
	ctx := context.Background()
	simple := pgx.QueryExecModeSimpleProtocol
	for _, sql := range []string{"begin", "declare c cursor for select i::int as i from range(5) t(i)"} {
		if _, err := conn.Exec(ctx, sql, simple); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	var got []int32
	for fetches := 0; ; fetches++ {
		rows, err := conn.Query(ctx, "fetch 2 from c", simple)
		if err != nil {
			t.Fatal(err)
		}
		vals, err := pgx.CollectRows(rows, pgx.RowTo[int32])
		if err != nil {
			t.Fatal(err)
		}
		if tag := rows.CommandTag().String(); tag != "FETCH "+strconv.Itoa(len(vals)) {
			t.Errorf("tag %q after %d rows", tag, len(vals))
		}
		got = append(got, vals...)
		if len(vals) < 2 {
			break
		}
		if fetches > 5 {
			t.Fatal("the cursor does not end")
		}
	}
	if len(got) != 5 || got[0] != 0 || got[4] != 4 {
		t.Errorf("fetched %v", got)
	}
	for _, step := range [][2]string{{"close c", "CLOSE CURSOR"}, {"commit", "COMMIT"}} {
		tag, err := conn.Exec(ctx, step[0], simple)
		if err != nil || tag.String() != step[1] {
			t.Errorf("%s: %v %q", step[0], err, tag)
		}
	}
	_, err := conn.Exec(ctx, "fetch 1 from c", simple)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "34000" {
		t.Errorf("fetch after close: %v", err)
	}
	_, err = conn.Exec(ctx, "declare d cursor for select 1", simple)
	if !errors.As(err, &pgErr) || pgErr.Code != "25P01" {
		t.Errorf("declare outside a transaction: %v", err)
	}
}

// TestCursorExtendedProtocol declares a cursor with a parameter and
// fetches from it with binary results, as psycopg 3 server-side cursors
// do.
func TestCursorExtendedProtocol(t *testing.T) {
	lg := startLakegate(t)
	conn := lg.connect(t)
	ctx := context.Background()
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "declare c cursor with hold for select i, i * 0.5::double as h, 'r' || i as s from range(10) t(i) where i >= $1", 4); err != nil {
		t.Fatal(err)
	}
	type row struct {
		I int64
		H float64
		S string
	}
	rows, _ := tx.Query(ctx, "fetch forward 3 from c")
	got, err := pgx.CollectRows(rows, pgx.RowToStructByPos[row])
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0] != (row{4, 2, "r4"}) || got[2] != (row{6, 3, "r6"}) {
		t.Errorf("fetched %v", got)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	// WITH HOLD: the cursor outlives the transaction.
	var n int
	rows, _ = conn.Query(ctx, "fetch all from c")
	for rows.Next() {
		n++
	}
	if rows.Err() != nil || n != 3 || rows.CommandTag().String() != "FETCH 3" {
		t.Errorf("fetch all after commit: %v, %d rows, %q", rows.Err(), n, rows.CommandTag())
	}
	if _, err := conn.Exec(ctx, "close c"); err != nil {
		t.Error(err)
	}
}

func TestSQLPrepareExecuteWithPgx(t *testing.T) {
	lg := startLakegate(t)
	conn := lg.connect(t)
	ctx := context.Background()
	simple := pgx.QueryExecModeSimpleProtocol
	if tag, err := conn.Exec(ctx, "prepare q(int) as select i::int as i from range(10) t(i) where i < $1 order by i", simple); err != nil || tag.String() != "PREPARE" {
		t.Fatalf("prepare: %v %q", err, tag)
	}
	for _, mode := range []pgx.QueryExecMode{simple, pgx.QueryExecModeExec} {
		rows, _ := conn.Query(ctx, "execute q(3)", mode)
		vals, err := pgx.CollectRows(rows, pgx.RowTo[int32])
		if err != nil || len(vals) != 3 || vals[2] != 2 || rows.CommandTag().String() != "SELECT 3" {
			t.Errorf("execute (mode %v): %v %v %q", mode, err, vals, rows.CommandTag())
		}
	}
	_, err := conn.Exec(ctx, "prepare q as select 1", simple)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "42P05" {
		t.Errorf("duplicate: %v", err)
	}
	if tag, err := conn.Exec(ctx, "deallocate q", simple); err != nil || tag.String() != "DEALLOCATE" {
		t.Errorf("deallocate: %v %q", err, tag)
	}
	_, err = conn.Exec(ctx, "execute q(1)", simple)
	if !errors.As(err, &pgErr) || pgErr.Code != "26000" {
		t.Errorf("execute after deallocate: %v", err)
	}
}

// TestPsqlCursors: psql's FETCH_COUNT reads results through a cursor
// (BEGIN; DECLARE _psql_cursor NO SCROLL CURSOR; FETCH FORWARD n; CLOSE;
// COMMIT), and a -c string of several statements is one implicit
// transaction block, where DECLARE works.
func TestPsqlCursors(t *testing.T) {
	lg := startLakegate(t)
	out, stderr, err := runPsql(t, lg, "-v", "FETCH_COUNT=3", "-c", "select i from range(8) t(i) order by i")
	if err != nil {
		t.Fatalf("psql FETCH_COUNT: %v\n%s", err, stderr)
	}
	if want := "0\n1\n2\n3\n4\n5\n6\n7\n"; out != want {
		t.Errorf("FETCH_COUNT output %q, want %q", out, want)
	}
	out, stderr, err = runPsql(t, lg, "-c", "declare c cursor for select 'x' as v; fetch c; close c")
	if err != nil {
		t.Fatalf("psql implicit block: %v\n%s", err, stderr)
	}
	if !strings.Contains(out, "x\n") {
		t.Errorf("implicit block output %q", out)
	}
}

// TestLakeCursorsCopyAndExecute reads a lake table through a cursor (its
// scans held across FETCHes and a COMMIT), COPY by table name, and a
// prepared statement whose EXECUTE argument prunes partitions.
func TestLakeCursorsCopyAndExecute(t *testing.T) {
	data := t.TempDir()
	writeLake(t, fmt.Sprintf(`COPY (SELECT i AS id, i %% 4 AS part FROM range(40) r(i)) TO '%s/t' (FORMAT parquet, PARTITION_BY (part))`, data))
	lg := startLakegateCatalog(t, t.TempDir(), fmt.Sprintf(`
schemas:
  lake:
    tables:
      t: {format: parquet, location: %q, partitioning: hive}
`, filepath.Join(data, "t")))
	conn := lg.connect(t)
	ctx := context.Background()
	simple := pgx.QueryExecModeSimpleProtocol
	if _, err := conn.Exec(ctx, "begin; declare c cursor with hold for select id from lake.t where part = 1 order by id", simple); err != nil {
		t.Fatal(err)
	}
	sum := func(sql string) (int64, int) {
		rows, _ := conn.Query(ctx, sql, simple)
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		var s int64
		for _, id := range ids {
			s += id
		}
		return s, len(ids)
	}
	if s, n := sum("fetch 3 from c"); n != 3 || s != 1+5+9 {
		t.Errorf("fetch 3: %d rows, sum %d", n, s)
	}
	if _, err := conn.Exec(ctx, "commit", simple); err != nil {
		t.Fatal(err)
	}
	if s, n := sum("fetch all from c"); n != 7 || s != 13+17+21+25+29+33+37 {
		t.Errorf("fetch all after commit: %d rows, sum %d", n, s)
	}
	if _, err := conn.Exec(ctx, "close c", simple); err != nil {
		t.Fatal(err)
	}
	got, tag := copyOut(t, conn, "copy lake.t (id) to stdout")
	if tag != "COPY 40" || bytes.Count(got, []byte("\n")) != 40 {
		t.Errorf("copy lake.t: %q, %d lines", tag, bytes.Count(got, []byte("\n")))
	}
	if _, err := conn.Exec(ctx, "prepare p(int) as select id from lake.t where part = $1", simple); err != nil {
		t.Fatal(err)
	}
	if s, n := sum("execute p(2)"); n != 10 || s != 2+6+10+14+18+22+26+30+34+38 {
		t.Errorf("execute p(2): %d rows, sum %d", n, s)
	}
}
