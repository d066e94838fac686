package catalog

import (
	"context"
	"fmt"
	"log/slog"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"
)

// footerReaders bounds concurrent footer reads while indexing (S3 latency
// dominates, so more than the core count pays off).
const footerReaders = 16

// parquetSource is a table of Parquet files: one file, a glob, or every
// .parquet file under a directory or prefix, optionally hive-partitioned.
type parquetSource struct {
	name     string // schema.table, for messages
	store    objectStore
	loc      location
	hive     bool
	declared map[string]string // partition column -> DuckDB type
	logger   *slog.Logger

	mu    sync.RWMutex
	state *parquetState
}

// parquetState is one immutable version of the table's index.
type parquetState struct {
	index     *fileIndex
	root      string         // listing root, to make paths relative for hive parsing
	partCols  []string       // hive partition columns, in path order
	partTypes []string       // their DuckDB types
	byLoc     map[string]int // location -> position in index
}

func newParquetSource(name string, store objectStore, loc location, t TableConfig, logger *slog.Logger) *parquetSource {
	declared := map[string]string{}
	for k, v := range t.PartitionColumns {
		declared[strings.ToLower(k)] = strings.ToUpper(v)
	}
	return &parquetSource{name: name, store: store, loc: loc, hive: t.Partitioning == PartitionHive, declared: declared, logger: logger}
}

func (s *parquetSource) current() *parquetState {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.state
}

