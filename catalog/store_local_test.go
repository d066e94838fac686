package catalog

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeFiles creates files (relative path → content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLocalListSkipsHiddenAndStreamsInOrder(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"root/year=2024/part-1.parquet":    "22",
		"root/year=2023/part-0.parquet":    "1",
		"root/a.parquet":                   "333",
		"root/_SUCCESS":                    "",
		"root/year=2024/.part-1.crc":       "x",
		"root/_temporary/0/part-9.parquet": "half-written",
		"root/.hidden/part-8.parquet":      "x",
		"root/_committed_123":              "x",
		"root/year=2024/zz-last.parquet":   "55555",
		"root/year=2024/_x.parquet":        "x",
		"outside/target.parquet":           "4444",
		"outside/dir/inner.parquet":        "x",
	})
	root := filepath.Join(dir, "root")
	for name, target := range map[string]string{
		"link.parquet":     filepath.Join(dir, "outside", "target.parquet"),
		"linkdir":          filepath.Join(dir, "outside", "dir"), // not followed
		"dangling.parquet": filepath.Join(dir, "nowhere"),
	} {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}

	var got []string
	err := localStore{}.list(t.Context(), root, func(o ObjectInfo) error {
		rel, _ := filepath.Rel(root, o.Location)
		got = append(got, filepath.ToSlash(rel)+":"+strings.Repeat("#", int(o.Size)))
		if o.ModTime.IsZero() || o.ETag != "" {
			t.Errorf("%s: ModTime %v, ETag %q", o.Location, o.ModTime, o.ETag)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"a.parquet:###",
		"link.parquet:####",
		"year=2023/part-0.parquet:#",
		"year=2024/part-1.parquet:##",
		"year=2024/zz-last.parquet:#####",
	}
	if !slices.Equal(got, want) {
		t.Errorf("list =\n%q\nwant\n%q", got, want)
	}
}

func TestLocalListSingleFileMissingAndStop(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"x/one.parquet": "1", "x/two.parquet": "2"})

	var got []string
	one := filepath.Join(dir, "x", "one.parquet")
	if err := (localStore{}).list(t.Context(), one, func(o ObjectInfo) error {
		got = append(got, o.Location)
		return nil
	}); err != nil || !slices.Equal(got, []string{one}) {
		t.Errorf("list of a file = %q, %v", got, err)
	}

	err := localStore{}.list(t.Context(), filepath.Join(dir, "missing"), func(ObjectInfo) error { return nil })
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "missing") {
		t.Errorf("list of a missing directory: %v", err)
	}

	stop := errors.New("stop")
	calls := 0
	err = localStore{}.list(t.Context(), dir, func(ObjectInfo) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("fn's error: got %v after %d calls", err, calls)
	}

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err = localStore{}.list(ctx, dir, func(ObjectInfo) error { return nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled list: %v", err)
	}
}

func TestLocalReadRange(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"f": "0123456789", "empty": ""})
	f := filepath.Join(dir, "f")
	for _, tc := range []struct {
		off, n int64
		want   string
	}{
		{0, 4, "0123"},
		{6, 4, "6789"},
		{8, 10, "89"}, // short at the end, like an HTTP range
		{-4, 4, "6789"},
		{-6, 2, "45"},
		{-4, 100, "6789"},
		{-100, 3, "012"}, // clamped to the start, like a suffix range
		{3, 0, ""},
	} {
		got, err := localStore{}.readRange(t.Context(), f, tc.off, tc.n)
		if err != nil || string(got) != tc.want {
			t.Errorf("readRange(%d, %d) = %q, %v; want %q", tc.off, tc.n, got, err, tc.want)
		}
	}
	if _, err := (localStore{}).readRange(t.Context(), f, 10, 1); err == nil {
		t.Error("read past the end succeeded")
	}
	if _, err := (localStore{}).readRange(t.Context(), filepath.Join(dir, "nope"), 0, 1); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("read of a missing file: %v", err)
	}
	if got, err := (localStore{}).readRange(t.Context(), filepath.Join(dir, "empty"), -8, 8); err != nil || len(got) != 0 {
		t.Errorf("suffix read of an empty file = %q, %v", got, err)
	}
}

func TestLocalStatAndLocalPath(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"f.parquet": "abc"})
	p := filepath.Join(dir, "f.parquet")
	obj, err := localStore{}.stat(t.Context(), p)
	if err != nil || obj.Location != p || obj.Size != 3 || obj.ModTime.IsZero() {
		t.Fatalf("stat = %+v, %v", obj, err)
	}
	if _, err := (localStore{}).stat(t.Context(), dir); err == nil {
		t.Error("stat of a directory succeeded")
	}
	if _, err := (localStore{}).stat(t.Context(), p+".missing"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("stat of a missing file: %v", err)
	}
	path, release, err := localStore{}.localPath(t.Context(), obj)
	if err != nil || path != p {
		t.Fatalf("localPath = %q, %v", path, err)
	}
	release()
	if _, _, err := (localStore{}).localPath(t.Context(), ObjectInfo{Location: "s3://b/k"}); err == nil {
		t.Error("localPath of an S3 location succeeded")
	}
}
