package catalog

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/apache/iceberg-go"
	icebergio "github.com/apache/iceberg-go/io"
	"github.com/apache/iceberg-go/table"
)

// icebergSource is an Apache Iceberg table, given by its metadata file or
// its directory. iceberg-go reads the metadata and plans scans (partition
// transforms, manifest summaries, column metrics, delete matching);
// DuckDB reads the data files with read_parquet, columns mapped by field
// id, and applies the delete files in SQL (iceberg_sql.go).
//
// The file layout, from concern to file:
//
//	iceberg.go          the source: load, plan, the state they share
//	iceberg_location.go which metadata file is current; paths in metadata
//	iceberg_io.go       iceberg-go's io.IO over our object stores
//	iceberg_filter.go   pushdown filters as iceberg-go expressions
//	iceberg_files.go    data and delete files of a snapshot, footers
//	iceberg_sql.go      the DuckDB view: what it needs per file
//	iceberg_render.go   the DuckDB view: its SQL text
//	iceberg_sidefile.go per-file facts of large tables as a Parquet file
//	iceberg_types.go    Iceberg types and values as DuckDB types and text
//	iceberg_travel.go   sources pinned to a past snapshot
type icebergSource struct {
	name   string   // schema.table, for messages
	loc    location // metadata file or table directory
	stores *icebergStores
	cache  *metaCache
	logger *slog.Logger
	// snapshotID pins the source to one snapshot (time travel); 0 reads
	// the current one.
	snapshotID int64

	loadMu sync.Mutex // one load at a time
	mu     sync.RWMutex
	state  *icebergState

	// footers remembers what Parquet footers said about data files, for
	// as long as the files are in the table (files never change).
	footers *footerMemo
	// scratchDir, if set, holds files the views read (iceberg_sidefile.go).
	scratchDir string
}

var _ source = (*icebergSource)(nil)

// icebergState is one loaded version of the table; it is immutable once
// published, except for the caches inside it.
type icebergState struct {
	metaObj  ObjectInfo // the metadata file read
	meta     table.Metadata
	defaults map[int]string // exact numeric initial-defaults by field id
	tbl      *table.Table
	resolver pathResolver
	snapshot *table.Snapshot // nil: the table has no snapshot yet
	schema   *iceberg.Schema // the columns rows are read with
	current  bool            // snapshot is the table's current one

	files   []icebergDataFile
	byRaw   map[string]int // data file path as written -> files index
	deletes []icebergDeleteFile
	total   Totals
	allData []File // files' File, in order: the unpruned plan

	view *icebergView
	// plans caches recent pruning results; per state, so that a new
	// snapshot starts afresh.
	plans *planCache
	// versions holds S3 ETags found for data files (see withVersions).
	versions *versionMemo
}

// newIcebergSource makes the source of the Iceberg table at loc: a
// metadata.json file, or a table directory holding metadata/. store reads
// loc; storeFor, which may be nil, gives the store for files elsewhere
// (data in another bucket). Nothing is read until load.
func newIcebergSource(name string, loc location, store objectStore, storeFor func(location string) (objectStore, error), logger *slog.Logger) *icebergSource {
	if logger == nil {
		logger = slog.Default()
	}
	return &icebergSource{
		name:    name,
		loc:     loc,
		stores:  &icebergStores{primary: store, primaryS3: loc.isS3(), storeFor: storeFor},
		cache:   sharedMetaCache,
		logger:  logger.With("table", name),
		footers: newFooterMemo(),
	}
}

func (s *icebergSource) current() (*icebergState, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.state == nil {
		return nil, fmt.Errorf("iceberg table %s is not loaded", s.name)
	}
	return s.state, nil
}

// fs is iceberg-go's view of the table's files for one context.
func (s *icebergSource) fs(resolver pathResolver) table.FSysF {
	return func(ctx context.Context) (icebergio.IO, error) {
		return icebergIO{ctx: ctx, resolver: resolver, stores: s.stores, cache: s.cache}, nil
	}
}

