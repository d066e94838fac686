package catalog

import (
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// fileCache is a local directory of downloaded S3 objects, so DuckDB reads
// them as local files.
//
// Each cached file holds exactly one version of one object: its name is a
// hash of the object's location and ETag, so a replaced object (new ETag)
// gets a new file and is never served stale, and no key can steer a path
// outside the directory. Files live at dir/<2 hex>/<64 hex><ext>, the
// extension kept from the key when it is short and plain (DuckDB and people
// reading error messages like "….parquet").
//
// The cache is bounded by maxBytes with least-recently-used eviction.
// A file handed out by get is pinned until its release func is called and
// is never evicted while pinned, so the cache can run over budget while
// queries hold more than maxBytes of files; likewise an object larger than
// maxBytes is still downloaded and served, and evicted as soon as nothing
// reads it. Space for a download is reserved (and older files evicted)
// before it starts, so concurrent downloads do not overshoot the budget.
//
// Concurrent gets of the same object share one download. A download goes
// to a temporary file in the same directory, is fsynced and renamed into
// place, so a partial or torn file is never visible, even after a crash.
// On start the cache adopts the files a previous process left (a restart
// keeps the cache warm) and removes stale temporary files. One directory
// must not be shared by two running processes.
type fileCache struct {
	dir      string
	maxBytes int64
	logger   *slog.Logger

	mu      sync.Mutex
	entries map[string]*cacheEntry // by file name relative to dir
	lru     *list.List             // of *cacheEntry, most recently used first
	flights map[string]*cacheFlight
	used    int64 // bytes of entries plus reservations of running downloads

	hits, misses, downloads, downloadedBytes, evictions atomic.Int64
}

type cacheEntry struct {
	name string // relative to dir, slash-separated
	size int64
	refs int // pins held by callers of get
	elem *list.Element
}

// cacheFlight is one download shared by every get waiting for the object.
type cacheFlight struct {
	done    chan struct{}
	cancel  context.CancelFunc
	waiters int   // gets still waiting; guarded by fileCache.mu
	over    bool  // finished: err is set and the entry (if any) carries one pin per waiter
	err     error // valid once done is closed
}

// CacheStats is a snapshot of the file cache's counters.
type CacheStats struct {
	// Hits counts gets served by a file already in the cache.
	Hits int64
	// Misses counts gets that had to wait for a download, their own or
	// one another get started.
	Misses int64
	// Downloads counts objects downloaded; DownloadedBytes their bytes.
	Downloads       int64
	DownloadedBytes int64
	// Evictions counts files removed to stay within MaxBytes.
	Evictions int64
	// Files and Bytes are what the cache holds now (Bytes includes space
	// reserved for downloads in progress).
	Files    int
	Bytes    int64
	MaxBytes int64
}

const cacheTempPrefix = ".tmp-"

// cacheFileName matches the files the cache writes (see fileCache).
var cacheFileName = regexp.MustCompile(`^[0-9a-f]{2}/[0-9a-f]{64}((/[^/.][^/=]*=[^/]*)*/object)?(\.[A-Za-z0-9]{1,16})?$`)

// hiveSegment is a key=value directory of an object key, kept in the
// cached file's path: DuckDB reads hive partition values from the path it
// is given, so the cached copy must carry them.
var hiveSegment = regexp.MustCompile(`^[^/.\x00][^/=\x00]*=[^/\x00]*$`)

// cacheExt is the key's extension, if it is safe to put in a file name.
var cacheExt = regexp.MustCompile(`^\.[A-Za-z0-9]{1,16}$`)

// newFileCache opens (creating it if needed) the cache directory dir,
// adopts the files already there and removes leftovers of interrupted
// downloads.
func newFileCache(dir string, maxBytes int64, logger *slog.Logger) (*fileCache, error) {
	if maxBytes <= 0 {
		return nil, fmt.Errorf("file cache %s: size limit must be positive, got %d bytes", dir, maxBytes)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("file cache %s: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("file cache: %w", err)
	}
	c := &fileCache{
		dir:      abs,
		maxBytes: maxBytes,
		logger:   logger.With("component", "filecache"),
		entries:  make(map[string]*cacheEntry),
		lru:      list.New(),
		flights:  make(map[string]*cacheFlight),
	}
	if err := c.adopt(); err != nil {
		return nil, fmt.Errorf("file cache %s: %w", abs, err)
	}
	return c, nil
}

// adopt takes over the files in the directory, least recently used last
// (by modification time, which get refreshes on every hit).
func (c *fileCache) adopt() error {
	type found struct {
		name  string
		size  int64
		mtime time.Time
	}
	var files []found
	var stale, foreign int
	err := filepath.WalkDir(c.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		if strings.HasPrefix(d.Name(), cacheTempPrefix) {
			// A download interrupted by a crash or kill; no one else
			// writes here, since the directory belongs to this process.
			stale++
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			return nil
		}
		rel, err := filepath.Rel(c.dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if !d.Type().IsRegular() || !cacheFileName.MatchString(rel) {
			foreign++ // not ours: leave it alone, never count it
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		files = append(files, found{rel, info.Size(), info.ModTime()})
		return nil
	})
	if err != nil {
		return err
	}
	// Oldest first, so each PushFront leaves the newest at the front.
	slices.SortFunc(files, func(a, b found) int { return a.mtime.Compare(b.mtime) })
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, f := range files {
		e := &cacheEntry{name: f.name, size: f.size}
		e.elem = c.lru.PushFront(e)
		c.entries[f.name] = e
		c.used += f.size
	}
	c.evictLocked()
	c.logger.Info("file cache opened", "dir", c.dir, "files", len(c.entries), "bytes", c.used,
		"max_bytes", c.maxBytes, "removed_temp_files", stale, "foreign_files", foreign)
	return nil
}

// cacheName is the file name of one object version, relative to dir:
// a hash of location and ETag, then, for keys with hive partition
// directories, those directories and "object".
func cacheName(obj ObjectInfo) string {
	sum := sha256.Sum256([]byte(obj.Location + "\x00" + obj.ETag))
	h := hex.EncodeToString(sum[:])
	name := h[:2] + "/" + h
	var hive []string
	dirs := strings.Split(obj.Location, "/")
	for _, seg := range dirs[:len(dirs)-1] {
		if hiveSegment.MatchString(seg) && len(seg) <= 200 {
			hive = append(hive, seg)
		}
	}
	if len(hive) > 0 {
		name += "/" + strings.Join(hive, "/") + "/object"
	}
	if ext := path.Ext(obj.Location); cacheExt.MatchString(ext) {
		name += ext
	}
	return name
}

// removeCached deletes a cached file and the directories its name added.
func (c *fileCache) removeCached(name string) error {
	if err := os.Remove(c.path(name)); err != nil {
		return err
	}
	for dir := path.Dir(name); strings.Count(dir, "/") >= 1; dir = path.Dir(dir) {
		if os.Remove(c.path(dir)) != nil {
			break // not empty, or already gone
		}
	}
	return nil
}

func (c *fileCache) path(name string) string {
	return filepath.Join(c.dir, filepath.FromSlash(name))
}

// get returns a local file holding exactly the version obj (obj.ETag must
// be set), calling download to fetch it if the cache does not have it. The
// file is pinned until release is called (release may be called more than
// once). Concurrent gets of one object share one download, which runs
// until it completes or every get waiting for it has given up (ctx).
func (c *fileCache) get(ctx context.Context, obj ObjectInfo, download func(ctx context.Context, w io.WriterAt) error) (string, func(), error) {
	if obj.ETag == "" {
		return "", nil, fmt.Errorf("%s: no ETag to identify the object's version; it cannot be cached", obj.Location)
	}
	name := cacheName(obj)
	for {
		c.mu.Lock()
		if e, ok := c.entries[name]; ok {
			c.pinLocked(e)
			c.mu.Unlock()
			c.hits.Add(1)
			c.touch(name)
			return c.path(name), c.releaser(e), nil
		}
		f, ok := c.flights[name]
		if !ok {
			f = c.startLocked(ctx, name, obj, download)
		}
		f.waiters++
		c.mu.Unlock()
		c.misses.Add(1)

		select {
		case <-f.done:
		case <-ctx.Done():
			c.mu.Lock()
			if !f.over {
				f.waiters--
				if f.waiters == 0 {
					// Nobody wants it any more. A later get starts afresh
					// rather than joining a cancelled download.
					f.cancel()
					delete(c.flights, name)
				}
				c.mu.Unlock()
				return "", nil, fmt.Errorf("%s: %w", obj.Location, ctx.Err())
			}
			c.mu.Unlock()
			<-f.done // finished meanwhile: our pin is already taken
		}
		if f.err != nil {
			return "", nil, f.err
		}
		c.mu.Lock()
		e, ok := c.entries[name]
		c.mu.Unlock()
		if ok {
			return c.path(name), c.releaser(e), nil
		}
		// Unreachable while pins hold: the finished download pinned the
		// entry once per waiter. Stay safe and look again.
	}
}

// startLocked starts downloading obj into the cache file name.
func (c *fileCache) startLocked(ctx context.Context, name string, obj ObjectInfo, download func(context.Context, io.WriterAt) error) *cacheFlight {
	// The download outlives the get that started it if others wait for
	// it too; it is cancelled only when the last waiter gives up. It keeps
	// ctx's values (trace and log attributes).
	dctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	f := &cacheFlight{done: make(chan struct{}), cancel: cancel}
	c.flights[name] = f
	reserve := max(obj.Size, 0)
	c.used += reserve
	c.evictLocked()
	go func() {
		defer cancel()
		start := time.Now()
		size, err := c.fetch(dctx, name, obj, download)
		c.mu.Lock()
		c.used -= reserve
		if c.flights[name] == f {
			delete(c.flights, name)
		}
		f.over = true
		f.err = err
		if err == nil {
			if e, ok := c.entries[name]; ok {
				// A download abandoned by its waiters completed after all
				// and a newer one renamed the same version over it.
				e.refs += f.waiters
				c.lru.MoveToFront(e.elem)
			} else {
				e := &cacheEntry{name: name, size: size, refs: f.waiters}
				e.elem = c.lru.PushFront(e)
				c.entries[name] = e
				c.used += size
			}
			c.evictLocked()
		}
		c.mu.Unlock()
		close(f.done)
		if errors.Is(err, context.Canceled) {
			c.logger.Debug("download cancelled", "object", obj.Location, "etag", obj.ETag)
			return
		}
		if err != nil {
			c.logger.Warn("download failed", "object", obj.Location, "etag", obj.ETag, "err", err)
			return
		}
		c.downloads.Add(1)
		c.downloadedBytes.Add(size)
		c.logger.Debug("downloaded", "object", obj.Location, "etag", obj.ETag, "bytes", size,
			"duration", time.Since(start))
	}()
	return f
}

// fetch downloads obj into a temporary file and renames it to name once
// it is complete and durable.
func (c *fileCache) fetch(ctx context.Context, name string, obj ObjectInfo, download func(context.Context, io.WriterAt) error) (int64, error) {
	final := c.path(name)
	if err := os.MkdirAll(filepath.Dir(final), 0o700); err != nil {
		return 0, fmt.Errorf("file cache: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(final), cacheTempPrefix+"*")
	if err != nil {
		return 0, fmt.Errorf("file cache: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := download(ctx, tmp); err != nil {
		return 0, err
	}
	info, err := tmp.Stat()
	if err != nil {
		return 0, fmt.Errorf("file cache: %w", err)
	}
	// The size check catches a download that silently stopped short or an
	// object that is not the indexed version despite its ETag.
	if obj.Size >= 0 && info.Size() != obj.Size {
		return 0, fmt.Errorf("%s: downloaded %d bytes, expected %d; the object changed since it was indexed: %w",
			obj.Location, info.Size(), obj.Size, errObjectChanged)
	}
	// fsync before rename: otherwise a crash can leave a renamed file whose
	// data never reached the disk, which the next start would adopt.
	if err := tmp.Sync(); err != nil {
		return 0, fmt.Errorf("file cache: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return 0, fmt.Errorf("file cache: %w", err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return 0, fmt.Errorf("file cache: %w", err)
	}
	ok = true
	return info.Size(), nil
}

func (c *fileCache) pinLocked(e *cacheEntry) {
	e.refs++
	c.lru.MoveToFront(e.elem)
}

// releaser returns the func that drops one pin on e.
func (c *fileCache) releaser(e *cacheEntry) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			c.mu.Lock()
			e.refs--
			if e.refs == 0 && c.used > c.maxBytes {
				c.evictLocked() // the cache ran over budget while e was read
			}
			c.mu.Unlock()
		})
	}
}

// touch records a hit in the file's modification time, so the LRU order
// survives a restart (see adopt). Best effort: a failure costs only order.
func (c *fileCache) touch(name string) {
	now := time.Now()
	_ = os.Chtimes(c.path(name), time.Time{}, now)
}

// evictLocked removes least recently used unpinned files until the cache
// fits its budget or only pinned files are left.
func (c *fileCache) evictLocked() {
	for el := c.lru.Back(); el != nil && c.used > c.maxBytes; {
		e := el.Value.(*cacheEntry)
		prev := el.Prev()
		if e.refs == 0 {
			if err := c.removeCached(e.name); err != nil && !errors.Is(err, fs.ErrNotExist) {
				// Keep accounting for it: the bytes are still on disk.
				c.logger.Warn("cannot evict cached file", "file", c.path(e.name), "err", err)
			} else {
				c.lru.Remove(el)
				delete(c.entries, e.name)
				c.used -= e.size
				c.evictions.Add(1)
			}
		}
		el = prev
	}
	if c.used > c.maxBytes {
		c.logger.Debug("file cache over budget while files are in use", "bytes", c.used, "max_bytes", c.maxBytes)
	}
}

// Stats returns the cache's counters and current size.
func (c *fileCache) Stats() CacheStats {
	c.mu.Lock()
	files, used := len(c.entries), c.used
	c.mu.Unlock()
	return CacheStats{
		Hits:            c.hits.Load(),
		Misses:          c.misses.Load(),
		Downloads:       c.downloads.Load(),
		DownloadedBytes: c.downloadedBytes.Load(),
		Evictions:       c.evictions.Load(),
		Files:           files,
		Bytes:           used,
		MaxBytes:        c.maxBytes,
	}
}
