package test

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// An Iceberg SQL catalog (the JDBC catalog's iceberg_tables) kept in a
// real PostgreSQL, pointing at the fixtures' tables: lakegate imports the
// committed tables of one catalog and namespace, each at the metadata file
// the catalog names, and nothing else.
func TestIcebergSQLCatalogOnPostgres(t *testing.T) {
	// Not skipped under -short: initdb, start and stop take about a second.
	root := icebergFixtures(t)
	pg := startPostgres(t)
	persistent := func(rel string) string { return filepath.Join(root, "data", "persistent", rel) }
	hive := persistent("hive_partitioned_table/metadata/v4.metadata.json")

	conn := pg.connect(t)
	// The V1 layout of Iceberg's JdbcCatalog (what pyiceberg's SqlCatalog
	// and iceberg-go's catalog/sql create too): iceberg_type tells tables
	// from views, and is NULL in rows written before views existed.
	if _, err := conn.Exec(t.Context(), `CREATE TABLE iceberg_tables (
		catalog_name VARCHAR(255) NOT NULL,
		table_namespace VARCHAR(255) NOT NULL,
		table_name VARCHAR(255) NOT NULL,
		metadata_location VARCHAR(1000),
		previous_metadata_location VARCHAR(1000),
		iceberg_type VARCHAR(5),
		PRIMARY KEY (catalog_name, table_namespace, table_name))`); err != nil {
		t.Fatal(err)
	}
	// Every row that must not be imported points at a readable table, so
	// that importing it by mistake would show.
	for _, row := range [][]any{
		{"lake", "sales", "events", hive, persistent("hive_partitioned_table/metadata/v3.metadata.json"), "TABLE"},
		// The catalog's pointer decides the version: v2, before the
		// second append, although the directory holds v4.
		{"lake", "sales", "first_events", persistent("hive_partitioned_table/metadata/v2.metadata.json"), nil, "TABLE"},
		{"lake", "sales", "integers", persistent("partition_integer/metadata/v2.metadata.json"), nil, nil},
		{"lake", "sales", "nulls", persistent("is_null_is_not_null/metadata/00001-43ceeb9a-cd0d-4556-b1e2-513b5bf88ff8.metadata.json"), nil, "TABLE"},
		{"lake", "sales", "recent_events", hive, nil, "VIEW"},
		{"lake", "sales", "being_created", nil, nil, "TABLE"},
		{"lake", "staging", "deletes", persistent("equality_deletes/warehouse/mydb/mytable/metadata/v7.metadata.json"), nil, "TABLE"},
		{"lake", "sales.archive", "old_events", hive, nil, "TABLE"},
		{"other", "sales", "foreign_events", hive, nil, "TABLE"},
	} {
		if _, err := conn.Exec(t.Context(), "INSERT INTO iceberg_tables VALUES ($1, $2, $3, $4, $5, $6)", row...); err != nil {
			t.Fatal(err)
		}
	}

	// ${NAME} in the URI comes from the environment, as a password would.
	t.Setenv("LAKEGATE_TEST_CATALOG_URI", pg.URL("postgres"))
	lg := startLakegateCatalog(t, t.TempDir(), `
schemas:
  sales:
    iceberg_sql:
      uri: ${LAKEGATE_TEST_CATALOG_URI}
      catalog: lake
      namespace: sales
`)
	client := lg.connect(t)
	rows := func(sql string) string {
		t.Helper()
		r, err := client.Query(t.Context(), sql)
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
			var fields []string
			for _, v := range vals {
				fields = append(fields, fmt.Sprint(v))
			}
			out = append(out, strings.Join(fields, " "))
		}
		if err := r.Err(); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return strings.Join(out, "; ")
	}

	if got, want := rows("SELECT table_name FROM information_schema.tables WHERE table_schema = 'sales' ORDER BY 1"),
		"events; first_events; integers; nulls"; got != want {
		t.Errorf("imported tables: %s, want %s", got, want)
	}
	for _, c := range []struct{ sql, want string }{
		{"SELECT event_date::text, user_id, event_type FROM sales.events ORDER BY ALL",
			"2024-01-01 12345 click; 2024-01-02 67890 purchase; 2024-01-03 13579 view; 2024-01-03 24680 click; 2024-01-04 86420 view; 2024-01-04 97531 purchase"},
		{"SELECT user_id FROM sales.events WHERE event_date = '2024-01-02'", "67890"},
		{"SELECT event_date::text, user_id, event_type FROM sales.first_events ORDER BY ALL",
			"2024-01-01 12345 click; 2024-01-02 67890 purchase"},
		{"SELECT partition_col, user_id, event_type FROM sales.integers ORDER BY ALL", "42 12345 click; 1337 67890 purchase"},
		{"SELECT user_id FROM sales.integers WHERE partition_col = 42", "12345"},
		{"SELECT id FROM sales.nulls WHERE value IS NULL ORDER BY id", "1; 2; 3; 7"},
	} {
		if got := rows(c.sql); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.sql, got, c.want)
		}
	}
	if line, all := explainFiles(t, client, "SELECT * FROM sales.events WHERE event_date = '2024-01-02'"),
		explainFiles(t, client, "SELECT * FROM sales.events"); line == all {
		t.Errorf("no pruning on the partition column of an imported table: %s", line)
	}

	for _, name := range []string{"recent_events", "being_created", "deletes", "old_events", "foreign_events"} {
		_, err := client.Exec(t.Context(), "SELECT * FROM sales."+name)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "42P01" {
			t.Errorf("sales.%s: %v; want undefined_table (42P01): it is not a table of catalog lake, namespace sales", name, err)
		}
	}
}
