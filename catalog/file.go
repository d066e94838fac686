package catalog

import "math"

// File is one data file of a table as the file index knows it.
type File struct {
	// Object is where the file lives and which version of it was indexed.
	Object ObjectInfo
	// Rows is the file's row count, or -1 if unknown.
	Rows int64
	// Columns holds the file's statistics, one per column of the table's
	// index (see fileIndex.columns); partition columns are included, with
	// Min = Max = the file's partition value. newFileIndex moves them into
	// its column-major layout, leaving Columns nil.
	Columns []ColumnStats
}

// fileIndex is the pruning index of one table: its files with their
// statistics. It is immutable once built; a refresh builds a new one.
//
// Statistics are held column by column, with bounds of the common kinds
// in plain slices: pruning 100,000 files then scans a few contiguous
// arrays instead of visiting 100,000 heap blocks of per-file structs,
// which is what made it slow (see docs/benchmarks.md, Pruning).
type fileIndex struct {
	// columns names the statistics columns, in the order of stats.
	columns []string
	files   []File
	rows    []int64
	stats   []columnStats
	bytes   int64
}

// columnStats are one column's statistics over every file of an index.
type columnStats struct {
	// kind is the kind of every file's bounds, or KindUnknown when files
	// disagree (a column whose type changed), in which case the bounds
	// are kept as Values in mixed.
	kind    Kind
	bounded []bool
	nulls   []int64   // -1: unknown
	lo, hi  []int64   // bool, int, date, timestamp
	flo     []float64 // float
	fhi     []float64
	slo     []string // string
	shi     []string
	mixed   []ColumnStats
}

func newFileIndex(columns []string, files []File) *fileIndex {
	ix := &fileIndex{columns: columns, files: files, rows: make([]int64, len(files)), stats: make([]columnStats, len(columns))}
	for i := range files {
		ix.bytes += files[i].Object.Size
		ix.rows[i] = files[i].Rows
	}
	for c := range columns {
		ix.stats[c] = buildColumn(files, c)
	}
	for i := range files {
		files[i].Columns = nil
	}
	return ix
}

// statsOf gives back file i's statistics in per-file form (to carry a
// file unchanged into the next index).
func (ix *fileIndex) statsOf(i int) []ColumnStats {
	out := make([]ColumnStats, len(ix.stats))
	for c := range ix.stats {
		out[c] = ix.stats[c].at(i)
	}
	return out
}

func buildColumn(files []File, c int) columnStats {
	n := len(files)
	cs := columnStats{bounded: make([]bool, n), nulls: make([]int64, n)}
	stat := func(i int) ColumnStats {
		if c < len(files[i].Columns) {
			return files[i].Columns[c]
		}
		return UnknownStats
	}
	kind, first := KindUnknown, true
	for i := range files {
		s := stat(i)
		if !s.HasBounds {
			continue
		}
		if first {
			kind, first = s.Min.Kind, false
		}
		if s.Min.Kind != kind || s.Max.Kind != kind {
			kind = KindUnknown
			break
		}
	}
	cs.kind = kind
	switch kind {
	case KindBool, KindInt, KindDate, KindTimestamp:
		cs.lo, cs.hi = make([]int64, n), make([]int64, n)
	case KindFloat:
		cs.flo, cs.fhi = make([]float64, n), make([]float64, n)
	case KindString:
		cs.slo, cs.shi = make([]string, n), make([]string, n)
	default:
		cs.mixed = make([]ColumnStats, n)
	}
	for i := range files {
		s := stat(i)
		cs.nulls[i] = s.Nulls
		cs.bounded[i] = s.HasBounds
		if cs.mixed != nil {
			cs.mixed[i] = s
			continue
		}
		if !s.HasBounds {
			continue
		}
		switch kind {
		case KindBool, KindInt, KindDate, KindTimestamp:
			cs.lo[i], cs.hi[i] = s.Min.Int, s.Max.Int
		case KindFloat:
			cs.flo[i], cs.fhi[i] = s.Min.Float, s.Max.Float
		case KindString:
			cs.slo[i], cs.shi[i] = s.Min.Str, s.Max.Str
		}
	}
	return cs
}

