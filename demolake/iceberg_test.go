package demolake

import (
	"path/filepath"
	"runtime"
	"testing"
)

func TestRelocatedFS(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix paths")
	}
	fs := relocatedFS{final: "/cache/lake's data/demo", tmp: "/cache/lake's data/.demo.tmp-1"}
	for _, tc := range []struct {
		name, want string // want "" means refused
	}{
		{fileURI("/cache/lake's data/demo/returns/metadata/v1.metadata.json"), "/cache/lake's data/.demo.tmp-1/returns/metadata/v1.metadata.json"},
		// iceberg-go's own escaping of the paths it derives.
		{"file:///cache/lake%27s%20data/demo/returns/data/returned_at_month=2024-01/x.parquet", "/cache/lake's data/.demo.tmp-1/returns/data/returned_at_month=2024-01/x.parquet"},
		{fileURI("/cache/lake's data/demo"), "/cache/lake's data/.demo.tmp-1"},
		{fileURI("/cache/lake's data/demo2/x"), ""}, // a sibling sharing the prefix
		{fileURI("/etc/passwd"), ""},
		{"/cache/lake's data/demo/x", ""}, // a plain path: iceberg-go would escape paths derived from it
		{"s3://bucket/demo/x", ""},
		{"file://host/cache/lake's data/demo/x", ""},
	} {
		got, err := fs.local(tc.name)
		if tc.want == "" {
			if err == nil {
				t.Errorf("local(%s) = %s; want it refused", tc.name, got)
			}
			continue
		}
		if err != nil || got != filepath.FromSlash(tc.want) {
			t.Errorf("local(%s) = %s, %v; want %s", tc.name, got, err, tc.want)
		}
	}
}
