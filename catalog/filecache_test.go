package catalog

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func newTestCache(t *testing.T, dir string, maxBytes int64) *fileCache {
	t.Helper()
	c, err := newFileCache(dir, maxBytes, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// serve is a download func writing body, counting its calls.
func serve(body []byte, calls *atomic.Int64) func(context.Context, io.WriterAt) error {
	return func(_ context.Context, w io.WriterAt) error {
		if calls != nil {
			calls.Add(1)
		}
		_, err := w.WriteAt(body, 0)
		return err
	}
}

func noDownload(t *testing.T) func(context.Context, io.WriterAt) error {
	return func(context.Context, io.WriterAt) error {
		t.Error("unexpected download")
		return errors.New("unexpected download")
	}
}

func object(name string, body []byte) ObjectInfo {
	return ObjectInfo{Location: "s3://bucket/" + name, Size: int64(len(body)), ETag: "etag-" + string(body)}
}

func mustGet(t *testing.T, c *fileCache, obj ObjectInfo, download func(context.Context, io.WriterAt) error) (string, func()) {
	t.Helper()
	path, release, err := c.get(t.Context(), obj, download)
	if err != nil {
		t.Fatalf("get %s: %v", obj.Location, err)
	}
	return path, release
}

func assertFile(t *testing.T, path string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("%s = %q, %v; want %q", path, got, err, want)
	}
}

// cacheFiles lists the regular files under dir, relative and slash-separated.
func cacheFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestCacheConcurrentGetsDownloadOnce(t *testing.T) {
	c := newTestCache(t, t.TempDir(), 1<<20)
	body := []byte("parquet bytes")
	obj := object("t/part-0.parquet", body)
	var calls atomic.Int64
	slow := func(ctx context.Context, w io.WriterAt) error {
		time.Sleep(50 * time.Millisecond) // let the other gets pile up
		return serve(body, &calls)(ctx, w)
	}
	const n = 16
	paths := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			path, release, err := c.get(t.Context(), obj, slow)
			if err != nil {
				t.Error(err)
				return
			}
			defer release()
			paths[i] = path
			assertFile(t, path, body)
		})
	}
	wg.Wait()
	if calls.Load() != 1 {
		t.Errorf("%d downloads for %d concurrent gets, want 1", calls.Load(), n)
	}
	for _, p := range paths {
		if p != paths[0] {
			t.Errorf("paths differ: %s, %s", p, paths[0])
		}
	}
	if !strings.HasSuffix(paths[0], ".parquet") || !strings.HasPrefix(paths[0], c.dir+string(filepath.Separator)) {
		t.Errorf("path %s: want a .parquet file inside %s", paths[0], c.dir)
	}
	st := c.Stats()
	if st.Downloads != 1 || st.DownloadedBytes != int64(len(body)) || st.Hits+st.Misses != n || st.Files != 1 {
		t.Errorf("stats = %+v", st)
	}
	// Now cached: a hit, no download.
	_, release := mustGet(t, c, obj, noDownload(t))
	release()
	if st2 := c.Stats(); st2.Hits != st.Hits+1 {
		t.Errorf("hits %d, want %d", st2.Hits, st.Hits+1)
	}
}

func TestCacheKeysOnETagAndKeepsPathsInside(t *testing.T) {
	dir := t.TempDir()
	c := newTestCache(t, dir, 1<<20)
	v1, v2 := []byte("version one"), []byte("version two!")
	o1 := ObjectInfo{Location: "s3://b/../../../etc/passwd", Size: int64(len(v1)), ETag: "e1"}
	o2 := o1
	o2.Size, o2.ETag = int64(len(v2)), "e2"
	p1, r1 := mustGet(t, c, o1, serve(v1, nil))
	defer r1()
	p2, r2 := mustGet(t, c, o2, serve(v2, nil))
	defer r2()
	if p1 == p2 {
		t.Fatalf("two ETags share the file %s", p1)
	}
	assertFile(t, p1, v1)
	assertFile(t, p2, v2)
	for _, p := range []string{p1, p2} {
		if rel, err := filepath.Rel(dir, p); err != nil || strings.HasPrefix(rel, "..") {
			t.Errorf("%s escapes the cache directory %s", p, dir)
		}
	}
	if _, _, err := c.get(t.Context(), ObjectInfo{Location: "s3://b/k"}, noDownload(t)); err == nil {
		t.Error("get without an ETag succeeded")
	}
}

func TestCacheEvictsLRUButNotPinned(t *testing.T) {
	dir := t.TempDir()
	c := newTestCache(t, dir, 100)
	body := func(b byte) []byte { return bytes.Repeat([]byte{b}, 40) }
	a, b, d, e := object("a", body('a')), object("b", body('b')), object("d", body('d')), object("e", body('e'))

	pa, releaseA := mustGet(t, c, a, serve(body('a'), nil)) // pinned throughout
	pb, releaseB := mustGet(t, c, b, serve(body('b'), nil))
	releaseB()
	releaseB() // release is idempotent
	// d needs room: b is the least recently used unpinned file.
	pd, releaseD := mustGet(t, c, d, serve(body('d'), nil))
	if _, err := os.Stat(pb); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("b not evicted: %v", err)
	}
	assertFile(t, pa, body('a'))
	// e needs room, but a and d are pinned: the cache runs over budget
	// rather than pull a file from under a reader.
	pe, releaseE := mustGet(t, c, e, serve(body('e'), nil))
	assertFile(t, pa, body('a'))
	assertFile(t, pd, body('d'))
	assertFile(t, pe, body('e'))
	if st := c.Stats(); st.Bytes != 120 || st.Evictions != 1 {
		t.Errorf("over budget: stats = %+v", st)
	}
	// Releasing a brings the cache back within budget at once.
	releaseA()
	if _, err := os.Stat(pa); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a not evicted after release: %v", err)
	}
	if st := c.Stats(); st.Bytes != 80 || st.Evictions != 2 || st.Files != 2 {
		t.Errorf("after release: stats = %+v", st)
	}
	releaseD()
	releaseE()
}

