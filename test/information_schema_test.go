package test

import "testing"

// TestInformationSchemaColumns compares what information_schema and
// pg_attribute say of the columns of the psql test's lake (every lake
// column type) on lakegate and on PostgreSQL holding the same tables.
func TestInformationSchemaColumns(t *testing.T) {
	if testing.Short() {
		t.Skip("starts lakegate and PostgreSQL")
	}
	lgConn, pgConn := connectPsqlMetaLakes(t)
	for _, q := range []string{
		`SELECT table_catalog, table_schema, table_name, column_name, ordinal_position, data_type, udt_name,
		        character_maximum_length, numeric_precision, numeric_precision_radix, numeric_scale, datetime_precision
		   FROM information_schema.columns WHERE table_schema IN ('shop', 'public') ORDER BY 2, 3, 5`,
		`SELECT table_schema, table_name, table_type FROM information_schema.tables WHERE table_schema IN ('shop', 'public') ORDER BY 1, 2`,
		`SELECT c.relname, a.attname, a.attnum, format_type(a.atttypid, a.atttypmod), a.atttypid::regtype::text, a.attndims
		   FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
		  WHERE n.nspname IN ('shop', 'public') AND a.attnum > 0 ORDER BY 1, 3`,
	} {
		want := settingResult(pgConn, q)
		got := settingResult(lgConn, q)
		if got != want {
			t.Errorf("%s:\n got:\n%s\nwant:\n%s", q, got, want)
		}
	}
}
