package catalog

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// A view's per-file list (lg_meta) is SQL text that DuckDB binds again on
// every query that reads the view: with 100,000 files that takes seconds.
// Past inlineFileMetaRows rows the list is written instead as a Parquet
// file in the source's scratch directory, which DuckDB reads in
// milliseconds. Partition values are stored as text and cast in the view,
// as they are when inlined.

// inlineFileMetaRows is the most per-file rows a view inlines (a variable
// for tests).
var inlineFileMetaRows = 1000

// useScratchDir gives the source a directory, readable by DuckDB, for
// files its views read (see above); without one, views inline everything.
func (s *icebergSource) useScratchDir(dir string) *icebergSource {
	s.scratchDir = dir
	return s
}

var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// columnsWriter collects the columns of a side file.
type columnsWriter struct {
	mem    memory.Allocator
	fields []arrow.Field
	cols   []arrow.Array
}

func (w *columnsWriter) strings(name string, vals []*string) {
	bld := array.NewStringBuilder(w.mem)
	defer bld.Release()
	for _, v := range vals {
		if v == nil {
			bld.AppendNull()
		} else {
			bld.Append(*v)
		}
	}
	w.fields = append(w.fields, arrow.Field{Name: name, Type: arrow.BinaryTypes.String, Nullable: true})
	w.cols = append(w.cols, bld.NewArray())
}

func (w *columnsWriter) lists(name string, vals [][]int) {
	bld := array.NewListBuilder(w.mem, arrow.PrimitiveTypes.Int32)
	defer bld.Release()
	ints := bld.ValueBuilder().(*array.Int32Builder)
	for _, l := range vals {
		if len(l) == 0 {
			bld.AppendNull()
			continue
		}
		bld.Append(true)
		for _, v := range l {
			ints.Append(int32(v))
		}
	}
	w.fields = append(w.fields, arrow.Field{Name: name, Type: arrow.ListOf(arrow.PrimitiveTypes.Int32), Nullable: true})
	w.cols = append(w.cols, bld.NewArray())
}

func (w *columnsWriter) int64s(name string, vals []int64) {
	bld := array.NewInt64Builder(w.mem)
	defer bld.Release()
	bld.AppendValues(vals, nil)
	w.fields = append(w.fields, arrow.Field{Name: name, Type: arrow.PrimitiveTypes.Int64})
	w.cols = append(w.cols, bld.NewArray())
}

// write writes the columns, of rows rows, to a new Parquet file in dir
// and returns its path.
func (w *columnsWriter) write(dir, table string, rows int) (path string, err error) {
	defer func() {
		for _, c := range w.cols {
			c.Release()
		}
	}()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(dir, "iceberg-"+unsafeFileChars.ReplaceAllString(table, "_")+"-*.parquet")
	if err != nil {
		return "", err
	}
	defer func() {
		// pqarrow closes the file when it finishes writing it.
		if cerr := f.Close(); err == nil && !errors.Is(cerr, os.ErrClosed) {
			err = cerr
		}
		if err != nil {
			os.Remove(f.Name())
		}
	}()
	rec := array.NewRecordBatch(arrow.NewSchema(w.fields, nil), w.cols, int64(rows))
	defer rec.Release()
	tbl := array.NewTableFromRecords(rec.Schema(), []arrow.RecordBatch{rec})
	defer tbl.Release()
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Zstd))
	if err := pqarrow.WriteTable(tbl, f, 64<<10, props, pqarrow.DefaultWriterProps()); err != nil {
		return "", fmt.Errorf("writing %s: %w", f.Name(), err)
	}
	return f.Name(), nil
}

// writeFileMeta writes m's per-file rows to a new file in dir.
func writeFileMeta(dir, table string, m *fileMeta) (string, error) {
	w := &columnsWriter{mem: memory.DefaultAllocator}
	ptrs := func(ss []string) []*string {
		out := make([]*string, len(ss))
		for i := range ss {
			out[i] = &ss[i]
		}
		return out
	}
	w.strings("lg_loc", ptrs(m.locs))
	if m.hasPos {
		w.strings("lg_raw", ptrs(m.raws))
		w.lists("lg_pd", m.pos)
	}
	if m.hasEq {
		w.lists("lg_eq", m.eq)
	}
	for _, id := range m.constIDs {
		w.strings("p"+strconv.Itoa(id), m.consts[id])
	}
	return w.write(dir, table, len(m.locs))
}

// writeDeletedRanges writes m's deletion vector ranges to a new file in
// dir.
func writeDeletedRanges(dir, table string, m *fileMeta) (string, error) {
	w := &columnsWriter{mem: memory.DefaultAllocator}
	raws := make([]*string, len(m.dvRaws))
	for i := range m.dvRaws {
		raws[i] = &m.dvRaws[i]
	}
	w.strings("lg_raw", raws)
	w.int64s("lg_from", m.dvFrom)
	w.int64s("lg_to", m.dvTo)
	return w.write(dir, table, len(m.dvRaws))
}

// metaFromFile is the SELECT of a per-file list written by writeFileMeta.
func (b *viewBuilder) metaFromFile(m *fileMeta, path string) string {
	sel := []string{"lg_loc"}
	if m.hasPos {
		sel = append(sel, "lg_raw", "lg_pd")
	}
	if m.hasEq {
		sel = append(sel, "lg_eq")
	}
	for _, id := range m.constIDs {
		c, _ := b.col(id)
		p := "p" + strconv.Itoa(id)
		sel = append(sel, "CAST("+p+" AS "+c.duck+") AS "+p)
	}
	return "SELECT " + strings.Join(sel, ", ") + " FROM read_parquet(" + quoteLiteral(path) + ")"
}
