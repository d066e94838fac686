package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/jackc/pgx/v5"
)

// wireCase is one way of reading the whole wide table.
type wireCase struct {
	system string
	format string
	times  []time.Duration
	rows   int64
	bytes  int64 // value bytes received (pgx RawValues), 0 for DuckDB
}

type wireResults struct {
	cases []*wireCase
	// same reports whether lakegate and PostgreSQL sent the same values.
	same []string
}

var formats = []struct {
	name string
	code int16
}{{"binary", pgx.BinaryFormatCode}, {"text", pgx.TextFormatCode}}

// benchWire reads the whole wide table from lakegate, PostgreSQL (when pg
// is not nil) and the embedded reference DuckDB, one warm-up read per
// system and then o.runs reads per format.
func benchWire(ctx context.Context, o options, lg *lakegate, pg *postgres, ref *sql.DB, path string) (*wireResults, error) {
	res := &wireResults{}
	type server struct {
		name, query string
		conn        *pgx.Conn
	}
	lgConn, err := lg.connect(ctx)
	if err != nil {
		return nil, err
	}
	defer lgConn.Close(ctx)
	servers := []server{{"lakegate", "SELECT * FROM bench.wide", lgConn}}
	if pg != nil {
		pgConn, err := pg.connect(ctx)
		if err != nil {
			return nil, err
		}
		defer pgConn.Close(ctx)
		servers = append(servers, server{"PostgreSQL", "SELECT * FROM wide", pgConn})
		for _, f := range formats {
			res.same = append(res.same, compareRows(ctx, lgConn, pgConn, f.name, f.code))
		}
	}
	query := "SELECT * FROM read_parquet(" + quote(path) + ")"
	for _, s := range servers {
		progress("wire: %s warm-up", s.name)
		if _, _, err := readWire(ctx, s.conn, s.query, pgx.BinaryFormatCode); err != nil {
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
		for _, f := range formats {
			res.cases = append(res.cases, &wireCase{system: s.name, format: f.name})
		}
	}
	progress("wire: embedded DuckDB warm-up")
	if _, err := scanDuckDB(ctx, ref, query); err != nil {
		return nil, err
	}
	duck := &wireCase{system: "DuckDB embedded (database/sql)", format: "Go values"}
	res.cases = append(res.cases, duck)

	// Runs interleave the cases so that a disturbance on the machine is
	// spread over all of them rather than landing on one.
	for run := range o.runs {
		i := 0
		for _, s := range servers {
			for _, f := range formats {
				c := res.cases[i]
				i++
				start := time.Now()
				rows, n, err := readWire(ctx, s.conn, s.query, f.code)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", s.name, err)
				}
				c.times = append(c.times, time.Since(start))
				c.rows, c.bytes = rows, n
				progress("wire run %d: %s %s: %d rows in %v", run+1, s.name, f.name, rows, c.times[run].Round(time.Millisecond))
			}
		}
		start := time.Now()
		rows, err := scanDuckDB(ctx, ref, query)
		if err != nil {
			return nil, err
		}
		duck.times = append(duck.times, time.Since(start))
		duck.rows = rows
		progress("wire run %d: DuckDB: %d rows in %v", run+1, rows, duck.times[run].Round(time.Millisecond))
	}
	for _, c := range res.cases {
		if c.rows != int64(o.rows) {
			return nil, fmt.Errorf("%s %s: read %d rows, want %d", c.system, c.format, c.rows, o.rows)
		}
	}
	return res, nil
}

// readWire runs query with every result column in the given format and
// reads all rows without decoding them.
func readWire(ctx context.Context, conn *pgx.Conn, query string, format int16) (rows, n int64, err error) {
	rs, err := conn.Query(ctx, query, pgx.QueryResultFormats{format})
	if err != nil {
		return 0, 0, err
	}
	defer rs.Close()
	for rs.Next() {
		rows++
		for _, v := range rs.RawValues() {
			n += int64(len(v))
		}
	}
	rs.Close()
	return rows, n, rs.Err()
}

// scanDuckDB runs query on the reference DuckDB and scans every row into Go
// values of the columns' types.
func scanDuckDB(ctx context.Context, db *sql.DB, query string) (int64, error) {
	rs, err := db.QueryContext(ctx, query)
	if err != nil {
		return 0, err
	}
	defer rs.Close()
	var (
		id, qty int64
		price   float64
		amount  duckdb.Decimal
		name    string
		day, ts time.Time
		active  bool
		rows    int64
	)
	for rs.Next() {
		if err := rs.Scan(&id, &qty, &price, &amount, &name, &day, &ts, &active); err != nil {
			return rows, err
		}
		rows++
	}
	return rows, rs.Err()
}

// compareRows compares the first thousand rows (by id) that lakegate and
// PostgreSQL send in one format, byte for byte.
func compareRows(ctx context.Context, lgConn, pgConn *pgx.Conn, name string, format int16) string {
	const n = 1000
	query := fmt.Sprintf("SELECT * FROM %%s ORDER BY id LIMIT %d", n)
	fetch := func(conn *pgx.Conn, table string) ([][][]byte, error) {
		rs, err := conn.Query(ctx, fmt.Sprintf(query, table), pgx.QueryResultFormats{format})
		if err != nil {
			return nil, err
		}
		defer rs.Close()
		var out [][][]byte
		for rs.Next() {
			row := make([][]byte, 0, 8)
			for _, v := range rs.RawValues() {
				row = append(row, bytes.Clone(v))
			}
			out = append(out, row)
		}
		return out, rs.Err()
	}
	a, err := fetch(lgConn, "bench.wide")
	if err != nil {
		return fmt.Sprintf("%s: lakegate error: %v", name, err)
	}
	b, err := fetch(pgConn, "wide")
	if err != nil {
		return fmt.Sprintf("%s: PostgreSQL error: %v", name, err)
	}
	if len(a) != len(b) {
		return fmt.Sprintf("%s: lakegate sent %d rows, PostgreSQL %d", name, len(a), len(b))
	}
	cols := []string{"id", "qty", "price", "amount", "name", "order_date", "created_at", "active"}
	differ := map[string]string{}
	var order []string
	for r := range a {
		for c := range a[r] {
			if !bytes.Equal(a[r][c], b[r][c]) {
				if _, seen := differ[cols[c]]; !seen {
					order = append(order, cols[c])
					differ[cols[c]] = fmt.Sprintf("`%s`: lakegate %s, PostgreSQL %s", cols[c], show(a[r][c], format), show(b[r][c], format))
				}
			}
		}
	}
	if len(order) == 0 {
		return fmt.Sprintf("%s: the first %d rows are byte-for-byte identical", name, n)
	}
	s := fmt.Sprintf("%s: values differ in %d of 8 columns; first difference per column:", name, len(order))
	for _, c := range order {
		s += " " + differ[c] + ";"
	}
	return s
}

func show(v []byte, format int16) string {
	if v == nil {
		return "NULL"
	}
	if format == pgx.TextFormatCode {
		return fmt.Sprintf("%q", v)
	}
	return fmt.Sprintf("%x", v)
}
