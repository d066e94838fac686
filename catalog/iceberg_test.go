package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

// Test helpers for Iceberg sources: open a table, plan it, and read it
// through DuckDB exactly as the catalog does (SET VARIABLE with the kept
// files' local paths, CREATE VIEW with viewSQL).

// icebergFixtures is the folder of real Iceberg tables written by Spark
// and pyiceberg (see its README); the tests skip when it is absent.
func icebergFixtures(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "shared", "fixtures", "iceberg"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "data")); err != nil {
		t.Skipf("no Iceberg fixtures at %s", dir)
	}
	return dir
}

func icebergTestLogger(t testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// openIceberg loads the table at loc (a directory or metadata file) from
// local disk.
func openIceberg(t testing.TB, loc string) *icebergSource {
	t.Helper()
	return openIcebergWith(t, loc, localStore{})
}

func openIcebergWith(t testing.TB, loc string, store objectStore) *icebergSource {
	t.Helper()
	src := newIcebergSource(filepath.Base(loc), location{path: loc}, store, nil, icebergTestLogger(t))
	if err := src.load(context.Background()); err != nil {
		t.Fatalf("loading %s: %v", loc, err)
	}
	t.Cleanup(src.close)
	return src
}

// duck is a DuckDB database for reading tables in tests.
type duck struct {
	t  testing.TB
	db *sql.DB
}

func newDuck(t testing.TB) *duck {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1) // variables and views live in one connection
	t.Cleanup(func() { db.Close() })
	return &duck{t: t, db: db}
}

func (d *duck) exec(q string) {
	d.t.Helper()
	if _, err := d.db.Exec(q); err != nil {
		d.t.Fatalf("%v\n%s", err, q)
	}
}

// rows runs q and returns its rows with every value as text ("NULL" for
// NULL), in DuckDB's own text form.
func (d *duck) rows(q string) [][]string {
	d.t.Helper()
	out, err := d.tryRows(q)
	if err != nil {
		d.t.Fatalf("%v\n%s", err, q)
	}
	return out
}

func (d *duck) tryRows(q string) ([][]string, error) {
	r, err := d.db.Query("SELECT CAST(COLUMNS(*) AS VARCHAR) FROM (" + q + ")")
	if err != nil {
		return nil, err
	}
	defer r.Close()
	cols, err := r.Columns()
	if err != nil {
		return nil, err
	}
	var out [][]string
	for r.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := r.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = "NULL"
			if v.Valid {
				row[i] = v.String
			}
		}
		out = append(out, row)
	}
	return out, r.Err()
}

// bind plans src with filters and makes view name read the kept files,
// as the catalog does per query; it returns the kept files.
func (d *duck) bind(src *icebergSource, name string, filters []Filter) []File {
	d.t.Helper()
	ctx := context.Background()
	kept, _, err := src.plan(ctx, filters)
	if err != nil {
		d.t.Fatalf("plan %s: %v", name, err)
	}
	var view string
	if len(kept) == 0 {
		view, err = src.emptySQL(ctx)
	} else {
		paths := make([]string, len(kept))
		for i, f := range kept {
			paths[i] = quoteLiteral(f.Object.Location)
		}
		d.exec(fmt.Sprintf("SET VARIABLE %s_files = [%s]", name, strings.Join(paths, ", ")))
		view, err = src.viewSQL(ctx, fmt.Sprintf("getvariable('%s_files')", name))
	}
	if err != nil {
		d.t.Fatalf("view %s: %v", name, err)
	}
	d.exec(fmt.Sprintf("CREATE OR REPLACE VIEW %s AS %s", name, view))
	return kept
}

// text joins rows for comparison and failure messages.
func rowsText(rows [][]string) string {
	lines := make([]string, len(rows))
	for i, r := range rows {
		lines[i] = strings.Join(r, "|")
	}
	return strings.Join(lines, "\n")
}

func eqFilter(col string, v Value) []Filter {
	return []Filter{{{Column: col, Op: OpEq, Values: []Value{v}}}}
}
