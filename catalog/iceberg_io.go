package catalog

import (
	"bytes"
	"container/list"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path"
	"strings"
	"sync"
	"time"

	icebergio "github.com/apache/iceberg-go/io"
)

// iceberg-go reads manifest lists, manifests and deletion vectors through
// its io.IO interface. icebergIO implements it over our object stores, so
// that S3 is configured in one place (store_s3.go) rather than a second
// time through iceberg-go's gocloud backends, and so that the immutable
// metadata files it reads are cached in memory across loads and queries.

// icebergStores picks the object store for each location a table's
// metadata names. Data files may live outside the table's prefix (another
// bucket, or local files in a table whose metadata is on S3).
type icebergStores struct {
	primary objectStore
	// primaryS3 is whether primary serves s3:// locations (else local).
	primaryS3 bool
	// storeFor finds the store for locations primary does not serve; nil
	// means primary serves every location of its kind.
	storeFor func(location string) (objectStore, error)

	mu     sync.Mutex
	others map[string]objectStore // by bucket ("" for local)
}

func (s *icebergStores) forLocation(loc location) (objectStore, error) {
	if loc.isS3() == s.primaryS3 && (s.storeFor == nil || !loc.isS3()) {
		return s.primary, nil
	}
	if s.storeFor == nil {
		return nil, fmt.Errorf("%s: no object store configured for this location", loc)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.others[loc.bucket]; ok {
		return st, nil
	}
	st, err := s.storeFor(loc.String())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", loc, err)
	}
	if s.others == nil {
		s.others = map[string]objectStore{}
	}
	s.others[loc.bucket] = st
	return st, nil
}

// readAll reads a whole object. A huge length reads to the end on both
// stores (the allocation is bounded by what the object holds).
func readAll(ctx context.Context, store objectStore, loc string) ([]byte, error) {
	return store.readRange(ctx, loc, 0, math.MaxInt64/2)
}

// metaCache keeps the bytes of immutable metadata files (manifest lists,
// manifests), least recently used first out, within a byte budget.
// Manifests are never rewritten in place, so a location identifies its
// content; a new snapshot reuses most of its predecessor's manifests, so a
// reload reads only the new ones.
type metaCache struct {
	mu    sync.Mutex
	max   int64
	used  int64
	order *list.List // of *metaCacheEntry, most recent first
	byLoc map[string]*list.Element
}

type metaCacheEntry struct {
	loc  string
	data []byte
}

// sharedMetaCache holds the manifests of every Iceberg table, so that one
// budget bounds them all; locations never collide across tables. 512 MiB
// holds the manifests of millions of data files.
var sharedMetaCache = newMetaCache(512 << 20)

func newMetaCache(max int64) *metaCache {
	return &metaCache{max: max, order: list.New(), byLoc: map[string]*list.Element{}}
}

func (c *metaCache) get(loc string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byLoc[loc]; ok {
		c.order.MoveToFront(e)
		return e.Value.(*metaCacheEntry).data, true
	}
	return nil, false
}

func (c *metaCache) put(loc string, data []byte) {
	if int64(len(data)) > c.max/8 {
		return // one huge file would flush everything else
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byLoc[loc]; ok {
		return
	}
	c.byLoc[loc] = c.order.PushFront(&metaCacheEntry{loc: loc, data: data})
	c.used += int64(len(data))
	for c.used > c.max {
		last := c.order.Back()
		e := last.Value.(*metaCacheEntry)
		c.order.Remove(last)
		delete(c.byLoc, e.loc)
		c.used -= int64(len(e.data))
	}
}

// cacheableMetadata says which files iceberg-go opens are immutable
// metadata worth keeping: Avro manifest lists and manifests.
func cacheableMetadata(loc string) bool {
	return strings.EqualFold(path.Ext(loc), ".avro")
}

// icebergIO is iceberg-go's io.IO for one table, bound to the context of
// the load or query it serves (io.IO's methods take none).
type icebergIO struct {
	ctx      context.Context
	resolver pathResolver
	stores   *icebergStores
	cache    *metaCache
}

var (
	_ icebergio.IO         = icebergIO{}
	_ icebergio.ReadFileIO = icebergIO{}
)

func (f icebergIO) ReadFile(name string) ([]byte, error) {
	b, _, err := f.read(name)
	return b, err
}

func (f icebergIO) Open(name string) (icebergio.File, error) {
	b, loc, err := f.read(name)
	if err != nil {
		return nil, err
	}
	return &memFile{Reader: bytes.NewReader(b), name: path.Base(loc), size: int64(len(b))}, nil
}

// Remove is never needed: lakegate does not write tables.
func (f icebergIO) Remove(name string) error {
	return fmt.Errorf("%s: lakegate reads Iceberg tables and never removes files", name)
}

func (f icebergIO) read(name string) ([]byte, string, error) {
	loc, err := f.resolver.resolve(name)
	if err != nil {
		return nil, "", err
	}
	key := loc.String()
	if b, ok := f.cache.get(key); ok {
		return b, key, nil
	}
	store, err := f.stores.forLocation(loc)
	if err != nil {
		return nil, key, err
	}
	b, err := readAll(f.ctx, store, key)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, key, fmt.Errorf("%s (written as %s): %w", key, name, err)
		}
		return nil, key, err
	}
	if cacheableMetadata(key) {
		f.cache.put(key, b)
	}
	return b, key, nil
}

// memFile is a file read whole into memory; iceberg-go needs a seekable
// ReaderAt, and metadata files are small.
type memFile struct {
	*bytes.Reader
	name string
	size int64
}

func (m *memFile) Stat() (fs.FileInfo, error) { return memFileInfo{m.name, m.size}, nil }
func (m *memFile) Close() error               { return nil }

type memFileInfo struct {
	name string
	size int64
}

func (i memFileInfo) Name() string       { return i.name }
func (i memFileInfo) Size() int64        { return i.size }
func (i memFileInfo) Mode() fs.FileMode  { return 0o444 }
func (i memFileInfo) ModTime() time.Time { return time.Time{} }
func (i memFileInfo) IsDir() bool        { return false }
func (i memFileInfo) Sys() any           { return nil }
