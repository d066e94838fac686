package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/apache/iceberg-go/catalog/rest"
	"github.com/apache/iceberg-go/table"
)

// Importing the tables of an Iceberg catalog: every table of a namespace
// with the metadata file it currently points to, from which an
// icebergSource reads it. Only metadata locations are taken from the
// catalog; files are read with lakegate's own object stores (credentials
// a REST catalog vends are not used).

// icebergTableRef is one table of an Iceberg catalog.
type icebergTableRef struct {
	Name             string
	MetadataLocation string
}

// icebergRESTConfig says how to reach an Iceberg REST catalog.
type icebergRESTConfig struct {
	URI string
	// Warehouse selects the warehouse on catalogs serving several.
	Warehouse string
	// Credential is "client_id:client_secret" for the OAuth2 client
	// credentials flow; Token a bearer token. Both may be empty.
	Credential, Token string
	// Prefix overrides the prefix the server's /v1/config gives.
	Prefix string
}

// restCatalogTables lists the tables of namespace ("db", or "a.b" for a
// nested one) in the REST catalog cfg describes.
func restCatalogTables(ctx context.Context, cfg icebergRESTConfig, namespace string) ([]icebergTableRef, error) {
	var opts []rest.Option
	if cfg.Warehouse != "" {
		opts = append(opts, rest.WithWarehouseLocation(cfg.Warehouse))
	}
	if cfg.Credential != "" {
		opts = append(opts, rest.WithCredential(cfg.Credential))
	}
	if cfg.Token != "" {
		opts = append(opts, rest.WithOAuthToken(cfg.Token))
	}
	if cfg.Prefix != "" {
		opts = append(opts, rest.WithPrefix(cfg.Prefix))
	}
	cat, err := rest.NewCatalog(ctx, "lakegate", cfg.URI, opts...)
	if err != nil {
		return nil, fmt.Errorf("iceberg REST catalog %s: %w", cfg.URI, err)
	}
	ns := table.Identifier(strings.Split(namespace, "."))
	var refs []icebergTableRef
	for ident, err := range cat.ListTables(ctx, ns) {
		if err != nil {
			return nil, fmt.Errorf("iceberg REST catalog %s: listing namespace %s: %w", cfg.URI, namespace, err)
		}
		tbl, err := cat.LoadTable(ctx, ident)
		if err != nil {
			return nil, fmt.Errorf("iceberg REST catalog %s: loading %s: %w", cfg.URI, strings.Join(ident, "."), err)
		}
		refs = append(refs, icebergTableRef{Name: ident[len(ident)-1], MetadataLocation: tbl.MetadataLocation()})
	}
	slices.SortFunc(refs, func(a, b icebergTableRef) int { return strings.Compare(a.Name, b.Name) })
	return refs, nil
}

// sqlCatalogTables lists the tables of namespace in an Iceberg SQL
// catalog: the iceberg_tables table that Iceberg's JdbcCatalog,
// pyiceberg's SqlCatalog and iceberg-go's catalog/sql share. db is any
// database/sql connection to it (PostgreSQL through pgx's stdlib driver,
// say). Rows are filtered here rather than with placeholders, whose
// syntax differs between databases.
func sqlCatalogTables(ctx context.Context, db *sql.DB, catalogName, namespace string) ([]icebergTableRef, error) {
	rows, err := db.QueryContext(ctx, "SELECT * FROM iceberg_tables")
	if err != nil {
		return nil, fmt.Errorf("iceberg SQL catalog: %w", err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	pos := map[string]int{}
	for i, c := range cols {
		pos[strings.ToLower(c)] = i
	}
	for _, c := range []string{"catalog_name", "table_namespace", "table_name", "metadata_location"} {
		if _, ok := pos[c]; !ok {
			return nil, fmt.Errorf("iceberg SQL catalog: iceberg_tables has no column %s", c)
		}
	}
	// Catalogs that also hold views mark rows with iceberg_type (V1
	// layout); older ones hold only tables.
	typ, hasType := pos["iceberg_type"]
	var refs []icebergTableRef
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("iceberg SQL catalog: %w", err)
		}
		if vals[pos["catalog_name"]].String != catalogName || vals[pos["table_namespace"]].String != namespace {
			continue
		}
		if hasType && vals[typ].Valid && !strings.EqualFold(vals[typ].String, "TABLE") {
			continue
		}
		loc := vals[pos["metadata_location"]]
		if !loc.Valid || loc.String == "" {
			continue // created but never committed
		}
		refs = append(refs, icebergTableRef{Name: vals[pos["table_name"]].String, MetadataLocation: loc.String})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("iceberg SQL catalog: %w", err)
	}
	slices.SortFunc(refs, func(a, b icebergTableRef) int { return strings.Compare(a.Name, b.Name) })
	return refs, nil
}
