package catalog

import (
	"strings"
	"testing"
	"time"
)

func TestParseConfig(t *testing.T) {
	cfg, err := ParseConfig("/etc/lakegate/lake.yaml", []byte(`
refresh: 90s
cache:
  directory: cache
  max_size: 2GiB
s3:
  region: eu-west-1
  endpoint: http://127.0.0.1:7070
  path_style: true
schemas:
  demo:
    tables:
      sales:
        format: parquet
        location: data/sales
        partitioning: hive
        partition_columns:
          sale_date: date
      orders:
        format: iceberg
        location: s3://lake/warehouse/orders
`))
	if err != nil {
		t.Fatal(err)
	}
	if time.Duration(cfg.Refresh) != 90*time.Second || cfg.Cache.MaxSize != 2<<30 || !cfg.S3.PathStyle {
		t.Errorf("got refresh %v, max_size %d, path_style %v", time.Duration(cfg.Refresh), cfg.Cache.MaxSize, cfg.S3.PathStyle)
	}
	sales := cfg.Schemas["demo"].Tables["sales"]
	if sales.PartitionColumns["sale_date"] != "date" {
		t.Errorf("partition columns %v", sales.PartitionColumns)
	}
	loc, _ := parseLocation(sales.Location, cfg.dir())
	if loc.String() != "/etc/lakegate/data/sales" {
		t.Errorf("relative location resolved to %s", loc)
	}
}

func TestParseConfigErrors(t *testing.T) {
	cases := []struct{ yaml, want string }{
		{"schemas:\n  demo:\n    tables:\n      t:\n        format: csv\n        location: x\n", "lake.yaml:5: schemas.demo.tables.t.format: unknown format \"csv\""},
		{"schemas:\n  demo:\n    tables:\n      t:\n        format: parquet\n", "lake.yaml:4: schemas.demo.tables.t.location: missing"},
		{"schemas:\n  demo:\n    tables:\n      t:\n        format: parquet\n        location: x\n        partitoning: hive\n", "lake.yaml:7: field partitoning not found"},
		{"schemas:\n  demo:\n    tables:\n      t:\n        format: parquet\n        location: ftp://x/y\n", "lake.yaml:6: schemas.demo.tables.t.location: \"ftp://x/y\": only local paths and s3://"},
		{"refresh: soon\n", "lake.yaml:1: \"soon\" is not a duration"},
		{"cache:\n  max_size: lots\n", "lake.yaml:2: \"lots\" is not a size"},
		{"schemas:\n  demo:\n    tables:\n      t:\n        format: parquet\n        location: x\n        partitioning: hive\n        partition_columns: {d: datetime}\n", "lake.yaml:8: schemas.demo.tables.t.partition_columns.d: unsupported partition column type \"datetime\""},
		{"schemas:\n  bad-name:\n    tables: {}\n", "lake.yaml:2: schemas.bad-name: schema names must be plain identifiers"},
		{"schemas: [1, 2\n", "lake.yaml:1: did not find expected"},
	}
	for _, c := range cases {
		_, err := ParseConfig("/x/lake.yaml", []byte(c.yaml))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q:\n got %v\nwant %s", c.yaml, err, c.want)
		}
	}
}

func TestParseConfigEmpty(t *testing.T) {
	cfg, err := ParseConfig("/x/lake.yaml", nil)
	if err != nil || len(cfg.Schemas) != 0 || time.Duration(cfg.Refresh) != 5*time.Minute {
		t.Fatalf("empty config: %v %+v", err, cfg)
	}
}

func TestConfigSections(t *testing.T) {
	cfg, err := ParseConfig("/lake/lakegate.yaml", []byte(`schemas:
  s:
    tables:
      t: {format: parquet, location: /x.parquet}
users:
  alice: {password: x}
tables: {}
`))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cfg.Sections["users"]; !ok {
		t.Fatalf("users section not kept: %v", cfg.Sections)
	}
	err = cfg.CheckSections("users", "roles")
	want := "/lake/lakegate.yaml:7: tables: unknown section (known: cache, refresh, s3, schemas, users, roles)"
	if err == nil || err.Error() != want {
		t.Fatalf("CheckSections = %v, want %s", err, want)
	}
	delete(cfg.Sections, "tables")
	if err := cfg.CheckSections("users"); err != nil {
		t.Fatal(err)
	}
}
