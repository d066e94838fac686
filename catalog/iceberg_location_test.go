package catalog

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

func TestIcebergMetadataFileResolution(t *testing.T) {
	root := icebergFixtures(t)
	p := func(rel string) string { return filepath.Join(root, "data/persistent", rel) }
	// A directory of Hadoop-style names and no hint: v10 beats v3.1 and v9.
	noHint := t.TempDir()
	writeIcebergTestFiles(t, filepath.Join(noHint, "metadata"), "v1.metadata.json", "v9.metadata.json", "v10.metadata.json", "v3.1.metadata.json", "snap-1.avro")
	// A hint that lags behind the newest version.
	lagging := t.TempDir()
	writeIcebergTestFiles(t, filepath.Join(lagging, "metadata"), "v1.metadata.json", "v2.metadata.json", "v3.metadata.json")
	writeIcebergTestFile(t, filepath.Join(lagging, "metadata", "version-hint.text"), "2\n")
	// Catalog-style names, the highest sequence number wins.
	catalogNames := t.TempDir()
	writeIcebergTestFiles(t, filepath.Join(catalogNames, "metadata"),
		"00009-1b2c3d4e-0000-0000-0000-000000000000.metadata.json", "00010-0a0b0c0d-0000-0000-0000-000000000000.metadata.json")
	cases := []struct{ loc, want string }{
		{p("hive_partitioned_table/metadata/v2.metadata.json"), p("hive_partitioned_table/metadata/v2.metadata.json")},
		{p("hive_partitioned_table"), p("hive_partitioned_table/metadata/v4.metadata.json")},
		{p("is_null_is_not_null"), p("is_null_is_not_null/metadata/00001-43ceeb9a-cd0d-4556-b1e2-513b5bf88ff8.metadata.json")},
		{p("partition_time/default.db/partition_time"), p("partition_time/default.db/partition_time/metadata/00001-44546aa6-1ee5-48c5-9e3b-bc6c0bc0a60c.metadata.json")},
		{p("name_mapping/warehouse_1/mydb/t1"), p("name_mapping/warehouse_1/mydb/t1/metadata/v7.metadata.json")},
		{noHint, filepath.Join(noHint, "metadata/v10.metadata.json")},
		{lagging, filepath.Join(lagging, "metadata/v3.metadata.json")},
		{catalogNames, filepath.Join(catalogNames, "metadata/00010-0a0b0c0d-0000-0000-0000-000000000000.metadata.json")},
	}
	for _, c := range cases {
		obj, err := resolveMetadataFile(context.Background(), localStore{}, location{path: c.loc})
		if err != nil {
			t.Errorf("%s: %v", c.loc, err)
			continue
		}
		if obj.Location != c.want {
			t.Errorf("%s: resolved %s, want %s", c.loc, obj.Location, c.want)
		}
	}
	if _, err := resolveMetadataFile(context.Background(), localStore{}, location{path: t.TempDir()}); err == nil {
		t.Error("a directory without metadata resolved")
	}
}

func writeIcebergTestFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	for _, n := range names {
		writeIcebergTestFile(t, filepath.Join(dir, n), "{}")
	}
}

func writeIcebergTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestIcebergPathResolver(t *testing.T) {
	s3 := func(b, p string) location { return location{bucket: b, path: p} }
	local := func(p string) location { return location{path: p} }
	cases := []struct {
		name     string
		metaFile location
		recorded string
		rebase   bool
		path     string
		want     string
	}{
		{"absolute as written", local("/lake/t/metadata/v1.metadata.json"), "/lake/t", true, "/lake/t/data/a.parquet", "/lake/t/data/a.parquet"},
		{"file URI", local("/lake/t/metadata/v1.metadata.json"), "file:/lake/t", true, "file:/lake/t/data/a.parquet", "/lake/t/data/a.parquet"},
		{"file:// URI", local("/lake/t/metadata/v1.metadata.json"), "file:///lake/t", true, "file:///lake/t/data/a.parquet", "/lake/t/data/a.parquet"},
		{"moved table", local("/copy/t/metadata/v1.metadata.json"), "/warehouse/db/t", true, "/warehouse/db/t/data/x=1/a.parquet", "/copy/t/data/x=1/a.parquet"},
		{"copied from S3", local("/copy/t/metadata/v1.metadata.json"), "s3a://bucket/wh/t", true, "s3a://bucket/wh/t/data/a.parquet", "/copy/t/data/a.parquet"},
		{"prefix is a whole segment", local("/copy/t/metadata/v1.metadata.json"), "/warehouse/db/t", true, "/warehouse/db/t2/a.parquet", "/warehouse/db/t2/a.parquet"},
		{"custom metadata path: no rebase", local("/meta/t/metadata/v1.metadata.json"), "/warehouse/db/t", false, "/warehouse/db/t/data/a.parquet", "/warehouse/db/t/data/a.parquet"},
		{"s3a to s3", s3("bucket", "wh/t/metadata/v1.metadata.json"), "s3a://bucket/wh/t", true, "s3a://bucket/wh/t/data/a.parquet", "s3://bucket/wh/t/data/a.parquet"},
		{"data in another bucket", s3("bucket", "wh/t/metadata/v1.metadata.json"), "s3://bucket/wh/t", true, "s3://other/d/a.parquet", "s3://other/d/a.parquet"},
		{"relative location", local("/fx/data/persistent/t/metadata/v1.metadata.json"), "data/persistent/t", true, "data/persistent/t/data/a.parquet", "/fx/data/persistent/t/data/a.parquet"},
		{"relative, ./", local("/fx/iceberg/lineitem/metadata/v1.metadata.json"), "./lineitem", true, "lineitem/data/a.parquet", "/fx/iceberg/lineitem/data/a.parquet"},
		{"relative elsewhere", local("/fx/data/persistent/t/metadata/v1.metadata.json"), "data/persistent/t", true, "data/persistent/u/a.parquet", "/fx/data/persistent/u/a.parquet"},
		{"relative on S3", s3("b", "fx/t/metadata/v1.metadata.json"), "t", true, "t/data/a.parquet", "s3://b/fx/t/data/a.parquet"},
	}
	for _, c := range cases {
		r := newPathResolver(c.metaFile, c.recorded, c.rebase)
		got, err := r.resolve(c.path)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got.String() != c.want {
			t.Errorf("%s: resolve(%q) = %s, want %s", c.name, c.path, got, c.want)
		}
	}
}
