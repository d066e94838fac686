package main

import (
	"context"
	"database/sql"
	"fmt"

	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" database/sql driver
)

// openReference opens the embedded DuckDB that writes the data and serves as
// the in-process, no-network reference. It is a separate DuckDB database
// from lakegate's, configured with the same thread count.
func openReference(threads int) (*sql.DB, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, err
	}
	// One connection: the macros and settings below then apply to every
	// statement, and reference queries run on one connection as lakegate's
	// sessions do.
	db.SetMaxOpenConns(1)
	setup := []string{
		"SET TimeZone = 'UTC'",
		"SET preserve_insertion_order = true",
		// mix is a multiply-xorshift-multiply hash of (x, salt) onto
		// [0, 2^32), in UBIGINT so that no step overflows.
		`CREATE MACRO mix(x, salt) AS
			((xor((x::UBIGINT * 2654435761 + salt::UBIGINT * 40503 + 12345) % 4294967296,
			      ((x::UBIGINT * 2246822519 + salt::UBIGINT * 3266489917) % 4294967296) >> 15)
			  * 668265263) % 4294967296)::BIGINT`,
	}
	if threads > 0 {
		setup = append(setup, fmt.Sprintf("SET threads = %d", threads))
	}
	for _, s := range setup {
		if _, err := db.Exec(s); err != nil {
			db.Close()
			return nil, fmt.Errorf("duckdb: %s: %w", s, err)
		}
	}
	return db, nil
}

// wideColumns is the wire-throughput table in PostgreSQL terms.
const wideColumns = `id bigint, qty integer, price double precision, amount numeric(12,2),
	name text, order_date date, created_at timestamp, active boolean`

// writeWide writes n rows of eight mixed columns: a bigint key, an integer,
// a double, a decimal(12,2), a 10-20 character text, a date, a timestamp
// and a boolean.
func writeWide(ctx context.Context, db *sql.DB, path string, n int) error {
	q := fmt.Sprintf(`COPY (
		SELECT i AS id,
			(mix(i, 1) %% 1000000)::INTEGER AS qty,
			mix(i, 2)::DOUBLE / 4294967296.0 * 10000 AS price,
			((mix(i, 3) %% 100000000) / 100)::DECIMAL(12, 2) AS amount,
			'c' || mix(i, 4)::VARCHAR || substr('-abcdefghi', 1, (mix(i, 5) %% 10)::INTEGER) AS name,
			DATE '2000-01-01' + (mix(i, 6) %% 9000)::INTEGER AS order_date,
			TIMESTAMP '2000-01-01 00:00:00' + to_microseconds(mix(i, 7) * 200000) AS created_at,
			mix(i, 8) %% 2 = 0 AS active
		FROM range(%d) t(i)
	) TO %s (FORMAT parquet)`, n, quote(path))
	_, err := db.ExecContext(ctx, q)
	return err
}

// writeLineitem writes n rows of the TPC-H lineitem columns that Q1 and Q6
// read, with TPC-H's domains and rules: quantity 1-50, discount 0.00-0.10,
// tax 0.00-0.08, ship dates 1992-01-02 .. 1998-12-01, receipt 1-30 days
// after shipping, return flag R or A when received by 1995-06-17 and N
// after, line status O when shipped after 1995-06-17 and F before (so Q1
// finds TPC-H's four groups). There is no tpch extension here, so the
// values come from mix().
func writeLineitem(ctx context.Context, db *sql.DB, path string, n int) error {
	q := fmt.Sprintf(`COPY (
		WITH l AS (
			SELECT i, 1 + mix(i, 12) %% 50 AS qty,
				DATE '1992-01-02' + (mix(i, 11) %% 2526)::INTEGER AS l_shipdate,
				DATE '1992-01-02' + (mix(i, 11) %% 2526 + 1 + mix(i, 18) %% 30)::INTEGER AS l_receiptdate
			FROM range(%d) t(i)
		)
		SELECT i // 4 + 1 AS l_orderkey,
			(i %% 4 + 1)::INTEGER AS l_linenumber,
			qty::DECIMAL(15, 2) AS l_quantity,
			(qty * (900 + (mix(i, 13) %% 100100) / 100))::DECIMAL(15, 2) AS l_extendedprice,
			((mix(i, 14) %% 11) / 100)::DECIMAL(15, 2) AS l_discount,
			((mix(i, 15) %% 9) / 100)::DECIMAL(15, 2) AS l_tax,
			CASE WHEN l_receiptdate > DATE '1995-06-17' THEN 'N'
				WHEN mix(i, 16) %% 2 = 0 THEN 'R' ELSE 'A' END AS l_returnflag,
			CASE WHEN l_shipdate > DATE '1995-06-17' THEN 'O' ELSE 'F' END AS l_linestatus,
			l_shipdate,
			l_shipdate + (30 + mix(i, 17) %% 61)::INTEGER AS l_commitdate,
			l_receiptdate
		FROM l
	) TO %s (FORMAT parquet)`, n, quote(path))
	_, err := db.ExecContext(ctx, q)
	return err
}