// load reads the current metadata file. When it is the one already
// loaded nothing else is read; when only metadata changed (properties,
// a new snapshot elsewhere for a pinned source) the files are kept; a new
// snapshot is planned again, with unchanged manifests and footers served
// from memory, so only what the new commits added is read.
func (s *icebergSource) load(ctx context.Context) error {
	s.loadMu.Lock()
	defer s.loadMu.Unlock()
	s.mu.RLock()
	prev := s.state
	s.mu.RUnlock()

	obj, err := resolveMetadataFile(ctx, s.stores.primary, s.loc)
	if err != nil {
		return err
	}
	if prev != nil && prev.metaObj.Location == obj.Location && sameVersion(prev.metaObj, obj) {
		return nil
	}
	meta, defaults, err := s.readMetadata(ctx, obj)
	if err != nil {
		return err
	}
	st, err := s.buildState(ctx, obj, meta, defaults, s.snapshotID, prev)
	if err != nil {
		return err
	}
	s.publish(st, prev)
	return nil
}

// publish swaps in a new state. The previous state's pinned delete files
// stay pinned a while: queries bound to its view may still be reading.
func (s *icebergSource) publish(st, prev *icebergState) {
	s.mu.Lock()
	s.state = st
	s.mu.Unlock()
	if prev != nil && prev.view != st.view {
		prev.view.releaseAfter(viewGrace)
	}
	snap := int64(0)
	if st.snapshot != nil {
		snap = st.snapshot.SnapshotID
	}
	s.logger.Info("iceberg table loaded", "metadata", st.metaObj.Location, "snapshot", snap,
		"files", st.total.Files, "bytes", st.total.Bytes, "delete_files", len(st.deletes))
}

// viewGrace is how long a replaced view's delete files stay pinned in the
// file cache for queries that started before the reload.
const viewGrace = 15 * time.Minute

// readMetadata reads and parses a metadata file. defaults holds the exact
// text of numeric initial-defaults by field id, which iceberg-go keeps as
// float64 (a long default beyond 2^53 would lose digits).
func (s *icebergSource) readMetadata(ctx context.Context, obj ObjectInfo) (meta table.Metadata, defaults map[int]string, err error) {
	b, err := readAll(ctx, s.stores.primary, obj.Location)
	if err != nil {
		return nil, nil, fmt.Errorf("reading iceberg metadata %s: %w", obj.Location, err)
	}
	if l := strings.ToLower(obj.Location); strings.HasSuffix(l, ".gz") || strings.HasSuffix(l, ".gz.metadata.json") {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, nil, fmt.Errorf("iceberg metadata %s: %w", obj.Location, err)
		}
		if b, err = io.ReadAll(zr); err != nil {
			return nil, nil, fmt.Errorf("iceberg metadata %s: %w", obj.Location, err)
		}
	}
	if meta, err = table.ParseMetadataBytes(b); err != nil {
		return nil, nil, fmt.Errorf("parsing iceberg metadata %s: %w", obj.Location, err)
	}
	return meta, numericDefaults(b), nil
}

// numericDefaults extracts the numeric initial-defaults of top-level
// fields from metadata JSON, as written.
func numericDefaults(b []byte) map[int]string {
	var doc struct {
		Schemas []struct {
			Fields []struct {
				ID      int             `json:"id"`
				Default json.RawMessage `json:"initial-default"`
			} `json:"fields"`
		} `json:"schemas"`
	}
	if json.Unmarshal(b, &doc) != nil {
		return nil
	}
	out := map[int]string{}
	for _, sc := range doc.Schemas {
		for _, f := range sc.Fields {
			if d := strings.TrimSpace(string(f.Default)); d != "" && (d[0] == '-' || d[0] >= '0' && d[0] <= '9') {
				out[f.ID] = d
			}
		}
	}
	return out
}

// buildState plans the snapshot (snapshotID, or the current one if 0) of
// meta and prepares its view, reusing prev's work where it still holds.
func (s *icebergSource) buildState(ctx context.Context, obj ObjectInfo, meta table.Metadata, defaults map[int]string, snapshotID int64, prev *icebergState) (*icebergState, error) {
	metaLoc, err := parseLocation(obj.Location, "/")
	if err != nil {
		return nil, err
	}
	_, customMetadataPath := meta.Properties()["write.metadata.path"]
	resolver := newPathResolver(metaLoc, meta.Location(), !customMetadataPath)
	st := &icebergState{
		metaObj:  obj,
		meta:     meta,
		resolver: resolver,
		tbl:      table.New(table.Identifier{s.name}, meta, obj.Location, s.fs(resolver), nil),
		defaults: defaults,
		plans:    newPlanCache(),
		versions: newVersionMemo(),
	}
	if snapshotID != 0 {
		st.snapshot = meta.SnapshotByID(snapshotID)
		if st.snapshot == nil {
			return nil, fmt.Errorf("iceberg table %s has no snapshot %d (expired?)", s.name, snapshotID)
		}
		st.schema = snapshotSchema(meta, st.snapshot)
	} else {
		st.snapshot = meta.CurrentSnapshot()
		st.schema = meta.CurrentSchema()
		st.current = true
	}
	if prev != nil && prev.sameFiles(st) {
		st.files, st.byRaw, st.deletes, st.total, st.allData = prev.files, prev.byRaw, prev.deletes, prev.total, prev.allData
		st.plans, st.versions, st.view = prev.plans, prev.versions, prev.view
		return st, nil
	}
	if st.snapshot != nil {
		if err := s.planAll(ctx, st); err != nil {
			return nil, err
		}
	}
	if prev != nil {
		st.versions.inherit(prev.versions, st.files)
	}
	if st.view, err = s.buildView(ctx, st); err != nil {
		return nil, err
	}
	return st, nil
}

