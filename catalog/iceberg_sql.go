package catalog

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"
	"github.com/apache/iceberg-go/table/dv"
)

// The DuckDB SELECT that reads an Iceberg snapshot.
//
// Data files are read with read_parquet(files, schema=MAP{field_id: {name,
// type, default_value}}), which maps columns by Iceberg field id: renamed
// columns, columns added later (NULL, or their initial default), and
// promoted types (int to long, float to double, wider decimals) come out
// right. Files written outside Iceberg carry no field ids; for them
// DuckDB's schema map is keyed by column name from the table's name
// mapping instead.
//
// What is known per data file rather than per table joins in by each
// file's location, from a list inlined in the view (lg_meta): the values
// of identity partition columns that a file does not store, and which
// delete files apply to it. Delete files are read in place, localized
// when the view is built:
//
//   - positional deletes and deletion vectors: an anti-join on the data
//     file's path and read_parquet's file_row_number;
//   - equality deletes: NOT EXISTS with IS NOT DISTINCT FROM on the
//     equality columns (so NULL matches NULL, as the spec requires).
//
// Which delete file applies to which data file (sequence numbers,
// partitions) is decided by iceberg-go's planner exactly as for its own
// reads, and carried into SQL as per-file lists of delete file numbers:
// a delete never removes rows from a data file written after it.

// Placeholders for the per-query list expressions in a view template.
const (
	filesToken     = "\x00files\x00"
	locationsToken = "\x00locations\x00"
)

// icebergView is the SQL of one loaded snapshot, and the delete files it
// keeps pinned in the file cache.
type icebergView struct {
	// located reads with a list of locations parallel to the files;
	// unlocated takes each local path for its location (tables on local
	// disk, or views that need no per-file facts).
	located, unlocated string
	// perFile is whether the SQL needs each file's location; local is
	// whether every data file is on local disk, read in place.
	perFile, local bool
	// empty is a zero-row SELECT with the table's columns.
	empty string

	releases []func()
	once     sync.Once
}

func (v *icebergView) release() {
	v.once.Do(func() {
		for _, r := range v.releases {
			r()
		}
	})
}

func (v *icebergView) releaseAfter(d time.Duration) {
	if len(v.releases) > 0 {
		time.AfterFunc(d, v.release)
	}
}

// viewSQL returns the SELECT reading the table's current snapshot from
// files, a DuckDB list of the local paths of the files plan kept. The
// view takes each path for the file's location, which holds for tables
// on local disk; a table read through the file cache whose view needs
// per-file facts (deletes, unstored partition values) must be read with
// viewSQLLocated, and viewSQL says so rather than misread it.
func (s *icebergSource) viewSQL(ctx context.Context, files string) (string, error) {
	return s.viewSQLLocated(ctx, files, "")
}

// viewSQLLocated is viewSQL for files read from copies: locations is a
// DuckDB list expression, parallel to files, of each file's
// File.Object.Location as plan returned it.
func (s *icebergSource) viewSQLLocated(_ context.Context, files, locations string) (string, error) {
	st, err := s.current()
	if err != nil {
		return "", err
	}
	v := st.view
	sql := v.unlocated
	if locations != "" {
		sql = v.located
	} else if v.perFile && !v.local {
		return "", fmt.Errorf("iceberg table %s: its files are read from copies and its view needs to know which file each copy is: use viewSQLLocated", s.name)
	}
	return strings.NewReplacer(filesToken, files, locationsToken, locations).Replace(sql), nil
}

// emptySQL is a SELECT of no rows with the table's columns and types, for
// when no data file is to be read (an empty snapshot, or every file
// pruned): read_parquet needs at least one file.
func (s *icebergSource) emptySQL(context.Context) (string, error) {
	st, err := s.current()
	if err != nil {
		return "", err
	}
	return st.view.empty, nil
}

func (st *icebergState) allLocal() bool {
	for _, f := range st.allData {
		if isS3Location(f.Object.Location) {
			return false
		}
	}
	return true
}

// viewColumn is one column read from the data files.
type viewColumn struct {
	id     int
	name   string
	typ    iceberg.Type
	duck   string
	def    string // VARCHAR literal of the initial default
	output bool   // a table column (else read only to apply equality deletes)
	// constant is whether some file takes this column's value from its
	// identity partition.
	constant bool
}

func (c viewColumn) internal() string { return "c" + strconv.Itoa(c.id) }

