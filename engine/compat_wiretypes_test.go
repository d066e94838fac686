package engine

import (
	"context"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5/pgtype"
)

// TestWireTypes checks that catalog columns and casts to oid and "char"
// are described as PostgreSQL's oid and "char" (and their arrays), in
// results and in parameters, and that other types are left alone.
func TestWireTypes(t *testing.T) {
	e := openCompatEngine(t)
	s := e.NewSession("alice", "lake")
	for _, tc := range []struct {
		sql     string
		columns []uint32
		params  []uint32
	}{
		{"SELECT t.oid, t.typtype, t.typelem, t.typname FROM pg_catalog.pg_type t", []uint32{pgtype.OIDOID, pgtype.QCharOID, pgtype.OIDOID, pgtype.TextOID}, nil},
		{"SELECT c.oid, c.relkind, c.relnamespace, c.relnatts FROM pg_class c", []uint32{pgtype.OIDOID, pgtype.QCharOID, pgtype.OIDOID, pgtype.Int2OID}, nil},
		{"SELECT a.attrelid, a.atttypid, a.attnum FROM pg_attribute a", []uint32{pgtype.OIDOID, pgtype.OIDOID, pgtype.Int2OID}, nil},
		{"SELECT array_agg(a.atttypid ORDER BY a.attnum) FROM pg_attribute a", []uint32{pgtype.OIDArrayOID}, nil},
		{"SELECT oid, datdba FROM pg_database", []uint32{pgtype.OIDOID, pgtype.OIDOID}, nil},
		{`SELECT 1::oid, '{1,2}'::oid[], 'r'::"char", 'r'::char, 1::pg_catalog.oid, 2::int8`, []uint32{pgtype.OIDOID, pgtype.OIDArrayOID, pgtype.QCharOID, pgtype.TextOID, pgtype.OIDOID, pgtype.Int8OID}, nil},
		{"SELECT t.typname FROM pg_type t WHERE t.oid = ANY($1::oid[]) AND t.typtype = $2::\"char\"", []uint32{pgtype.TextOID}, []uint32{pgtype.OIDArrayOID, pgtype.QCharOID}},
		{"SELECT t.typname FROM pg_type t WHERE t.oid = $1", []uint32{pgtype.TextOID}, []uint32{pgtype.OIDOID}},
		{"SELECT t.oid::int8 + 1, t.typtype::text FROM pg_type t", []uint32{pgtype.Int8OID, pgtype.TextOID}, nil},
	} {
		st, err := s.Prepare(context.Background(), tc.sql, nil)
		if err != nil {
			t.Errorf("%s: %v", tc.sql, err)
			continue
		}
		var got []uint32
		for _, c := range st.Columns() {
			got = append(got, c.Type.OID)
		}
		if !slices.Equal(got, tc.columns) {
			t.Errorf("%s: column types %v, want %v", tc.sql, got, tc.columns)
		}
		if tc.params != nil && !slices.Equal(st.ParamOIDs(), tc.params) {
			t.Errorf("%s: parameter types %v, want %v", tc.sql, st.ParamOIDs(), tc.params)
		}
	}
	// Values: oids compare with integers, "char" with strings.
	for _, tc := range []struct{ sql, want string }{
		{"SELECT typname FROM pg_type WHERE oid = 23 AND typtype = 'b'", "int4"},
		{"SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'demo' AND c.relkind IN ('r', 'v')", "1"},
		{"SELECT string_agg(t.typname, ' ' ORDER BY t.typname) FROM pg_type t JOIN pg_type e ON e.oid = t.typelem WHERE e.typname = 'oid' AND t.typcategory = 'A'", "_oid oidvector"},
	} {
		w, _, err := run(t, s, tc.sql)
		if err != nil {
			t.Errorf("%s: %v", tc.sql, err)
			continue
		}
		if len(w.rows) != 1 || len(w.rows[0]) != 1 || w.rows[0][0] != tc.want {
			t.Errorf("%s: got %v, want %s", tc.sql, w.rows, tc.want)
		}
	}
}
