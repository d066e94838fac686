package catalog

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// recordingStore is a local store that records which files were read.
type recordingStore struct {
	localStore
	mu    sync.Mutex
	reads []string
}

func (s *recordingStore) readRange(ctx context.Context, loc string, off, n int64) ([]byte, error) {
	s.mu.Lock()
	s.reads = append(s.reads, loc)
	s.mu.Unlock()
	return s.localStore.readRange(ctx, loc, off, n)
}

// take returns the reads since the last take.
func (s *recordingStore) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.reads
	s.reads = nil
	return r
}

// copyTree copies the directory src to dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(target)
		if err != nil {
			return err
		}
		defer out.Close()
		_, err = io.Copy(out, in)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Reloading follows the table's commits: nothing is read when the
// metadata file did not change, a new snapshot reads only what its commits
// added, and filtered planning does not read manifests again.
func TestIcebergIncrementalLoad(t *testing.T) {
	root := icebergFixtures(t)
	const rel = "data/persistent/equality_deletes/warehouse/mydb/mytable"
	tmp := t.TempDir() // keeps the fixtures' relative layout
	dir := filepath.Join(tmp, rel)
	copyTree(t, filepath.Join(root, rel), dir)
	hint := filepath.Join(dir, "metadata", "version-hint.text")
	writeIcebergTestFile(t, hint, "4")
	os.Remove(filepath.Join(dir, "metadata", "v5.metadata.json")) // so that hint 4 is the newest
	v5, _ := os.ReadFile(filepath.Join(root, rel, "metadata", "v5.metadata.json"))

	store := &recordingStore{}
	src := newIcebergSource("t", location{path: dir}, store, nil, icebergTestLogger(t))
	t.Cleanup(src.close)
	ctx := context.Background()
	ids := func() string {
		d := newDuck(t)
		d.bind(src, "t", nil)
		return rowsText(d.rows("SELECT string_agg(id::VARCHAR, ',' ORDER BY id) FROM t"))
	}
	if err := src.load(ctx); err != nil {
		t.Fatal(err)
	}
	if got := ids(); got != "3,4" {
		t.Fatalf("v4: ids %s", got)
	}
	first := store.take()
	manifests := map[string]bool{}
	for _, r := range first {
		if strings.HasSuffix(r, ".avro") {
			manifests[r] = true
		}
	}
	if len(manifests) == 0 {
		t.Fatalf("first load read no manifests: %v", first)
	}

	// Unchanged: only the hint is read.
	if err := src.load(ctx); err != nil {
		t.Fatal(err)
	}
	if reads := store.take(); len(reads) != 1 || filepath.Base(reads[0]) != "version-hint.text" {
		t.Errorf("reload of an unchanged table read %v", reads)
	}

	// Filtered plans come from the cached manifests.
	if _, _, err := src.plan(ctx, eqFilter("id", Int(4))); err != nil {
		t.Fatal(err)
	}
	for _, r := range store.take() {
		t.Errorf("filtered planning read %s", r)
	}

	// Two commits later (the hint lags at v5; v6 and v7 are found), only
	// new manifest lists and manifests are read.
	writeIcebergTestFile(t, filepath.Join(dir, "metadata", "v5.metadata.json"), string(v5))
	writeIcebergTestFile(t, hint, "5")
	if err := src.load(ctx); err != nil {
		t.Fatal(err)
	}
	st, _ := src.current()
	if filepath.Base(st.metaObj.Location) != "v7.metadata.json" {
		t.Errorf("loaded %s, want v7", st.metaObj.Location)
	}
	for _, r := range store.take() {
		if manifests[r] {
			t.Errorf("reload read %s again", filepath.Base(r))
		}
	}
	if got := ids(); got != "4,5" {
		t.Errorf("v7: ids %s", got)
	}
}

// copyingStore stands in for S3 behind the file cache: localPath hands
// out a copy under a name unrelated to the location.
type copyingStore struct {
	localStore
	dir string
}

