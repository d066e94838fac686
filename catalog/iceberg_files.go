package catalog

import (
	"context"
	"fmt"
	"sync"

	"github.com/apache/iceberg-go"
	"golang.org/x/sync/errgroup"
)

// The data and delete files of a snapshot, as iceberg-go planned them,
// and what lakegate remembers about them between loads.

// icebergDataFile is one data file of a snapshot.
type icebergDataFile struct {
	raw  string // the path as the manifest writes it
	file File
	spec int
	part map[int]any // partition values by partition field id
	// pos and eq are the positional and equality delete files that apply
	// to this file (1-based indexes into icebergState.deletes), as
	// iceberg-go matched them by sequence number and partition.
	pos, eq []int
	dv      iceberg.DataFile // deletion vector (v3), or nil
}

// icebergDeleteFile is one positional or equality delete file.
type icebergDeleteFile struct {
	raw   string
	loc   location
	eqIDs []int // equality field ids; nil for positional deletes
	size  int64
}

// planAll lists the snapshot's live data files with the delete files that
// apply to each: an unfiltered iceberg-go plan.
func (s *icebergSource) planAll(ctx context.Context, st *icebergState) error {
	tasks, err := st.scan().PlanFiles(ctx)
	if err != nil {
		return fmt.Errorf("planning iceberg table %s snapshot %d: %w", s.name, st.snapshot.SnapshotID, err)
	}
	st.byRaw = make(map[string]int, len(tasks))
	deleteIndex := map[string]int{}
	addDelete := func(d iceberg.DataFile, eq bool) (int, error) {
		if i, ok := deleteIndex[d.FilePath()]; ok {
			return i, nil
		}
		if d.FileFormat() != iceberg.ParquetFile {
			return 0, fmt.Errorf("iceberg table %s: delete file %s is %s; only Parquet delete files are supported", s.name, d.FilePath(), d.FileFormat())
		}
		loc, err := st.resolver.resolve(d.FilePath())
		if err != nil {
			return 0, err
		}
		df := icebergDeleteFile{raw: d.FilePath(), loc: loc, size: d.FileSizeBytes()}
		if eq {
			df.eqIDs = d.EqualityFieldIDs()
			if len(df.eqIDs) == 0 {
				return 0, fmt.Errorf("iceberg table %s: equality delete file %s names no equality fields", s.name, d.FilePath())
			}
		}
		st.deletes = append(st.deletes, df)
		deleteIndex[d.FilePath()] = len(st.deletes)
		return len(st.deletes), nil
	}
	for _, t := range tasks {
		raw := t.File.FilePath()
		if _, dup := st.byRaw[raw]; dup {
			continue // a file split into several tasks
		}
		if t.File.FileFormat() != iceberg.ParquetFile {
			return fmt.Errorf("iceberg table %s: data file %s is %s; only Parquet data files are supported", s.name, raw, t.File.FileFormat())
		}
		loc, err := st.resolver.resolve(raw)
		if err != nil {
			return fmt.Errorf("iceberg table %s: %w", s.name, err)
		}
		f := icebergDataFile{
			raw:  raw,
			file: File{Object: ObjectInfo{Location: loc.String(), Size: t.File.FileSizeBytes()}, Rows: t.File.Count()},
			spec: int(t.File.SpecID()),
			part: t.File.Partition(),
		}
		for _, d := range t.DeleteFiles {
			i, err := addDelete(d, false)
			if err != nil {
				return err
			}
			f.pos = append(f.pos, i)
		}
		for _, d := range t.EqualityDeleteFiles {
			i, err := addDelete(d, true)
			if err != nil {
				return err
			}
			f.eq = append(f.eq, i)
		}
		switch len(t.DeletionVectorFiles) {
		case 0:
		case 1:
			f.dv = t.DeletionVectorFiles[0]
		default:
			return fmt.Errorf("iceberg table %s: %d deletion vectors for %s", s.name, len(t.DeletionVectorFiles), raw)
		}
		st.byRaw[raw] = len(st.files)
		st.files = append(st.files, f)
		st.allData = append(st.allData, f.file)
		st.total.Files++
		st.total.Bytes += f.file.Object.Size
	}
	return nil
}