// value is the column's value in the final SELECT.
func (c viewColumn) value() string {
	if c.constant {
		return "COALESCE(s." + c.internal() + ", m.p" + strconv.Itoa(c.id) + ")"
	}
	return "s." + c.internal()
}

type viewBuilder struct {
	name string
	st   *icebergState
	cols []viewColumn
	byID map[int]int
}

func (b *viewBuilder) col(id int) (*viewColumn, bool) {
	i, ok := b.byID[id]
	if !ok {
		return nil, false
	}
	return &b.cols[i], true
}

func (b *viewBuilder) add(f iceberg.NestedField, output bool) error {
	duck, err := duckType(f.Type)
	if err != nil {
		return fmt.Errorf("iceberg table %s column %s: %w", b.name, f.Name, err)
	}
	def, ok := defaultLiteral(f, b.st.defaults[f.ID])
	if !ok {
		return fmt.Errorf("iceberg table %s column %s: cannot read its initial default %v", b.name, f.Name, f.InitialDefault)
	}
	b.byID[f.ID] = len(b.cols)
	b.cols = append(b.cols, viewColumn{id: f.ID, name: f.Name, typ: f.Type, duck: duck, def: def, output: output})
	return nil
}

func (b *viewBuilder) emptySQL() string {
	var sel []string
	for _, c := range b.cols {
		if c.output {
			sel = append(sel, "CAST(NULL AS "+c.duck+") AS "+duckIdent(c.name))
		}
	}
	if len(sel) == 0 {
		return "SELECT WHERE false"
	}
	return "SELECT " + strings.Join(sel, ", ") + " WHERE false"
}

// buildView prepares the SQL of st's snapshot: it reads the footers it
// needs, localizes the delete files and decodes deletion vectors.
func (s *icebergSource) buildView(ctx context.Context, st *icebergState) (v *icebergView, err error) {
	b := &viewBuilder{name: s.name, st: st, byID: map[int]int{}}
	for _, f := range st.schema.Fields() {
		if err := b.add(f, true); err != nil {
			return nil, err
		}
	}
	v = &icebergView{empty: b.emptySQL()}
	if len(st.files) == 0 {
		v.located, v.unlocated = v.empty, v.empty
		return v, nil
	}
	for _, d := range st.deletes {
		for _, id := range d.eqIDs {
			if _, ok := b.col(id); ok {
				continue
			}
			f, ok := fieldInAnySchema(st.meta, id)
			if !ok {
				return nil, fmt.Errorf("iceberg table %s: equality delete file %s deletes on field %d, which is not a top-level column", s.name, d.raw, id)
			}
			if err := b.add(f, false); err != nil {
				return nil, err
			}
		}
	}
	m, err := s.fileFacts(ctx, b)
	if err != nil {
		return nil, err
	}
	built := v
	defer func() {
		if err != nil {
			built.release() // unpin what was pinned before the failure
		}
	}()
	localDeletes := make([]string, len(st.deletes))
	for i, d := range st.deletes {
		if localDeletes[i], err = s.localizeDelete(ctx, d, v); err != nil {
			return nil, err
		}
	}
	if err := s.readDeletionVectors(ctx, st, m); err != nil {
		return nil, err
	}
	if m.rows() > inlineFileMetaRows {
		if s.scratchDir == "" {
			s.logger.Warn("iceberg view inlines facts on many files, which slows every query; give the source a scratch directory",
				"files", m.rows())
		} else {
			if m.file, err = writeFileMeta(s.scratchDir, s.name, m); err != nil {
				return nil, fmt.Errorf("iceberg table %s: %w", s.name, err)
			}
			path := m.file
			v.releases = append(v.releases, func() { os.Remove(path) })
		}
	}
	if len(m.dvRaws) > inlineFileMetaRows && s.scratchDir != "" {
		if m.dvFile, err = writeDeletedRanges(s.scratchDir, s.name, m); err != nil {
			return nil, fmt.Errorf("iceberg table %s: %w", s.name, err)
		}
		path := m.dvFile
		v.releases = append(v.releases, func() { os.Remove(path) })
	}
	// Per-file facts and a split of the files by name mapping both need
	// to know which file each local path is.
	v.perFile = m.rows() > 0 || m.nameMapped.names != nil && !m.nameMapped.allByName
	v.local = st.allLocal()
	v.unlocated = b.render(m, localDeletes, false)
	v.located = b.render(m, localDeletes, true)
	return v, nil
}

