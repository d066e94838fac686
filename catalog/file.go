package catalog

// File is one data file of a table as the file index knows it.
type File struct {
	// Object is where the file lives and which version of it was indexed.
	Object ObjectInfo
	// Rows is the file's row count, or -1 if unknown.
	Rows int64
	// Columns holds the file's statistics, one per column of the table's
	// index (see fileIndex.columns); partition columns are included, with
	// Min = Max = the file's partition value.
	Columns []ColumnStats
}

// fileIndex is the pruning index of one table: its files with their
// statistics. It is immutable once built; a refresh builds a new one.
type fileIndex struct {
	// columns names the statistics columns, in the order of File.Columns.
	columns []string
	files   []File
	bytes   int64
}

func newFileIndex(columns []string, files []File) *fileIndex {
	ix := &fileIndex{columns: columns, files: files}
	for _, f := range files {
		ix.bytes += f.Object.Size
	}
	return ix
}

// column returns the position of a column in the index, or -1.
func (ix *fileIndex) column(name string) int {
	for i, c := range ix.columns {
		if equalFoldASCII(c, name) {
			return i
		}
	}
	return -1
}

// boundFilter is a Filter with its columns resolved to index positions;
// predicates on columns the index has no statistics for are dropped
// (they cannot prune).
type boundFilter []boundPredicate

type boundPredicate struct {
	column int
	Predicate
}

func (ix *fileIndex) bind(filters []Filter) []boundFilter {
	out := make([]boundFilter, 0, len(filters))
	for _, f := range filters {
		var bf boundFilter
		for _, p := range f {
			if c := ix.column(p.Column); c >= 0 {
				bf = append(bf, boundPredicate{column: c, Predicate: p})
			}
		}
		out = append(out, bf)
	}
	return out
}

// prune returns the files that may hold a row matching any of filters.
// No filters at all means the whole table is read.
func (ix *fileIndex) prune(filters []Filter) []File {
	if len(filters) == 0 {
		return ix.files
	}
	bound := ix.bind(filters)
	for _, bf := range bound {
		if len(bf) == 0 {
			return ix.files // one reference reads everything
		}
	}
	var kept []File
	for i := range ix.files {
		if fileMayMatch(&ix.files[i], bound) {
			kept = append(kept, ix.files[i])
		}
	}
	return kept
}

func fileMayMatch(f *File, filters []boundFilter) bool {
next:
	for _, bf := range filters {
		for _, p := range bf {
			if p.column < len(f.Columns) && !f.Columns[p.column].mayMatch(p.Predicate, f.Rows) {
				continue next
			}
		}
		return true
	}
	return false
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