func (s *copyingStore) localPath(_ context.Context, obj ObjectInfo) (string, func(), error) {
	sum := sha256.Sum256([]byte(obj.Location))
	p := filepath.Join(s.dir, hex.EncodeToString(sum[:8])+".parquet")
	b, err := os.ReadFile(obj.Location)
	if err != nil {
		return "", nil, err
	}
	return p, func() {}, os.WriteFile(p, b, 0o644)
}

// Files read from copies: viewSQLLocated maps each copy back to its file
// through the locations list, for partition values and deletes alike.
func TestIcebergLocatedView(t *testing.T) {
	root := icebergFixtures(t)
	for _, c := range []struct{ rel, query, want string }{
		{"data/persistent/equality_deletes/warehouse/mydb/mytable_partitioned", "SELECT string_agg(id::VARCHAR || name, ',' ORDER BY id) FROM t", "1a,4d,5e"},
		{"data/persistent/hive_partitioned_table", "SELECT string_agg(event_date || event_type, ',' ORDER BY user_id) FROM t WHERE event_date > '2024-01-02'",
			"2024-01-03view,2024-01-03click,2024-01-04view,2024-01-04purchase"},
	} {
		store := &copyingStore{dir: t.TempDir()}
		src := openIcebergWith(t, filepath.Join(root, c.rel), store)
		ctx := context.Background()
		kept, _, err := src.plan(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		var paths, locs []string
		for _, f := range kept {
			p, _, err := store.localPath(ctx, f.Object)
			if err != nil {
				t.Fatal(err)
			}
			paths, locs = append(paths, quoteLiteral(p)), append(locs, quoteLiteral(f.Object.Location))
		}
		view, err := src.viewSQLLocated(ctx, "getvariable('f')", "getvariable('l')")
		if err != nil {
			t.Fatal(err)
		}
		d := newDuck(t)
		d.exec(fmt.Sprintf("SET VARIABLE f = [%s]", strings.Join(paths, ", ")))
		d.exec(fmt.Sprintf("SET VARIABLE l = [%s]", strings.Join(locs, ", ")))
		d.exec("CREATE VIEW t AS " + view)
		if got := rowsText(d.rows(c.query)); got != c.want {
			t.Errorf("%s: %s = %s, want %s", c.rel, c.query, got, c.want)
		}
	}
}

// Past inlineFileMetaRows, the per-file list goes to a Parquet file in the
// scratch directory; the rows read are the same, and closing the source
// removes the file.
func TestIcebergSideFile(t *testing.T) {
	root := icebergFixtures(t)
	defer func(n int) { inlineFileMetaRows = n }(inlineFileMetaRows)
	inlineFileMetaRows = 0
	for _, c := range icebergConformance {
		if !strings.Contains(c.rel, "equality_deletes") && !strings.Contains(c.rel, "hive_partitioned") && !strings.Contains(c.rel, "partition_binary") {
			continue
		}
		scratch := t.TempDir()
		src := newIcebergSource("t", location{path: filepath.Join(root, c.rel)}, localStore{}, nil, icebergTestLogger(t)).useScratchDir(scratch)
		if err := src.load(context.Background()); err != nil {
			t.Fatal(err)
		}
		d := newDuck(t)
		d.bind(src, "t", nil)
		if got := d.rows(c.query); rowsText(got) != rowsText(c.want) {
			t.Errorf("%s: %s\ngot:\n%s\nwant:\n%s", c.rel, c.query, rowsText(got), rowsText(c.want))
		}
		if view, _ := src.viewSQL(context.Background(), "F"); !strings.Contains(view, scratch) {
			t.Errorf("%s: the view does not read the side file:\n%s", c.rel, view)
		}
		src.close()
		if left, _ := filepath.Glob(filepath.Join(scratch, "*")); len(left) != 0 {
			t.Errorf("%s: close left %v", c.rel, left)
		}
	}
}