func fieldInAnySchema(meta table.Metadata, id int) (iceberg.NestedField, bool) {
	schemas := meta.Schemas()
	for i := len(schemas) - 1; i >= 0; i-- {
		for _, f := range schemas[i].Fields() {
			if f.ID == id {
				return f, true
			}
		}
	}
	return iceberg.NestedField{}, false
}

// localizeDelete pins a delete file where DuckDB can read it, for as long
// as the view is current.
func (s *icebergSource) localizeDelete(ctx context.Context, d icebergDeleteFile, v *icebergView) (string, error) {
	store, err := s.stores.forLocation(d.loc)
	if err != nil {
		return "", err
	}
	obj, err := store.stat(ctx, d.loc.String())
	if err != nil {
		return "", fmt.Errorf("iceberg table %s: delete file: %w", s.name, err)
	}
	if d.eqIDs != nil {
		// Without field ids read_parquet's schema map would read NULLs,
		// and a NULL delete row deletes every row holding NULL.
		cols, err := readParquetColumns(ctx, store, obj)
		if err != nil {
			return "", fmt.Errorf("iceberg table %s: delete file: %w", s.name, err)
		}
		for _, id := range d.eqIDs {
			if !cols.ids[id] {
				return "", fmt.Errorf("iceberg table %s: equality delete file %s has no column with field id %d", s.name, d.loc, id)
			}
		}
	}
	p, release, err := store.localPath(ctx, obj)
	if err != nil {
		return "", fmt.Errorf("iceberg table %s: delete file %s: %w", s.name, d.loc, err)
	}
	v.releases = append(v.releases, release)
	return p, nil
}

// readDeletionVectors decodes the v3 deletion vectors of the snapshot
// into ranges of deleted positions, per data file.
func (s *icebergSource) readDeletionVectors(ctx context.Context, st *icebergState, m *fileMeta) error {
	fsys, _ := s.fs(st.resolver)(ctx)
	for _, f := range st.files {
		if f.dv == nil {
			continue
		}
		bitmap, err := dv.ReadDV(fsys, f.dv)
		if err != nil {
			return fmt.Errorf("iceberg table %s: deletion vector for %s: %w", s.name, f.raw, err)
		}
		from, to := int64(-1), int64(-1)
		for p := range bitmap.Positions() {
			pos := int64(p)
			if pos == to {
				to++
				continue
			}
			if from >= 0 {
				m.addDeletedRange(f.raw, from, to)
			}
			from, to = pos, pos+1
		}
		if from >= 0 {
			m.addDeletedRange(f.raw, from, to)
		}
	}
	return nil
}

// fileMeta is the per-file list inlined in the view: one row for every
// data file that needs a fact the table-wide SQL cannot give.
type fileMeta struct {
	locs, raws []string
	pos, eq    [][]int
	consts     map[int][]*string // column id -> partition value text per row (nil: NULL)
	constIDs   []int
	hasPos     bool // some file has positional deletes or a deletion vector
	hasEq      bool
	// deletion vector ranges [from, to) by data file path
	dvRaws     []string
	dvFrom     []int64
	dvTo       []int64
	nameMapped nameMappedFiles
	// file and dvFile hold the rows and the deletion vector ranges when
	// they are too many to inline (see iceberg_sidefile.go).
	file, dvFile string
}

func (m *fileMeta) rows() int { return len(m.locs) }

func (m *fileMeta) addDeletedRange(raw string, from, to int64) {
	m.dvRaws, m.dvFrom, m.dvTo = append(m.dvRaws, raw), append(m.dvFrom, from), append(m.dvTo, to)
	m.hasPos = true
}

// nameMappedFiles says which files are read by field id and which by the
// name mapping.
type nameMappedFiles struct {
	names map[int][]string // field id -> mapped names; nil without a mapping
	// byName lists the locations of files without field ids when both
	// kinds exist; allByName says every file lacks them.
	byName    []string
	byID      []string
	allByName bool
}

