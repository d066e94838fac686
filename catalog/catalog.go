package catalog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// defaultCacheSize bounds the file cache when the config does not.
const defaultCacheSize = 10 << 30

// Options are the settings of a catalog that do not come from its file.
type Options struct {
	// CacheDirectory is used when the config names none.
	CacheDirectory string
	// Logger receives catalog logs; nil means slog.Default().
	Logger *slog.Logger
}

// Catalog is the lake's tables. It is safe for concurrent use.
type Catalog struct {
	tables []*Table // sorted by schema, name
	cache  *fileCache
	local  objectStore
	s3     []*s3Store
	logger *slog.Logger
	every  time.Duration

	// scratch holds files the catalog writes for DuckDB (Iceberg per-file
	// facts of large tables); "" when there is no cache directory.
	scratch string

	pinnedMu sync.Mutex
	pinned   map[string]*Table // tables as of a snapshot, see travel.go

	stop chan struct{}
	done chan struct{}
}

// Open builds the catalog of cfg and indexes every table. A table that
// cannot be loaded does not stop the others: its error is kept (Table.Err)
// and reported when it is queried.
func Open(ctx context.Context, cfg *Config, opts Options) (*Catalog, error) {
	c := &Catalog{local: localStore{}, logger: opts.Logger, every: time.Duration(cfg.Refresh)}
	if c.logger == nil {
		c.logger = slog.Default()
	}
	dir := cfg.Cache.Directory
	switch {
	case dir == "":
		dir = opts.CacheDirectory
	case !filepath.IsAbs(dir):
		dir = filepath.Join(cfg.dir(), dir)
	}
	if dir != "" {
		c.scratch = filepath.Join(dir, "scratch")
	}
	size := int64(cfg.Cache.MaxSize)
	if size == 0 {
		size = defaultCacheSize
	}
	var s3Default *s3Store
	for _, schema := range sortedKeys(cfg.Schemas) {
		sc := cfg.Schemas[schema]
		if imported, err := importedTables(ctx, sc); err != nil {
			// The catalog being down must not stop the rest of the lake.
			c.logger.Error("cannot list the tables of an Iceberg catalog; the schema is empty", "schema", schema, "err", err)
		} else if imported != nil {
			sc.Tables = imported
		}
		var s3 *s3Store
		for _, name := range sortedKeys(sc.Tables) {
			tc := sc.Tables[name]
			loc, _ := parseLocation(tc.Location, cfg.dir()) // checked by ParseConfig
			t := &Table{Schema: schema, Name: name, Format: tc.Format, Location: loc.String(), Description: tc.Description}
			store := c.local
			if loc.isS3() {
				if c.cache == nil {
					if dir == "" {
						return nil, errors.New("the catalog has S3 tables but no cache directory")
					}
					cache, err := newFileCache(dir, size, c.logger)
					if err != nil {
						return nil, fmt.Errorf("file cache: %w", err)
					}
					c.cache = cache
				}
				var err error
				switch {
				case s3 != nil:
				case sc.S3 != nil:
					s3, err = c.newS3(ctx, *sc.S3)
				case s3Default != nil:
					s3 = s3Default
				default:
					s3Default, err = c.newS3(ctx, cfg.S3)
					s3 = s3Default
				}
				if err != nil {
					return nil, fmt.Errorf("S3 for schema %s: %w", schema, err)
				}
				store = s3
			}
			t.src, t.store = c.newSource(t, tc, store, loc), store
			c.tables = append(c.tables, t)
		}
	}
	c.loadAll(ctx)
	if c.every > 0 {
		c.stop, c.done = make(chan struct{}), make(chan struct{})
		go c.refreshLoop()
	}
	return c, nil
}

func (c *Catalog) newS3(ctx context.Context, cfg S3Config) (*s3Store, error) {
	s, err := newS3Store(ctx, cfg, c.cache, c.logger)
	if err == nil {
		c.s3 = append(c.s3, s)
	}
	return s, err
}

func (c *Catalog) newSource(t *Table, tc TableConfig, store objectStore, loc location) source {
	name := t.Schema + "." + t.Name
	if tc.Format == FormatIceberg {
		src := newIcebergSource(name, loc, store, c.storeFor(store), c.logger)
		if c.scratch != "" {
			src.useScratchDir(c.scratch)
		}
		return src
	}
	return newParquetSource(name, store, loc, tc, c.logger)
}