// load lists the table's files and reads the footers of those that are
// new or changed since the last load.
func (s *parquetSource) load(ctx context.Context) error {
	prev := s.current()
	objs, root, err := s.list(ctx)
	if err != nil {
		return err
	}
	if len(objs) == 0 {
		return fmt.Errorf("no Parquet files at %s", s.loc)
	}
	files := make([]File, len(objs))
	stats := make([]map[string]ColumnStats, len(objs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(footerReaders)
	reused := 0
	for i, obj := range objs {
		if prev != nil {
			if pos, ok := prev.byLoc[obj.Location]; ok && sameVersion(prev.index.files[pos].Object, obj) {
				files[i] = prev.index.files[pos]
				files[i].Columns = prev.index.statsOf(pos)
				reused++
				continue
			}
		}
		g.Go(func() error {
			fs, err := readFooter(gctx, s.store, obj)
			if err != nil {
				return err
			}
			files[i] = File{Object: obj, Rows: fs.rows}
			stats[i] = fs.columns
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	st, err := s.buildState(root, files, stats, prev)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.state = st
	s.mu.Unlock()
	s.logger.Debug("indexed parquet table", "table", s.name, "files", len(files), "footers_read", len(files)-reused, "bytes", st.index.bytes)
	return nil
}

func sameVersion(a, b ObjectInfo) bool {
	return a.Size == b.Size && a.ETag == b.ETag && a.ModTime.Equal(b.ModTime)
}

// buildState lays the files' statistics out by index column: the Parquet
// columns of the first file indexed, then the hive partition columns.
func (s *parquetSource) buildState(root string, files []File, stats []map[string]ColumnStats, prev *parquetState) (*parquetState, error) {
	st := &parquetState{root: root, byLoc: make(map[string]int, len(files))}
	var columns []string
	if prev != nil {
		columns = prev.index.columns[:len(prev.index.columns)-len(prev.partCols)]
	} else {
		for i := range files {
			if stats[i] != nil {
				for name := range stats[i] {
					columns = append(columns, name)
				}
				break
			}
		}
		sort.Strings(columns)
	}
	parts := make([]hivePartition, len(files))
	if s.hive {
		for i, f := range files {
			parts[i] = parseHivePath(relativeTo(f.Object.Location, root))
		}
		if err := st.partitionColumns(parts, files, s.declared); err != nil {
			return nil, fmt.Errorf("table %s: %w", s.name, err)
		}
		columns = append(slices.Clip(columns), st.partCols...)
	}
	nParquet := len(columns) - len(st.partCols)
	for i := range files {
		f := &files[i]
		cols := make([]ColumnStats, len(columns))
		if stats[i] == nil { // reused: its Parquet statistics are already aligned
			copy(cols, f.Columns[:nParquet])
		} else {
			for c, name := range columns[:nParquet] {
				if cs, ok := stats[i][name]; ok {
					cols[c] = cs
				} else {
					cols[c] = ColumnStats{Nulls: f.Rows} // an absent column reads as NULL
				}
			}
		}
		// Partition values are re-derived every time: their type may have
		// changed with the new set of values.
		for c, name := range st.partCols {
			v, null := parts[i].value(name)
			cols[nParquet+c] = hiveStats(v, null, st.partTypes[c], f.Rows)
		}
		f.Columns = cols
		st.byLoc[f.Object.Location] = i
	}
	st.index = newFileIndex(columns, files)
	return st, nil
}

// partitionColumns takes the partition columns from the first file's path
// and checks every file has the same ones; types are declared or inferred.
func (st *parquetState) partitionColumns(parts []hivePartition, files []File, declared map[string]string) error {
	first := parts[0].keys
	for i, p := range parts {
		if !slicesEqualFold(p.keys, first) {
			return fmt.Errorf("inconsistent hive partitioning: %s has partition keys %v, but the first file has %v", files[i].Object.Location, p.keys, first)
		}
	}
	for c, key := range first {
		typ := declared[strings.ToLower(key)]
		if typ == "" {
			typ = inferHiveType(func(yield func(string) bool) {
				for _, p := range parts {
					if !p.null[c] && !yield(p.values[c]) {
						return
					}
				}
			})
		}
		st.partCols = append(st.partCols, key)
		st.partTypes = append(st.partTypes, typ)
	}
	return nil
}

func (p hivePartition) value(key string) (string, bool) {
	for i, k := range p.keys {
		if equalFoldASCII(k, key) {
			return p.values[i], p.null[i]
		}
	}
	return "", true
}

func slicesEqualFold(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !equalFoldASCII(a[i], b[i]) {
			return false
		}
	}
	return true
}

// list returns the table's Parquet files, sorted by location, and the
// root they were listed under.
func (s *parquetSource) list(ctx context.Context) ([]ObjectInfo, string, error) {
	full := s.loc.String()
	var objs []ObjectInfo
	if i := strings.IndexAny(full, "*?["); i >= 0 {
		root := full[:strings.LastIndex(full[:i], "/")+1]
		err := s.store.list(ctx, root, func(o ObjectInfo) error {
			if globMatch(full, o.Location) {
				objs = append(objs, o)
			}
			return nil
		})
		return sorted(objs), root, err
	}
	if strings.HasSuffix(strings.ToLower(full), ".parquet") {
		o, err := s.store.stat(ctx, full)
		if err != nil {
			return nil, "", err
		}
		return []ObjectInfo{o}, full[:strings.LastIndex(full, "/")+1], nil
	}
	root := strings.TrimSuffix(full, "/") + "/"
	err := s.store.list(ctx, root, func(o ObjectInfo) error {
		if strings.HasSuffix(strings.ToLower(o.Location), ".parquet") {
			objs = append(objs, o)
		}
		return nil
	})
	return sorted(objs), root, err
}

func sorted(objs []ObjectInfo) []ObjectInfo {
	sort.Slice(objs, func(i, j int) bool { return objs[i].Location < objs[j].Location })
	return objs
}

func relativeTo(loc, root string) string { return strings.TrimPrefix(loc, root) }

// globMatch matches a location against a pattern in which "*", "?" and
// "[...]" match within one path segment and "**" matches any number of
// segments, as DuckDB's globs do.
func globMatch(pattern, name string) bool {
	return matchSegments(strings.Split(pattern, "/"), strings.Split(name, "/"))
}

func matchSegments(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for i := 0; i <= len(name); i++ {
				if matchSegments(pat[1:], name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if ok, err := path.Match(pat[0], name[0]); err != nil || !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}

// viewSQL reads the files with DuckDB. Partition column types are fixed so
// that they do not depend on which files a query keeps.
func (s *parquetSource) viewSQL(_ context.Context, files string) (string, error) {
	st := s.current()
	if st == nil {
		return "", fmt.Errorf("table %s is not loaded", s.name)
	}
	if !s.hive {
		return "SELECT * FROM read_parquet(" + files + ")", nil
	}
	types := make([]string, len(st.partCols))
	for i, c := range st.partCols {
		types[i] = quoteLiteral(c) + ": " + quoteLiteral(st.partTypes[i])
	}
	return "SELECT * FROM read_parquet(" + files + ", hive_partitioning = true, hive_types = {" +
		strings.Join(types, ", ") + "}, hive_types_autocast = false)", nil
}

func (s *parquetSource) plan(_ context.Context, filters []Filter) ([]File, Totals, error) {
	st := s.current()
	if st == nil {
		return nil, Totals{}, fmt.Errorf("table %s is not loaded", s.name)
	}
	return st.index.prune(filters), Totals{Files: len(st.index.files), Bytes: st.index.bytes}, nil
}

// quoteLiteral quotes s as a SQL string literal.
func quoteLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