// withVersions fills in the S3 ETags of kept files: the file cache keys
// S3 objects by ETag, which manifests do not record. Data files are never
// rewritten in place, so each is stat'ed once per source.
func (s *icebergSource) withVersions(ctx context.Context, st *icebergState, kept []File) ([]File, error) {
	var out []File // a copy: kept may be shared with the plan cache
	var missing []int
	for i, f := range kept {
		if f.Object.ETag != "" || !isS3Location(f.Object.Location) {
			continue
		}
		if out == nil {
			out = append([]File(nil), kept...)
		}
		if obj, ok := st.versions.get(f.Object.Location); ok {
			out[i].Object = obj
		} else {
			missing = append(missing, i)
		}
	}
	if out == nil {
		return kept, nil
	}
	if len(missing) == 0 {
		return out, nil
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(footerReaders)
	for _, i := range missing {
		g.Go(func() error {
			loc, err := parseLocation(out[i].Object.Location, "/")
			if err != nil {
				return err
			}
			store, err := s.stores.forLocation(loc)
			if err != nil {
				return err
			}
			obj, err := store.stat(gctx, loc.String())
			if err != nil {
				return fmt.Errorf("iceberg table %s: data file: %w", s.name, err)
			}
			obj.Location = out[i].Object.Location
			out[i].Object = obj
			st.versions.put(obj)
			return nil
		})
	}
	return out, g.Wait()
}

func isS3Location(s string) bool {
	loc, err := parseLocation(s, "/")
	return err == nil && loc.isS3()
}

// versionMemo maps a data file's location to its stat'ed ObjectInfo.
type versionMemo struct {
	mu    sync.Mutex
	byLoc map[string]ObjectInfo
}

func newVersionMemo() *versionMemo { return &versionMemo{byLoc: map[string]ObjectInfo{}} }

func (m *versionMemo) get(loc string) (ObjectInfo, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.byLoc[loc]
	return o, ok
}

func (m *versionMemo) put(o ObjectInfo) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.byLoc[o.Location] = o
}

// inherit copies prev's entries for files still in the table.
func (m *versionMemo) inherit(prev *versionMemo, files []icebergDataFile) {
	prev.mu.Lock()
	defer prev.mu.Unlock()
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, f := range files {
		if o, ok := prev.byLoc[f.file.Object.Location]; ok {
			m.byLoc[o.Location] = o
		}
	}
}

// planCache keeps the results of recent filtered plans of one snapshot:
// dashboards repeat the same filters.
type planCache struct {
	mu    sync.Mutex
	order []string
	plans map[string][]File
}

const planCacheSize = 128

func newPlanCache() *planCache { return &planCache{plans: map[string][]File{}} }

func (c *planCache) get(key string) ([]File, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, ok := c.plans[key]
	return f, ok
}

func (c *planCache) put(key string, files []File) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.plans[key]; ok {
		return
	}
	if len(c.order) == planCacheSize {
		delete(c.plans, c.order[0])
		c.order = c.order[1:]
	}
	c.order = append(c.order, key)
	c.plans[key] = files
}

// parquetColumns is what a data file's footer says about its top-level
// columns: the field ids it carries (none for files written outside
// Iceberg, which need the table's name mapping) and its column names.
type parquetColumns struct {
	ids   map[int]bool
	names map[string]bool
}

func (c parquetColumns) hasIDs() bool { return len(c.ids) > 0 }

// footerMemo remembers parquetColumns by data file location.
type footerMemo struct {
	mu    sync.Mutex
	byLoc map[string]parquetColumns
}

func newFooterMemo() *footerMemo { return &footerMemo{byLoc: map[string]parquetColumns{}} }

// columns returns the footer facts of files, reading the footers not read
// before, and forgets files no longer asked about.
func (m *footerMemo) columns(ctx context.Context, stores *icebergStores, files []File) ([]parquetColumns, error) {
	out := make([]parquetColumns, len(files))
	m.mu.Lock()
	var missing []int
	for i, f := range files {
		if c, ok := m.byLoc[f.Object.Location]; ok {
			out[i] = c
		} else {
			missing = append(missing, i)
		}
	}
	m.mu.Unlock()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(footerReaders)
	for _, i := range missing {
		g.Go(func() error {
			loc, err := parseLocation(files[i].Object.Location, "/")
			if err != nil {
				return err
			}
			store, err := stores.forLocation(loc)
			if err != nil {
				return err
			}
			c, err := readParquetColumns(gctx, store, files[i].Object)
			out[i] = c
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	live := make(map[string]parquetColumns, len(files))
	for i, f := range files {
		live[f.Object.Location] = out[i]
	}
	m.byLoc = live
	return out, nil
}

// readParquetColumns reads a Parquet footer's top-level schema.
func readParquetColumns(ctx context.Context, store objectStore, obj ObjectInfo) (parquetColumns, error) {
	md, err := readFooterMetadata(ctx, store, obj)
	if err != nil {
		return parquetColumns{}, err
	}
	root := md.Schema.Root()
	c := parquetColumns{ids: map[int]bool{}, names: map[string]bool{}}
	for i := 0; i < root.NumFields(); i++ {
		f := root.Field(i)
		c.names[f.Name()] = true
		if id := f.FieldID(); id >= 0 {
			c.ids[int(id)] = true
		}
	}
	return c, nil
}
