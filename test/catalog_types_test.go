package test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// TestCatalogWireTypes compares the column types of every pg_catalog
// relation lakegate has with PostgreSQL's: a column PostgreSQL types oid,
// "char", oid[] or "char"[] must be sent as that type by lakegate too
// (asyncpg's introspection depends on it), and so must the wire types of
// a few expressions over them.
func TestCatalogWireTypes(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL")
	}
	lg := startLakegate(t)
	pg := startPostgres(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	lgConn, pgConn := lg.connect(t), pg.connect(t)

	rows, err := lgConn.Query(ctx, "SELECT relname FROM pg_catalog.pg_class WHERE relnamespace = 11 ORDER BY 1")
	if err != nil {
		t.Fatal(err)
	}
	relations, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	identifierTypes := map[uint32]string{pgtype.OIDOID: "oid", pgtype.QCharOID: `"char"`, pgtype.OIDArrayOID: "oid[]", pgtype.QCharArrayOID: `"char"[]`}
	checked := 0
	for _, rel := range relations {
		query := fmt.Sprintf("SELECT * FROM pg_catalog.%s LIMIT 0", rel)
		want, err := columnTypes(ctx, pgConn, query)
		if err != nil {
			continue // a relation PostgreSQL 15 does not have
		}
		got, err := columnTypes(ctx, lgConn, query)
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			continue
		}
		for column, oid := range want {
			name, ok := identifierTypes[oid]
			if !ok {
				continue
			}
			checked++
			if lgOID, has := got[column]; has && lgOID != oid {
				t.Errorf("pg_catalog.%s.%s is %s in PostgreSQL, lakegate sends type %d", rel, column, name, lgOID)
			}
		}
	}
	if checked < 200 {
		t.Errorf("only %d oid and \"char\" columns compared", checked)
	}

	for _, q := range []string{
		"SELECT 1::oid AS a, '{1,2}'::oid[] AS b, 'r'::\"char\" AS c, c.oid, c.relkind FROM pg_catalog.pg_class c LIMIT 1",
		"SELECT array_agg(t.oid) AS oids, t.typnamespace FROM pg_catalog.pg_type t GROUP BY t.typnamespace",
		"SELECT CASE WHEN t.typtype = 'b' THEN t.typelem END AS elem, t.oid::int8 AS big, t.typtype::text AS kind FROM pg_catalog.pg_type t LIMIT 1",
	} {
		want, err := columnTypes(ctx, pgConn, q)
		if err != nil {
			t.Fatalf("PostgreSQL: %s: %v", q, err)
		}
		got, err := columnTypes(ctx, lgConn, q)
		if err != nil {
			t.Errorf("%s: %v", q, err)
			continue
		}
		for column, oid := range want {
			if got[column] != oid {
				t.Errorf("%s: column %s has type %d, PostgreSQL's %d", q, column, got[column], oid)
			}
		}
	}
}

// columnTypes describes a query's result columns: name to type OID.
func columnTypes(ctx context.Context, conn *pgx.Conn, query string) (map[string]uint32, error) {
	sd, err := conn.Prepare(ctx, "", query)
	if err != nil {
		return nil, err
	}
	types := map[string]uint32{}
	for _, f := range sd.Fields {
		types[f.Name] = f.DataTypeOID
	}
	return types, nil
}
