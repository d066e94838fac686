package catalog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lakegate/lakegate/test/versitygw"
)

const testBucket = "lake"

// newTestS3 starts a real S3 server (versitygw) with one bucket and
// returns an s3Store on it, configured through the default credential
// chain as in production.
func newTestS3(t *testing.T) (*versitygw.Server, *s3Store) {
	t.Helper()
	srv := versitygw.Start(t)
	srv.Env(t)
	srv.CreateBucket(t, testBucket)
	cache := newTestCache(t, t.TempDir(), 1<<20)
	st, err := newS3Store(t.Context(), S3Config{Endpoint: srv.Endpoint, PathStyle: true}, cache, nil)
	if err != nil {
		t.Fatal(err)
	}
	return srv, st
}

func s3URL(key string) string { return "s3://" + testBucket + "/" + key }

func TestS3ListPagesAndSkipsHidden(t *testing.T) {
	srv, st := newTestS3(t)
	etags, sizes := map[string]string{}, map[string]int64{}
	var want []string
	for i := range 23 {
		key := fmt.Sprintf("sales/date=2024-01-%02d/part-0.parquet", i+1)
		etags[key] = srv.PutObject(t, testBucket, key, []byte(strings.Repeat("x", i)))
		sizes[key] = int64(i)
		want = append(want, key)
	}
	for _, key := range []string{
		"sales/_SUCCESS",
		"sales/_temporary/0/part-9.parquet",
		"sales/date=2024-01-01/.part-0.parquet.crc",
		"salesman/other.parquet", // shares the string prefix, not the directory
	} {
		srv.PutObject(t, testBucket, key, []byte("-"))
	}
	// 26 keys under "sales/" in pages of 5: six ListObjectsV2 requests.
	st.pageSize = 5
	before := st.Stats().Requests

	var got []string
	err := st.list(t.Context(), s3URL("sales/"), func(o ObjectInfo) error {
		key := strings.TrimPrefix(o.Location, "s3://"+testBucket+"/")
		got = append(got, key)
		if o.ETag != etags[key] || o.Size != sizes[key] || o.ModTime.IsZero() {
			t.Errorf("%s: %+v, want ETag %s, size %d", key, o, etags[key], sizes[key])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("list =\n%q\nwant\n%q", got, want)
	}
	if n := st.Stats().Requests - before; n != 6 {
		t.Errorf("%d list requests, want 6 pages", n)
	}

	// fn's error stops the listing.
	stop := errors.New("stop")
	if err := st.list(t.Context(), s3URL("sales/"), func(ObjectInfo) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("fn's error: %v", err)
	}
	// A bucket that does not exist.
	err = st.list(t.Context(), "s3://no-such-bucket/x/", func(ObjectInfo) error { return nil })
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "s3://no-such-bucket/x/") {
		t.Errorf("missing bucket: %v", err)
	}
	t.Log(err)
}

// TestS3ListDefaultPageSize lists more than one default page (1000 keys),
// so the continuation the server hands out is followed as well.
func TestS3ListDefaultPageSize(t *testing.T) {
	if testing.Short() {
		t.Skip("puts 1,001 objects")
	}
	srv, st := newTestS3(t)
	const n = 1001
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			srv.PutObject(t, testBucket, fmt.Sprintf("t/%04d.parquet", i), []byte{byte(i)})
		})
	}
	wg.Wait()
	before := st.Stats().Requests
	count := 0
	err := st.list(t.Context(), s3URL("t/"), func(o ObjectInfo) error {
		if want := s3URL(fmt.Sprintf("t/%04d.parquet", count)); o.Location != want {
			t.Fatalf("object %d is %s, want %s", count, o.Location, want)
		}
		count++
		return nil
	})
	if err != nil || count != n {
		t.Fatalf("listed %d objects, %v; want %d", count, err, n)
	}
	if reqs := st.Stats().Requests - before; reqs != 2 {
		t.Errorf("%d list requests, want 2", reqs)
	}
}

