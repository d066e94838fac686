package catalog

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// viewProbe and locationsProbe stand in for the files and locations
// expressions when comparing view SQL across loads.
const (
	viewProbe      = "getvariable('lakegate_probe')"
	locationsProbe = "getvariable('lakegate_locations_probe')"
)

// Table is one table of the catalog.
type Table struct {
	Schema, Name string
	Format       string
	// Location is the table's location as configured (made absolute).
	Location    string
	Description string

	src   source
	store objectStore // where src's files are

	mu       sync.RWMutex
	err      error     // why the last load failed, if it did
	loaded   bool      // a load has succeeded at least once
	view     string    // view SQL (with viewProbe) after the last load
	version  uint64    // bumped when view changes
	loadedAt time.Time // last successful load
}

// load (re)builds the table's index. A failed reload keeps serving the
// previous index; the error is still reported.
func (t *Table) load(ctx context.Context) error {
	err := t.src.load(ctx)
	var view string
	if err == nil {
		view, err = t.viewSQL(ctx, viewProbe, locationsProbe)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if err != nil {
		t.err = fmt.Errorf("table %s.%s (%s): %w", t.Schema, t.Name, t.Location, err)
		return t.err
	}
	t.err, t.loaded, t.loadedAt = nil, true, time.Now()
	if view != t.view {
		t.view = view
		t.version++
	}
	return nil
}

// Err is why the table cannot be read, or nil. A table whose reload failed
// is still readable (from its previous index) and reports nil.
func (t *Table) Err() error {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.loaded {
		return nil
	}
	if t.err == nil {
		return fmt.Errorf("table %s.%s is not loaded yet", t.Schema, t.Name)
	}
	return t.err
}

// Version changes whenever the SQL that reads the table changes (its
// schema, partition types or delete files), so that views built from
// ViewSQL can be rebuilt.
func (t *Table) Version() uint64 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.version
}

// ViewSQL is the SELECT DuckDB runs for the table; files is a DuckDB
// expression giving the list of local paths to read (a Scan's Paths), and
// locations one giving the files' own locations (its Locations), which a
// view may need to match per-file facts such as Iceberg deletes against
// local copies. Use NeedsLocations to know whether it does.
func (t *Table) ViewSQL(ctx context.Context, files, locations string) (string, error) {
	if err := t.Err(); err != nil {
		return "", err
	}
	return t.viewSQL(ctx, files, locations)
}

// NeedsLocations reports whether the table's view reads the locations
// expression.
func (t *Table) NeedsLocations() bool {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return strings.Contains(t.view, locationsProbe)
}

// locatedSource is a source whose view can match local copies to their
// locations (see ViewSQL).
type locatedSource interface {
	viewSQLLocated(ctx context.Context, files, locations string) (string, error)
}

// emptySource is a source that can describe itself without files (an
// Iceberg table with no snapshot or no rows yet).
type emptySource interface {
	emptySQL(ctx context.Context) (string, error)
}

func (t *Table) viewSQL(ctx context.Context, files, locations string) (string, error) {
	if es, ok := t.src.(emptySource); ok {
		if _, total, err := t.src.plan(ctx, nil); err != nil {
			return "", err
		} else if total.Files == 0 {
			return es.emptySQL(ctx)
		}
	}
	if ls, ok := t.src.(locatedSource); ok && locations != "" {
		return ls.viewSQLLocated(ctx, files, locations)
	}
	return t.src.viewSQL(ctx, files)
}

// Scan is the files one query reads from a table. Release it when the
// query ends, so the file cache may evict them.
type Scan struct {
	Table *Table
	// Paths are the local paths DuckDB reads; empty only for a table with
	// no data files, whose view reads none.
	Paths []string
	// Locations are the files' own locations, parallel to Paths.
	Locations []string
	// Kept and Total count the files (and bytes) read and in the table.
	Kept, Total Totals
	// Planning is how long pruning and fetching took.
	Planning time.Duration
	// Estimated marks a scan from Estimate: Kept counts what a query
	// would read, Paths are only enough to describe it.
	Estimated bool
	release   []func()
}

// Release unpins the scan's cached files.
func (s *Scan) Release() {
	for _, r := range s.release {
		r()
	}
	s.release = nil
}