// at rebuilds file i's ColumnStats.
func (cs *columnStats) at(i int) ColumnStats {
	if cs.mixed != nil {
		return cs.mixed[i]
	}
	s := ColumnStats{HasBounds: cs.bounded[i], Nulls: cs.nulls[i]}
	if !s.HasBounds {
		return s
	}
	s.Min.Kind, s.Max.Kind = cs.kind, cs.kind
	switch cs.kind {
	case KindBool, KindInt, KindDate, KindTimestamp:
		s.Min.Int, s.Max.Int = cs.lo[i], cs.hi[i]
	case KindFloat:
		s.Min.Float, s.Max.Float = cs.flo[i], cs.fhi[i]
	case KindString:
		s.Min.Str, s.Max.Str = cs.slo[i], cs.shi[i]
	}
	return s
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

// boundPredicate is a predicate on an index column, with its constants
// converted once to the column's kind.
type boundPredicate struct {
	column int
	Predicate
	// typed is set when every constant converted to the column's kind:
	// the fast path compares them as such.
	typed bool
}

// boundFilter is a Filter with its columns resolved to index positions;
// predicates on columns the index has no statistics for are dropped
// (they cannot prune).
type boundFilter []boundPredicate

func (ix *fileIndex) bind(filters []Filter) []boundFilter {
	out := make([]boundFilter, 0, len(filters))
	for _, f := range filters {
		bf := boundFilter{}
		for _, p := range f {
			c := ix.column(p.Column)
			if c < 0 {
				continue
			}
			bp := boundPredicate{column: c, Predicate: p}
			if k := ix.stats[c].kind; k != KindUnknown && len(p.Values) > 0 {
				bp.Values, bp.typed = make([]Value, len(p.Values)), true
				for i, v := range p.Values {
					cv, ok := v.CoerceTo(k)
					if !ok || cv.Kind != k || (k == KindFloat && math.IsNaN(cv.Float)) {
						bp.Values, bp.typed = p.Values, false
						break
					}
					bp.Values[i] = cv
				}
			}
			bf = append(bf, bp)
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
	var keep []int32
	for i := range ix.files {
		if ix.fileMayMatch(i, bound) {
			keep = append(keep, int32(i))
		}
	}
	if len(keep) == len(ix.files) {
		return ix.files
	}
	kept := make([]File, len(keep))
	for k, i := range keep {
		kept[k] = ix.files[i]
	}
	return kept
}

func (ix *fileIndex) fileMayMatch(i int, filters []boundFilter) bool {
next:
	for _, bf := range filters {
		for p := range bf {
			if !ix.stats[bf[p].column].mayMatch(i, &bf[p], ix.rows[i]) {
				continue next
			}
		}
		return true
	}
	return false
}

// mayMatch is ColumnStats.mayMatch over file i, comparing typed constants
// directly with the column's slices when it can (the two must agree; a
// test checks that they do).
func (cs *columnStats) mayMatch(i int, p *boundPredicate, rows int64) bool {
	if !p.typed || cs.mixed != nil || !cs.bounded[i] {
		return cs.at(i).mayMatch(p.Predicate, rows)
	}
	nulls := cs.nulls[i]
	if nulls >= 0 && rows >= 0 && nulls == rows { // all NULL: no comparison is true
		return p.Op == OpIsNull
	}
	switch p.Op {
	case OpIsNull:
		return nulls != 0
	case OpIsNotNull:
		return true
	case OpIn:
		for v := range p.Values {
			if cs.mayMatchOne(i, OpEq, &p.Values[v]) {
				return true
			}
		}
		return false
	}
	if len(p.Values) != 1 {
		return true
	}
	return cs.mayMatchOne(i, p.Op, &p.Values[0])
}

func (cs *columnStats) mayMatchOne(i int, op Op, v *Value) bool {
	var lo, hi int // signs of v - min and v - max
	switch cs.kind {
	case KindBool, KindInt, KindDate, KindTimestamp:
		lo, hi = cmp3(v.Int, cs.lo[i]), cmp3(v.Int, cs.hi[i])
	case KindFloat:
		if math.IsNaN(cs.flo[i]) || math.IsNaN(cs.fhi[i]) {
			return true
		}
		lo, hi = cmp3(v.Float, cs.flo[i]), cmp3(v.Float, cs.fhi[i])
	case KindString:
		lo, hi = compareStrings(v.Str, cs.slo[i]), compareStrings(v.Str, cs.shi[i])
	default:
		return true
	}
	return boundsMayMatch(op, lo, hi, cs.kind == KindFloat)
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
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
