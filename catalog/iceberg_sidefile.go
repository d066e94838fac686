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

// writeFileMeta writes m to a new file in dir and returns its path.
func writeFileMeta(dir, table string, m *fileMeta) (path string, err error) {
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
	mem := memory.DefaultAllocator
	var fields []arrow.Field
	var cols []arrow.Array
	addStrings := func(name string, vals []*string) {
		bld := array.NewStringBuilder(mem)
		defer bld.Release()
		for _, v := range vals {
			if v == nil {
				bld.AppendNull()
			} else {
				bld.Append(*v)
			}
		}
		fields = append(fields, arrow.Field{Name: name, Type: arrow.BinaryTypes.String, Nullable: true})
		cols = append(cols, bld.NewArray())
	}
	addLists := func(name string, vals [][]int) {
		bld := array.NewListBuilder(mem, arrow.PrimitiveTypes.Int32)
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
		fields = append(fields, arrow.Field{Name: name, Type: arrow.ListOf(arrow.PrimitiveTypes.Int32), Nullable: true})
		cols = append(cols, bld.NewArray())
	}
	ptrs := func(ss []string) []*string {
		out := make([]*string, len(ss))
		for i := range ss {
			out[i] = &ss[i]
		}
		return out
	}
	addStrings("lg_loc", ptrs(m.locs))
	if m.hasPos {
		addStrings("lg_raw", ptrs(m.raws))
		addLists("lg_pd", m.pos)
	}
	if m.hasEq {
		addLists("lg_eq", m.eq)
	}
	for _, id := range m.constIDs {
		addStrings("p"+strconv.Itoa(id), m.consts[id])
	}
	rec := array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, int64(len(m.locs)))
	defer rec.Release()
	for _, c := range cols {
		c.Release()
	}
	tbl := array.NewTableFromRecords(rec.Schema(), []arrow.RecordBatch{rec})
	defer tbl.Release()
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Zstd))
	if err := pqarrow.WriteTable(tbl, f, 64<<10, props, pqarrow.DefaultWriterProps()); err != nil {
		return "", fmt.Errorf("writing %s: %w", f.Name(), err)
	}
	return f.Name(), nil
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