func TestS3StatAndReadRange(t *testing.T) {
	srv, st := newTestS3(t)
	body := []byte("0123456789abcdefghij")
	etag := srv.PutObject(t, testBucket, "f.parquet", body)

	obj, err := st.stat(t.Context(), "s3a://"+testBucket+"/f.parquet")
	if err != nil {
		t.Fatal(err)
	}
	if obj.Location != s3URL("f.parquet") || obj.Size != int64(len(body)) || obj.ETag != etag || obj.ModTime.IsZero() {
		t.Errorf("stat = %+v, want ETag %s", obj, etag)
	}
	_, err = st.stat(t.Context(), s3URL("missing.parquet"))
	if !errors.Is(err, fs.ErrNotExist) || err.Error() != s3URL("missing.parquet")+": object not found" {
		t.Errorf("stat of a missing object: %v", err)
	}

	st.suffixSlack = 4
	for _, tc := range []struct {
		off, n   int64
		want     string
		requests int64
	}{
		{0, 4, "0123", 1},
		{16, 4, "ghij", 1},
		{18, 10, "ij", 1}, // short at the end
		{-8, 8, "cdefghij", 1},
		{-8, 4, "cdef", 1},                  // suffix range, 4 bytes of slack
		{-12, 4, "89ab", 2},                 // more slack: HEAD, then an exact range
		{-4, 100, "ghij", 1},                // n past the end
		{-22, 19, "0123456789abcdefghi", 1}, // clamped to the start, within the slack
		{-100, 3, "012", 2},                 // clamped to the start, HEAD first
		{5, 0, "", 0},                       // nothing to fetch
	} {
		before := st.Stats().Requests
		got, err := st.readRange(t.Context(), s3URL("f.parquet"), tc.off, tc.n)
		if err != nil || string(got) != tc.want {
			t.Errorf("readRange(%d, %d) = %q, %v; want %q", tc.off, tc.n, got, err, tc.want)
		}
		if n := st.Stats().Requests - before; n != tc.requests {
			t.Errorf("readRange(%d, %d): %d requests, want %d", tc.off, tc.n, n, tc.requests)
		}
	}
	_, err = st.readRange(t.Context(), s3URL("f.parquet"), 100, 4)
	if err == nil || !strings.Contains(err.Error(), s3URL("f.parquet")) {
		t.Errorf("read past the end: %v", err)
	}
	t.Log(err)
	_, err = st.readRange(t.Context(), s3URL("gone.parquet"), -8, 8)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("read of a missing object: %v", err)
	}
}

