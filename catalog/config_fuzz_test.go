package catalog

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseConfig feeds arbitrary YAML to the catalog file loader: it never
// panics, and every rejection is a ConfigError naming the file.
func FuzzParseConfig(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.yaml")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`refresh: 1m
cache: {directory: c, max_size: 1GB}
s3: {region: us-east-1, endpoint: "http://127.0.0.1:9000", path_style: true}
schemas:
  demo:
    tables:
      sales: {format: parquet, location: "sales/**/*.parquet", partitioning: hive, partition_columns: {sale_date: date}}
      returns: {format: iceberg, location: "s3://bucket/returns"}
  rest:
    iceberg_rest: {uri: "http://127.0.0.1:8181", namespace: ns, token: "${TOKEN}"}
users: {alice: {password: x}}
`))
	f.Add([]byte("schemas: {s: {tables: {t: {format: csv, location: x}}}}"))
	f.Add([]byte("schemas:\n  - a\n"))
	f.Add([]byte("{{{"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := ParseConfig("/lake/lakegate.yaml", data)
		if err != nil {
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.File != "/lake/lakegate.yaml" {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if cfg == nil {
			t.Fatal("no config and no error")
		}
		cfg.CheckSections("users")
	})
}
