package test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lakegate/lakegate/test/versitygw"
)

// icebergFixtures is ../shared/fixtures/iceberg: real tables written by
// Spark and pyiceberg (see its README).
func icebergFixtures(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "shared", "fixtures", "iceberg"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("no Iceberg fixtures at %s", dir)
	}
	return dir
}

// icebergCatalog declares fixture tables under root (a directory or an
// s3:// prefix holding the fixtures' data/ folder).
func icebergCatalog(root, s3 string) string {
	return s3 + `
schemas:
  ice:
    tables:
      events: {format: iceberg, location: "` + root + `/data/persistent/hive_partitioned_table"}
      deletes: {format: iceberg, location: "` + root + `/data/persistent/equality_deletes/warehouse/mydb/mytable"}
      nulls: {format: iceberg, location: "` + root + `/data/persistent/is_null_is_not_null"}
`
}

func checkIcebergTables(t *testing.T, lg *lakegate) {
	conn := lg.connect(t)
	rows := func(sql string) string {
		t.Helper()
		r, err := conn.Query(t.Context(), sql)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		defer r.Close()
		var out []string
		for r.Next() {
			vals, err := r.Values()
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, strings.TrimSuffix(strings.TrimPrefix(fmt.Sprint(vals), "["), "]"))
		}
		if err := r.Err(); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return strings.Join(out, "; ")
	}
	for _, c := range []struct{ sql, want string }{
		{"SELECT event_date::text, user_id, event_type FROM ice.events ORDER BY ALL",
			"2024-01-01 12345 click; 2024-01-02 67890 purchase; 2024-01-03 13579 view; 2024-01-03 24680 click; 2024-01-04 86420 view; 2024-01-04 97531 purchase"},
		{"SELECT user_id FROM ice.events WHERE event_date = '2024-01-02'", "67890"},
		{"SELECT id, name, bir::text FROM ice.deletes ORDER BY ALL", "4 d 2025-01-04; 5 e 2025-01-05"},
		{"SELECT id FROM ice.nulls WHERE value IS NULL ORDER BY id", "1; 2; 3; 7"},
	} {
		if got := rows(c.sql); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.sql, got, c.want)
		}
	}
	line := explainFiles(t, conn, "SELECT * FROM ice.events WHERE event_date = '2024-01-02'")
	all := explainFiles(t, conn, "SELECT * FROM ice.events")
	if line == all {
		t.Errorf("no pruning on the partition column: %s", line)
	}
}

func TestIcebergFixtures(t *testing.T) {
	root := icebergFixtures(t)
	checkIcebergTables(t, startLakegateCatalog(t, t.TempDir(), icebergCatalog(root, "")))
}

func TestIcebergOnS3(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an S3 server")
	}
	root := icebergFixtures(t)
	s3 := versitygw.Start(t)
	s3.Env(t)
	s3.CreateBucket(t, "warehouse")
	for _, table := range []string{"hive_partitioned_table", "equality_deletes", "is_null_is_not_null"} {
		upload(t, s3, "warehouse", "fixtures/data/persistent/"+table+"/", filepath.Join(root, "data", "persistent", table))
	}
	settings := fmt.Sprintf("s3: {endpoint: %q, path_style: true, region: %q}", s3.Endpoint, s3.Region)
	checkIcebergTables(t, startLakegateCatalog(t, t.TempDir(), icebergCatalog("s3://warehouse/fixtures", settings)))
}

func TestIcebergTimeTravel(t *testing.T) {
	root := icebergFixtures(t)
	lg := startLakegateCatalog(t, t.TempDir(), icebergCatalog(root, ""))
	conn := lg.connect(t)
	var snapshots []int64
	meta, _ := filepath.Glob(filepath.Join(root, "data/persistent/equality_deletes/warehouse/mydb/mytable/metadata/*.metadata.json"))
	if len(meta) == 0 {
		t.Fatal("no metadata files")
	}
	// The newest metadata file lists every snapshot, oldest first.
	slices.Sort(meta)
	body, _ := os.ReadFile(meta[len(meta)-1])
	var first struct {
		Snapshots []struct {
			ID int64 `json:"snapshot-id"`
		} `json:"snapshots"`
	}
	if err := json.Unmarshal(body, &first); err != nil || len(first.Snapshots) == 0 {
		t.Fatalf("%s: %v", meta[0], err)
	}
	snapshots = append(snapshots, first.Snapshots[0].ID)
	var now, then int
	if err := conn.QueryRow(t.Context(), "SELECT count(*) FROM ice.deletes").Scan(&now); err != nil {
		t.Fatal(err)
	}
	q := fmt.Sprintf(`SELECT count(*) FROM ice."deletes@%d"`, snapshots[0])
	if err := conn.QueryRow(t.Context(), q).Scan(&then); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	if now != 2 || then <= now {
		t.Errorf("now %d rows, at the first snapshot %d", now, then)
	}
	if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM ice."deletes@2000-01-01"`).Scan(&then); err == nil || !strings.Contains(err.Error(), "no snapshot") {
		t.Errorf("before the first snapshot: %v", err)
	}
	if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM ice."deletes@2100-01-01"`).Scan(&then); err != nil || then != now {
		t.Errorf("as of the future: %d, %v", then, err)
	}
}