func TestS3LocalPathDownloadsOnceThroughCache(t *testing.T) {
	srv, st := newTestS3(t)
	body := bytes.Repeat([]byte("lakegate"), 1000)
	srv.PutObject(t, testBucket, "t/part-0.parquet", body)
	obj, err := st.stat(t.Context(), s3URL("t/part-0.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	before := st.Stats().Requests
	const n = 12
	var wg sync.WaitGroup
	paths := make([]string, n)
	for i := range n {
		wg.Go(func() {
			path, release, err := st.localPath(t.Context(), obj)
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
	if cs := st.cache.Stats(); cs.Downloads != 1 || cs.DownloadedBytes != int64(len(body)) {
		t.Errorf("cache stats = %+v, want one download", cs)
	}
	if reqs := st.Stats().Requests - before; reqs != 1 {
		t.Errorf("%d S3 requests for %d concurrent reads of one small object, want 1", reqs, n)
	}
	for _, p := range paths[1:] {
		if p != paths[0] {
			t.Errorf("paths differ: %s, %s", p, paths[0])
		}
	}
}

// TestS3LocalPathLargeObjectInParts downloads an object of several parts
// with parallel ranged GETs.
func TestS3LocalPathLargeObjectInParts(t *testing.T) {
	srv, st := newTestS3(t)
	body := make([]byte, 2*s3PartSize+12345)
	for i := range body {
		body[i] = byte(i * 7)
	}
	srv.PutObject(t, testBucket, "big.parquet", body)
	obj, err := st.stat(t.Context(), s3URL("big.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	st.cache.maxBytes = 1 << 30
	before := st.Stats().Requests
	path, release, err := st.localPath(t.Context(), obj)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	assertFile(t, path, body)
	if reqs := st.Stats().Requests - before; reqs != 3 {
		t.Errorf("%d GETs, want 3 parts", reqs)
	}
}

func TestS3ReplacedObject(t *testing.T) {
	srv, st := newTestS3(t)
	v1, v2 := []byte("version one"), []byte("version two, longer")

	// Indexed and cached before the replacement: the cache keeps serving
	// exactly that version, and the new version gets its own file.
	srv.PutObject(t, testBucket, "a.parquet", v1)
	a1, err := st.stat(t.Context(), s3URL("a.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	p1, release1, err := st.localPath(t.Context(), a1)
	if err != nil {
		t.Fatal(err)
	}
	defer release1()
	srv.PutObject(t, testBucket, "a.parquet", v2)
	a2, err := st.stat(t.Context(), s3URL("a.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	if a2.ETag == a1.ETag {
		t.Fatalf("replacing the object kept its ETag %s", a1.ETag)
	}
	p2, release2, err := st.localPath(t.Context(), a2)
	if err != nil {
		t.Fatal(err)
	}
	defer release2()
	if p1 == p2 {
		t.Fatalf("both versions at %s", p1)
	}
	assertFile(t, p1, v1)
	assertFile(t, p2, v2)

	// Indexed, then replaced before the download: If-Match refuses.
	srv.PutObject(t, testBucket, "b.parquet", v1)
	b1, err := st.stat(t.Context(), s3URL("b.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	srv.PutObject(t, testBucket, "b.parquet", v2)
	_, _, err = st.localPath(t.Context(), b1)
	if !errors.Is(err, errObjectChanged) {
		t.Fatalf("download of a replaced object: %v", err)
	}
	if want := "object " + s3URL("b.parquet") + " changed since it was indexed; the table will be refreshed"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	b2, err := st.stat(t.Context(), s3URL("b.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	p, release, err := st.localPath(t.Context(), b2)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	assertFile(t, p, v2)
}

func TestS3WrongCredentials(t *testing.T) {
	srv, _ := newTestS3(t)
	t.Setenv("AWS_SECRET_ACCESS_KEY", srv.SecretKey+"x")
	st, err := newS3Store(t.Context(), S3Config{Endpoint: srv.Endpoint, PathStyle: true}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.stat(t.Context(), s3URL("k"))
	if err == nil || !strings.Contains(err.Error(), s3URL("k")+": access denied") {
		t.Errorf("wrong secret: %v", err)
	}
	t.Log(err)

	// No credentials anywhere in the chain.
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	st, err = newS3Store(t.Context(), S3Config{Endpoint: srv.Endpoint, PathStyle: true}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.stat(t.Context(), s3URL("k"))
	if err == nil || !strings.HasPrefix(err.Error(), s3URL("k")+": ") {
		t.Errorf("no credentials: %v", err)
	}
	t.Log(err)
}

// TestS3StoppedServer checks that a dead endpoint fails every operation
// quickly with an error naming the object and the endpoint, and that the
// store recovers when the server is back.
func TestS3StoppedServer(t *testing.T) {
	srv, st := newTestS3(t)
	body := []byte("some data")
	srv.PutObject(t, testBucket, "k.parquet", body)
	obj, err := st.stat(t.Context(), s3URL("k.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	srv.Stop()

	// Bounded retries must give up well within this; the deadline only
	// turns a hang into a failure instead of a stuck test.
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	for name, op := range map[string]func() error{
		"list": func() error {
			return st.list(ctx, s3URL(""), func(ObjectInfo) error { return nil })
		},
		"stat": func() error { _, err := st.stat(ctx, s3URL("k.parquet")); return err },
		"readRange": func() error {
			_, err := st.readRange(ctx, s3URL("k.parquet"), -4, 4)
			return err
		},
		"localPath": func() error { _, _, err := st.localPath(ctx, obj); return err },
	} {
		start := time.Now()
		err := op()
		elapsed := time.Since(start)
		if err == nil {
			t.Errorf("%s on a stopped server succeeded", name)
			continue
		}
		t.Logf("%s failed after %v: %v", name, elapsed.Round(time.Millisecond), err)
		if errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s hung until the test's deadline: %v", name, err)
		}
		msg := err.Error()
		for _, want := range []string{"s3://" + testBucket + "/", "connection refused", "is the endpoint " + srv.Endpoint + " reachable?"} {
			if !strings.Contains(msg, want) {
				t.Errorf("%s: error %q does not say %q", name, msg, want)
			}
		}
	}
	if st.Stats().Errors == 0 {
		t.Error("no failed requests counted")
	}

	srv.Restart(t)
	path, release, err := st.localPath(t.Context(), obj)
	if err != nil {
		t.Fatalf("after restart: %v", err)
	}
	defer release()
	assertFile(t, path, body)
}

// TestS3CancelledContext checks that cancellation is not retried.
func TestS3CancelledContext(t *testing.T) {
	_, st := newTestS3(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := st.stat(ctx, s3URL("k"))
	if !errors.Is(err, context.Canceled) || err.Error() != s3URL("k")+": context canceled" {
		t.Errorf("cancelled stat: %v", err)
	}
}