// Plan returns the files that may hold rows matching any of filters (all
// of them if filters is empty), made local. When no file can match, one is
// still read: DuckDB needs a file to know the table's columns, and the
// query's own filter removes its rows.
func (t *Table) Plan(ctx context.Context, filters []Filter) (*Scan, error) {
	return t.plan(ctx, filters, false)
}

// SchemaScan is a scan of one file: enough for DuckDB to describe a query
// before its parameters (and so its pruning) are known.
func (t *Table) SchemaScan(ctx context.Context) (*Scan, error) {
	return t.plan(ctx, nil, true)
}

// Estimate is what Plan would read, without fetching it: the counts of
// Plan, over the files of SchemaScan. EXPLAIN (without ANALYZE) uses it
// so that explaining a query never downloads the table.
func (t *Table) Estimate(ctx context.Context, filters []Filter) (*Scan, error) {
	if err := t.Err(); err != nil {
		return nil, err
	}
	start := time.Now()
	kept, total, err := t.src.plan(ctx, filters)
	if err != nil {
		return nil, fmt.Errorf("planning %s.%s: %w", t.Schema, t.Name, err)
	}
	s, err := t.SchemaScan(ctx)
	if err != nil {
		return nil, err
	}
	s.Kept, s.Total, s.Planning = Totals{Files: len(kept)}, total, time.Since(start)
	for _, f := range kept {
		s.Kept.Bytes += f.Object.Size
	}
	s.Estimated = true
	return s, nil
}

func (t *Table) plan(ctx context.Context, filters []Filter, schemaOnly bool) (*Scan, error) {
	s, err := t.planOnce(ctx, filters, schemaOnly)
	if errors.Is(err, errObjectChanged) {
		// The index is older than the lake: reload it (reading only what
		// changed) and plan again, once.
		if err := t.load(ctx); err != nil {
			return nil, err
		}
		s, err = t.planOnce(ctx, filters, schemaOnly)
	}
	return s, err
}

func (t *Table) planOnce(ctx context.Context, filters []Filter, schemaOnly bool) (*Scan, error) {
	if err := t.Err(); err != nil {
		return nil, err
	}
	start := time.Now()
	kept, total, err := t.src.plan(ctx, filters)
	if err != nil {
		return nil, fmt.Errorf("planning %s.%s: %w", t.Schema, t.Name, err)
	}
	if len(kept) == 0 && !schemaOnly && len(filters) > 0 {
		kept, _, err = t.src.plan(ctx, nil)
		if err != nil {
			return nil, fmt.Errorf("planning %s.%s: %w", t.Schema, t.Name, err)
		}
		schemaOnly = true
	}
	if len(kept) == 0 {
		if _, ok := t.src.(emptySource); ok {
			return &Scan{Table: t, Total: total}, nil // its view reads no files
		}
		return nil, fmt.Errorf("table %s.%s has no data files", t.Schema, t.Name)
	}
	if schemaOnly {
		kept = kept[:1]
	}
	s := &Scan{Table: t, Total: total, Paths: make([]string, len(kept)), release: make([]func(), len(kept))}
	if err := s.localize(ctx, t.store, kept); err != nil {
		s.Release()
		return nil, err
	}
	s.Kept.Files = len(kept)
	s.Locations = make([]string, len(kept))
	for i, f := range kept {
		s.Kept.Bytes += f.Object.Size
		s.Locations[i] = f.Object.Location
	}
	s.Planning = time.Since(start)
	return s, nil
}

// fetchers bounds concurrent downloads of one scan's files.
const fetchers = 8

func (s *Scan) localize(ctx context.Context, store objectStore, files []File) error {
	if _, local := store.(localStore); local {
		// Nothing to fetch: no goroutine per file.
		for i, f := range files {
			p, _, err := store.localPath(ctx, f.Object)
			if err != nil {
				return err
			}
			s.Paths[i] = p
		}
		s.release = nil
		return nil
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(fetchers)
	for i, f := range files {
		g.Go(func() error {
			p, release, err := store.localPath(gctx, f.Object)
			if err != nil {
				return err
			}
			s.Paths[i], s.release[i] = p, release
			return nil
		})
	}
	err := g.Wait()
	s.release = compact(s.release)
	return err
}

func compact(fs []func()) []func() {
	out := fs[:0]
	for _, f := range fs {
		if f != nil {
			out = append(out, f)
		}
	}
	return out
}
