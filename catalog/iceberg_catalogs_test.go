package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The SQL catalog layout of the fixtures' pyiceberg_catalog.db (SQLite),
// reproduced in DuckDB, plus rows the listing must skip.
func TestIcebergSQLCatalogTables(t *testing.T) {
	root := icebergFixtures(t)
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`CREATE TABLE iceberg_tables (catalog_name VARCHAR(255) NOT NULL, table_namespace VARCHAR(255) NOT NULL,
			table_name VARCHAR(255) NOT NULL, metadata_location VARCHAR(1000), previous_metadata_location VARCHAR(1000),
			iceberg_type VARCHAR(5), PRIMARY KEY (catalog_name, table_namespace, table_name))`,
		`INSERT INTO iceberg_tables VALUES
			('default', 'default', 'partition_time', 'data/persistent/partition_time/default.db/partition_time/metadata/00001-44546aa6-1ee5-48c5-9e3b-bc6c0bc0a60c.metadata.json', NULL, NULL),
			('default', 'default', 'add_columns_with_defaults', 'data/persistent/add_columns_with_defaults/default.db/add_columns_with_defaults/metadata/00003-3f1801a5-7dfb-4072-b14a-39cd12f9279b.metadata.json', NULL, 'TABLE'),
			('default', 'default', 'a_view', 'v.metadata.json', NULL, 'VIEW'),
			('default', 'default', 'uncommitted', NULL, NULL, 'TABLE'),
			('default', 'other', 'elsewhere', 'x.metadata.json', NULL, 'TABLE'),
			('prod', 'default', 'other_catalog', 'y.metadata.json', NULL, 'TABLE')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	refs, err := sqlCatalogTables(context.Background(), db, "default", "default")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range refs {
		names = append(names, r.Name)
	}
	if strings.Join(names, ",") != "add_columns_with_defaults,partition_time" {
		t.Fatalf("tables %v", names)
	}
	// The locations are relative to the catalog's folder; they load.
	for _, r := range refs {
		src := openIceberg(t, filepath.Join(root, r.MetadataLocation))
		if st, _ := src.current(); st.total.Files == 0 {
			t.Errorf("%s: no files", r.Name)
		}
	}
}

// A REST catalog served by httptest: config, list tables, load table.
func TestIcebergRESTCatalogTables(t *testing.T) {
	root := icebergFixtures(t)
	metaLoc := filepath.Join(root, "data/persistent/partition_integer/metadata/v2.metadata.json")
	meta, err := os.ReadFile(metaLoc)
	if err != nil {
		t.Fatal(err)
	}
	var sawAuth bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sawAuth = sawAuth || r.Header.Get("Authorization") == "Bearer secret"
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/v1/config":
			w.Write([]byte(`{"defaults": {}, "overrides": {"prefix": "wh"}}`))
		case "/v1/wh/namespaces/db/tables":
			w.Write([]byte(`{"identifiers": [{"namespace": ["db"], "name": "partition_integer"}, {"namespace": ["db"], "name": "another"}]}`))
		case "/v1/wh/namespaces/db/tables/partition_integer", "/v1/wh/namespaces/db/tables/another":
			json.NewEncoder(w).Encode(map[string]any{"metadata-location": metaLoc, "metadata": json.RawMessage(meta)})
		default:
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"error": {"message": "not found", "type": "NoSuchNamespaceException", "code": 404}}`))
		}
	}))
	defer srv.Close()
	refs, err := restCatalogTables(context.Background(), icebergRESTConfig{URI: srv.URL, Token: "secret"}, "db")
	if err != nil {
		t.Fatal(err)
	}
	if len(refs) != 2 || refs[0].Name != "another" || refs[1].Name != "partition_integer" || refs[1].MetadataLocation != metaLoc {
		t.Errorf("refs %+v", refs)
	}
	if !sawAuth {
		t.Error("the bearer token was not sent")
	}
	if _, err := restCatalogTables(context.Background(), icebergRESTConfig{URI: srv.URL}, "missing"); err == nil {
		t.Error("listing a missing namespace succeeded")
	}
}