// storeFor gives an Iceberg table the store for files outside its own
// location (data written to another bucket): S3 locations go through the
// table's S3 settings, local paths to the local disk.
func (c *Catalog) storeFor(tableStore objectStore) func(string) (objectStore, error) {
	return func(loc string) (objectStore, error) {
		l, err := parseLocation(loc, "/")
		switch {
		case err != nil:
			return nil, err
		case !l.isS3():
			return c.local, nil
		case tableStore != c.local:
			return tableStore, nil
		}
		return nil, fmt.Errorf("%s is on S3, but the table is on local disk and its schema has no S3 settings", loc)
	}
}

// loadAll (re)loads every table, a few at a time.
func (c *Catalog) loadAll(ctx context.Context) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for _, t := range c.tables {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := t.load(ctx); err != nil {
				c.logger.Error("cannot load table", "table", t.Schema+"."+t.Name, "location", t.Location, "err", err)
			}
		}()
	}
	wg.Wait()
}

func (c *Catalog) refreshLoop() {
	defer close(c.done)
	tick := time.NewTicker(c.every)
	defer tick.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-tick.C:
			ctx, cancel := context.WithTimeout(context.Background(), c.every)
			c.loadAll(ctx)
			cancel()
		}
	}
}

// Refresh reloads the named table, or all tables if schema and name are
// empty; only new or changed files are read.
func (c *Catalog) Refresh(ctx context.Context, schema, name string) error {
	if schema == "" && name == "" {
		c.loadAll(ctx)
		return nil
	}
	t := c.Table(schema, name)
	if t == nil {
		return fmt.Errorf("no table %s.%s in the catalog", schema, name)
	}
	return t.load(ctx)
}

// Tables lists the catalog's tables, sorted by schema and name.
func (c *Catalog) Tables() []*Table { return c.tables }

// Table finds a table by name, ignoring case; nil if there is none. A
// name "table@<snapshot-id or timestamp>" is an Iceberg table as of that
// snapshot (see travel.go).
func (c *Catalog) Table(schema, name string) *Table {
	base, at, travel := strings.Cut(name, "@")
	for _, t := range c.tables {
		if equalFoldASCII(t.Schema, schema) && equalFoldASCII(t.Name, base) {
			if travel {
				return c.pinnedTable(t, at)
			}
			return t
		}
	}
	return nil
}

// LocalDirectories are the local directories DuckDB must be allowed to
// read: the local tables' roots and the file cache.
func (c *Catalog) LocalDirectories() []string {
	seen := map[string]bool{}
	var dirs []string
	add := func(d string) {
		if d != "" && !seen[d] {
			seen[d] = true
			dirs = append(dirs, d)
		}
	}
	for _, t := range c.tables {
		if !strings.HasPrefix(t.Location, "s3://") {
			add(localRoot(t.Location))
		}
	}
	if c.cache != nil {
		add(c.cache.dir)
	}
	for _, t := range c.tables {
		if t.Format == FormatIceberg && c.scratch != "" {
			add(c.scratch)
			break
		}
	}
	return dirs
}

// localRoot is the directory a local location's files live under: the
// part before any glob, or the file's directory.
func localRoot(loc string) string {
	if i := strings.IndexAny(loc, "*?["); i >= 0 {
		return filepath.Dir(loc[:i] + "x")
	}
	if strings.HasSuffix(strings.ToLower(loc), ".json") || strings.HasSuffix(strings.ToLower(loc), ".parquet") {
		if strings.Contains(loc, "/metadata/") {
			return filepath.Dir(filepath.Dir(loc)) // an Iceberg table's metadata file
		}
		return filepath.Dir(loc)
	}
	return loc
}

// CacheStats reports the file cache's counters (zero without S3 tables).
func (c *Catalog) CacheStats() CacheStats {
	if c.cache == nil {
		return CacheStats{}
	}
	return c.cache.Stats()
}

// Close stops background refreshes.
func (c *Catalog) Close() {
	if c.stop != nil {
		close(c.stop)
		<-c.done
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
