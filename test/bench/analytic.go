package main

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// tpchQueries are TPC-H Q1 and Q6 with the substitution parameters of the
// validation run, written as DuckDB's tpch extension writes them; %s is the
// lineitem table.
var tpchQueries = []struct{ name, sql string }{
	{"Q1", `SELECT l_returnflag, l_linestatus,
	sum(l_quantity) AS sum_qty,
	sum(l_extendedprice) AS sum_base_price,
	sum(l_extendedprice * (1 - l_discount)) AS sum_disc_price,
	sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)) AS sum_charge,
	avg(l_quantity) AS avg_qty,
	avg(l_extendedprice) AS avg_price,
	avg(l_discount) AS avg_disc,
	count(*) AS count_order
FROM %s
WHERE l_shipdate <= CAST('1998-09-02' AS date)
GROUP BY l_returnflag, l_linestatus
ORDER BY l_returnflag, l_linestatus`},
	{"Q6", `SELECT sum(l_extendedprice * l_discount) AS revenue
FROM %s
WHERE l_shipdate >= CAST('1994-01-01' AS date)
	AND l_shipdate < CAST('1995-01-01' AS date)
	AND l_discount BETWEEN 0.05 AND 0.07
	AND l_quantity < 24`},
}

const analyticRuns = 5

type analyticCase struct {
	name     string
	lakegate []time.Duration
	duckdb   []time.Duration
	rows     int
	same     bool // lakegate's text values equal DuckDB's VARCHAR casts
}

// benchAnalytic times each query through lakegate (pgx, every row read)
// and on the reference DuckDB (database/sql, every row scanned): one
// warm-up each, then analyticRuns runs alternating between the two.
func benchAnalytic(ctx context.Context, lg *lakegate, ref *sql.DB) ([]analyticCase, error) {
	conn, err := lg.connect(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	var out []analyticCase
	for _, q := range tpchQueries {
		progress("analytic: %s", q.name)
		lgSQL, refSQL := fmt.Sprintf(q.sql, "bench.lineitem"), fmt.Sprintf(q.sql, "lineitem")
		c := analyticCase{name: q.name}
		got, err := textRows(ctx, conn, lgSQL)
		if err != nil {
			return nil, fmt.Errorf("%s through lakegate: %w", q.name, err)
		}
		want, err := varcharRows(ctx, ref, refSQL)
		if err != nil {
			return nil, fmt.Errorf("%s on DuckDB: %w", q.name, err)
		}
		c.rows = len(got)
		c.same = slices.EqualFunc(got, want, slices.Equal[[]string])
		if !c.same {
			progress("analytic: %s results differ:\nlakegate %v\nduckdb   %v", q.name, got, want)
		}
		// Warm-up: the timed statements themselves, once each.
		if _, _, err := readWire(ctx, conn, lgSQL, pgx.BinaryFormatCode); err != nil {
			return nil, err
		}
		if err := scanAll(ctx, ref, refSQL); err != nil {
			return nil, err
		}
		for range analyticRuns {
			start := time.Now()
			if _, _, err := readWire(ctx, conn, lgSQL, pgx.BinaryFormatCode); err != nil {
				return nil, err
			}
			c.lakegate = append(c.lakegate, time.Since(start))
			start = time.Now()
			if err := scanAll(ctx, ref, refSQL); err != nil {
				return nil, err
			}
			c.duckdb = append(c.duckdb, time.Since(start))
		}
		out = append(out, c)
	}
	return out, nil
}

// textRows reads a result in text format.
func textRows(ctx context.Context, conn *pgx.Conn, query string) ([][]string, error) {
	rs, err := conn.Query(ctx, query, pgx.QueryResultFormats{pgx.TextFormatCode})
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out [][]string
	for rs.Next() {
		var row []string
		for _, v := range rs.RawValues() {
			row = append(row, string(v))
		}
		out = append(out, row)
	}
	return out, rs.Err()
}

// varcharRows runs query on DuckDB with every column cast to VARCHAR, which
// for these types is PostgreSQL's text output too.
func varcharRows(ctx context.Context, db *sql.DB, query string) ([][]string, error) {
	rs, err := db.QueryContext(ctx, "SELECT COLUMNS(*)::VARCHAR FROM ("+query+")")
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	cols, err := rs.Columns()
	if err != nil {
		return nil, err
	}
	var out [][]string
	for rs.Next() {
		row := make([]string, len(cols))
		ptrs := make([]any, len(cols))
		for i := range row {
			ptrs[i] = &row[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			return nil, err
		}
		out = append(out, row)
	}
	return out, rs.Err()
}

// scanAll reads every row of query into Go values.
func scanAll(ctx context.Context, db *sql.DB, query string) error {
	rs, err := db.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rs.Close()
	cols, err := rs.Columns()
	if err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rs.Next() {
		if err := rs.Scan(ptrs...); err != nil {
			return err
		}
	}
	return rs.Err()
}

// trimSQL shows a query on one line in the report.
func trimSQL(s string) string { return strings.Join(strings.Fields(s), " ") }