func TestCacheServesObjectLargerThanBudget(t *testing.T) {
	c := newTestCache(t, t.TempDir(), 10)
	big := bytes.Repeat([]byte("x"), 50)
	p, release := mustGet(t, c, object("big", big), serve(big, nil))
	assertFile(t, p, big)
	release()
	if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("oversized file kept after release: %v", err)
	}
	if st := c.Stats(); st.Bytes != 0 || st.Files != 0 {
		t.Errorf("stats = %+v", st)
	}
}

func TestCacheAdoptsFilesOnReopen(t *testing.T) {
	dir := t.TempDir()
	c := newTestCache(t, dir, 1<<20)
	old, recent := []byte("old object"), []byte("recent object")
	pOld, r := mustGet(t, c, object("old.parquet", old), serve(old, nil))
	r()
	pRecent, r := mustGet(t, c, object("recent.parquet", recent), serve(recent, nil))
	r()
	// Make the LRU order unambiguous across the restart.
	past := time.Now().Add(-time.Hour)
	if err := os.Chtimes(pOld, past, past); err != nil {
		t.Fatal(err)
	}
	// What a killed process leaves: a partial download, plus a file that
	// is not the cache's.
	stale := filepath.Join(filepath.Dir(pOld), cacheTempPrefix+"123")
	writeFiles(t, dir, map[string]string{
		filepath.ToSlash(strings.TrimPrefix(stale, dir+string(filepath.Separator))): "partial",
		"README": "not ours",
	})

	c2 := newTestCache(t, dir, 1<<20)
	p, r := mustGet(t, c2, object("recent.parquet", recent), noDownload(t))
	r()
	if p != pRecent {
		t.Errorf("adopted path %s, want %s", p, pRecent)
	}
	assertFile(t, p, recent)
	if _, err := os.Stat(stale); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("stale temporary file kept: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "README")); err != nil {
		t.Errorf("foreign file removed: %v", err)
	}
	if st := c2.Stats(); st.Files != 2 || st.Bytes != int64(len(old)+len(recent)) || st.Hits != 1 || st.Downloads != 0 {
		t.Errorf("reopened stats = %+v", st)
	}

	// Reopened with a smaller budget, the least recently used file goes.
	c3 := newTestCache(t, dir, int64(len(recent)))
	if st := c3.Stats(); st.Files != 1 || st.Evictions != 1 {
		t.Errorf("shrunk stats = %+v", st)
	}
	if _, err := os.Stat(pOld); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("least recently used file kept: %v", err)
	}
	assertFile(t, pRecent, recent)
}

func TestCacheFailedDownloadLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	c := newTestCache(t, dir, 1<<20)
	body := []byte("0123456789")
	obj := object("f", body)
	boom := errors.New("connection reset")
	_, _, err := c.get(t.Context(), obj, func(_ context.Context, w io.WriterAt) error {
		w.WriteAt(body[:4], 0)
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want %v", err, boom)
	}
	if files := cacheFiles(t, dir); len(files) != 0 {
		t.Errorf("files left after a failed download: %q", files)
	}
	// A short download (the server sent less than the indexed size) is
	// an error too, never a cached file.
	_, _, err = c.get(t.Context(), obj, serve(body[:7], nil))
	if !errors.Is(err, errObjectChanged) {
		t.Errorf("short download: %v", err)
	}
	if st := c.Stats(); st.Files != 0 || st.Bytes != 0 {
		t.Errorf("stats = %+v", st)
	}
	// The next get downloads afresh.
	p, release := mustGet(t, c, obj, serve(body, nil))
	defer release()
	assertFile(t, p, body)
}

func TestCacheCancelledGetStopsItsDownload(t *testing.T) {
	dir := t.TempDir()
	c := newTestCache(t, dir, 1<<20)
	obj := object("slow", []byte("abc"))
	started, stopped := make(chan struct{}), make(chan error, 1)
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		<-started
		cancel()
	}()
	_, _, err := c.get(ctx, obj, func(dctx context.Context, w io.WriterAt) error {
		close(started)
		<-dctx.Done() // a download that only ends when cancelled
		stopped <- dctx.Err()
		return dctx.Err()
	})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), obj.Location) {
		t.Errorf("err = %v", err)
	}
	select {
	case err := <-stopped:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("download ended with %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("download not cancelled after its only waiter left")
	}
	// The abandoned download is forgotten: a new get starts its own.
	p, release := mustGet(t, c, obj, serve([]byte("abc"), nil))
	defer release()
	assertFile(t, p, []byte("abc"))
}

func TestNewFileCacheRejectsZeroBudget(t *testing.T) {
	if _, err := newFileCache(t.TempDir(), 0, nil); err == nil {
		t.Error("a zero-byte cache was accepted")
	}
}

func TestCacheNameKeepsHivePartitions(t *testing.T) {
	for loc, want := range map[string]string{
		"s3://b/sales/sale_date=2024-01-02/region=eu/part-0.parquet": "/sale_date=2024-01-02/region=eu/object.parquet",
		"s3://b/sales/part-0.parquet":                                ".parquet",
		"s3://b/t/../x=1/.hidden=2/f.parquet":                        "/x=1/object.parquet",
	} {
		name := cacheName(ObjectInfo{Location: loc, ETag: "e"})
		if !strings.HasSuffix(name, want) || !cacheFileName.MatchString(name) || strings.Contains(name, "..") {
			t.Errorf("%s: cache name %s, want suffix %s", loc, name, want)
		}
	}
}