// snapshotSchema is the schema a snapshot was written with, which time
// travel reads it with (as Spark and Trino do).
func snapshotSchema(meta table.Metadata, snap *table.Snapshot) *iceberg.Schema {
	if snap.SchemaID != nil {
		for _, sc := range meta.Schemas() {
			if sc.ID == *snap.SchemaID {
				return sc
			}
		}
	}
	return meta.CurrentSchema()
}

// sameFiles reports whether next reads exactly what st reads, so that its
// files and view can be reused.
func (st *icebergState) sameFiles(next *icebergState) bool {
	if (st.snapshot == nil) != (next.snapshot == nil) || st.resolver != next.resolver {
		return false
	}
	if st.snapshot != nil && st.snapshot.SnapshotID != next.snapshot.SnapshotID {
		return false
	}
	return st.schema.ID == next.schema.ID && st.schema.Equals(next.schema) &&
		st.meta.Properties()[nameMappingProperty] == next.meta.Properties()[nameMappingProperty]
}

const nameMappingProperty = "schema.name-mapping.default"

// scan is an iceberg-go scan of the state's snapshot.
func (st *icebergState) scan(opts ...table.ScanOption) *table.Scan {
	if !st.current {
		opts = append(opts, table.WithSnapshotID(st.snapshot.SnapshotID))
	}
	return st.tbl.Scan(append(opts, table.WithCaseSensitive(true))...)
}

// plan returns the data files that may hold rows matching any of filters.
// An unfiltered plan is the snapshot's file list, planned at load; a
// filtered one asks iceberg-go, whose manifest reads come from memory.
func (s *icebergSource) plan(ctx context.Context, filters []Filter) ([]File, Totals, error) {
	st, err := s.current()
	if err != nil {
		return nil, Totals{}, err
	}
	if st.snapshot == nil {
		return nil, st.total, nil
	}
	expr := icebergFilter(st.schema, filters)
	kept := st.allData
	if !expr.Equals(iceberg.AlwaysTrue{}) {
		key := expr.String()
		var ok bool
		if kept, ok = st.plans.get(key); !ok {
			kept, err = s.planFiltered(ctx, st, expr)
			if err != nil {
				return nil, Totals{}, err
			}
			st.plans.put(key, kept)
		}
	}
	kept, err = s.withVersions(ctx, st, kept)
	if err != nil {
		return nil, Totals{}, err
	}
	return kept, st.total, nil
}

func (s *icebergSource) planFiltered(ctx context.Context, st *icebergState, expr iceberg.BooleanExpression) ([]File, error) {
	tasks, err := st.scan(table.WithRowFilter(expr)).PlanFiles(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// A filter iceberg-go cannot bind is a translation gap here, not
		// the query's fault: read everything rather than fail.
		s.logger.Warn("iceberg pruning failed; reading all files", "filter", expr.String(), "err", err)
		return st.allData, nil
	}
	kept := make([]File, 0, len(tasks))
	seen := make(map[string]bool, len(tasks))
	for _, t := range tasks {
		raw := t.File.FilePath()
		if seen[raw] {
			continue // one file split into several tasks
		}
		seen[raw] = true
		i, ok := st.byRaw[raw]
		if !ok {
			return nil, fmt.Errorf("iceberg table %s: planning returned %s, which the snapshot does not list", s.name, raw)
		}
		kept = append(kept, st.files[i].file)
	}
	return kept, nil
}
