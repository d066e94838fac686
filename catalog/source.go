package catalog

import "context"

// source is one table's data: where its files are, their index, and the
// SQL with which DuckDB reads them. Implementations are safe for
// concurrent use; load swaps in new state atomically.
type source interface {
	// load reads the table's metadata and (re)builds its file index,
	// incrementally where it can (only new or changed files are read).
	load(ctx context.Context) error
	// viewSQL returns the SELECT that DuckDB runs for the table. files is
	// a DuckDB expression yielding the list of local paths of the data
	// files to read (e.g. getvariable('...')); it is never an empty list.
	viewSQL(ctx context.Context, files string) (string, error)
	// plan returns the data files that may hold a row matching any of
	// filters (all files if filters is empty), and the table's totals
	// before pruning.
	plan(ctx context.Context, filters []Filter) (kept []File, total Totals, err error)
}

// Totals counts files and bytes.
type Totals struct {
	Files int
	Bytes int64
}