// fileFacts works out, per data file, which identity partition values it
// lacks and which deletes apply, reading footers where the manifests
// cannot tell.
func (s *icebergSource) fileFacts(ctx context.Context, b *viewBuilder) (*fileMeta, error) {
	st := b.st
	m := &fileMeta{consts: map[int][]*string{}}
	m.nameMapped.names = mappedNames(st.meta.NameMapping())
	// identity[spec] lists (partition field id, column id) of the spec's
	// identity partitions on columns read here.
	identity := map[int][][2]int{}
	for _, spec := range st.meta.PartitionSpecs() {
		for _, f := range spec.Fields() {
			if _, ok := f.Transform.(iceberg.IdentityTransform); !ok || len(f.SourceIDs) != 1 {
				continue
			}
			if _, ok := b.col(f.SourceID()); ok {
				identity[spec.ID()] = append(identity[spec.ID()], [2]int{f.FieldID, f.SourceID()})
			}
		}
	}
	// Footers tell whether a file stores its partition columns and
	// whether it has field ids at all; the manifests do not (writers
	// report metrics for partition columns they did not store).
	var need []File
	var needIdx []int
	for i, f := range st.files {
		if m.nameMapped.names != nil || len(identity[f.spec]) > 0 {
			need = append(need, f.file)
			needIdx = append(needIdx, i)
		}
	}
	footers := make([]*parquetColumns, len(st.files))
	if len(need) > 0 {
		cols, err := s.footers.columns(ctx, s.stores, need)
		if err != nil {
			return nil, fmt.Errorf("iceberg table %s: %w", s.name, err)
		}
		for k, i := range needIdx {
			footers[i] = &cols[k]
		}
	}
	if m.nameMapped.names != nil {
		for i, f := range st.files {
			if footers[i].hasIDs() {
				m.nameMapped.byID = append(m.nameMapped.byID, f.file.Object.Location)
			} else {
				m.nameMapped.byName = append(m.nameMapped.byName, f.file.Object.Location)
			}
		}
		switch {
		case len(m.nameMapped.byName) == 0:
			m.nameMapped.names = nil // every file has ids
		case len(m.nameMapped.byID) == 0:
			m.nameMapped.allByName = true
		}
	}
	for i, f := range st.files {
		var consts map[int]*string
		for _, pc := range identity[f.spec] {
			if footers[i] != nil && stores(footers[i], pc[1], m.nameMapped.names) {
				continue
			}
			c, _ := b.col(pc[1])
			var text *string
			if v := f.part[pc[0]]; v != nil {
				t, ok := valueText(c.typ, v)
				if !ok {
					return nil, fmt.Errorf("iceberg table %s: cannot read partition value %v (%T) of column %s in %s", s.name, v, v, c.name, f.raw)
				}
				text = &t
			}
			if consts == nil {
				consts = map[int]*string{}
			}
			consts[pc[1]] = text
			c.constant = true
		}
		if consts == nil && len(f.pos) == 0 && len(f.eq) == 0 && f.dv == nil {
			continue
		}
		m.locs = append(m.locs, f.file.Object.Location)
		m.raws = append(m.raws, f.raw)
		m.pos = append(m.pos, f.pos)
		m.eq = append(m.eq, f.eq)
		m.hasPos = m.hasPos || len(f.pos) > 0 || f.dv != nil
		m.hasEq = m.hasEq || len(f.eq) > 0
		for id := range consts {
			if _, ok := m.consts[id]; !ok {
				m.constIDs = append(m.constIDs, id)
				m.consts[id] = make([]*string, len(m.locs)-1) // earlier rows: NULL
			}
		}
		for _, id := range m.constIDs {
			m.consts[id] = append(m.consts[id], consts[id])
		}
	}
	slices.Sort(m.constIDs)
	return m, nil
}

// stores reports whether a file's footer shows that it stores column id
// (by field id, or by a mapped name for files without ids).
func stores(c *parquetColumns, id int, names map[int][]string) bool {
	if c.hasIDs() {
		return c.ids[id]
	}
	for _, n := range names[id] {
		if c.names[n] {
			return true
		}
	}
	return false
}

// mappedNames flattens a name mapping's top-level fields; nil without a
// mapping. Nested fields are matched by name by DuckDB itself.
func mappedNames(nm iceberg.NameMapping) map[int][]string {
	if len(nm) == 0 {
		return nil
	}
	out := map[int][]string{}
	seen := map[string]bool{}
	for _, f := range nm {
		if f.FieldID == nil {
			continue
		}
		for _, n := range f.Names {
			if !seen[n] {
				seen[n] = true
				out[*f.FieldID] = append(out[*f.FieldID], n)
			}
		}
	}
	return out
}
