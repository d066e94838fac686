package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"os"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver for SQL catalogs on PostgreSQL
)

// IcebergRESTSchema imports every table of a namespace of an Iceberg REST
// catalog as a schema.
type IcebergRESTSchema struct {
	URI       string `yaml:"uri"`
	Warehouse string `yaml:"warehouse"`
	Namespace string `yaml:"namespace"`
	// Credential ("client_id:client_secret", OAuth2 client credentials)
	// and Token (a bearer token) may name environment variables as
	// ${NAME}, so that secrets stay out of the file.
	Credential string `yaml:"credential"`
	Token      string `yaml:"token"`
	Prefix     string `yaml:"prefix"`
}

// IcebergSQLSchema imports every table of a namespace of an Iceberg SQL
// catalog (the JDBC catalog layout, table iceberg_tables) kept in
// PostgreSQL.
type IcebergSQLSchema struct {
	// URI is a PostgreSQL connection URI; ${NAME} is replaced by the
	// environment variable NAME (for the password).
	URI       string `yaml:"uri"`
	Catalog   string `yaml:"catalog"` // catalog_name; default "default"
	Namespace string `yaml:"namespace"`
}

// importedTables lists the tables of a schema declared by an Iceberg
// catalog, as iceberg table configs at their current metadata files.
func importedTables(ctx context.Context, sc SchemaConfig) (map[string]TableConfig, error) {
	var refs []icebergTableRef
	var err error
	switch {
	case sc.IcebergREST != nil:
		r := sc.IcebergREST
		refs, err = restCatalogTables(ctx, icebergRESTConfig{
			URI: r.URI, Warehouse: r.Warehouse, Prefix: r.Prefix,
			Credential: os.ExpandEnv(r.Credential), Token: os.ExpandEnv(r.Token),
		}, r.Namespace)
	case sc.IcebergSQL != nil:
		refs, err = sqlSchemaTables(ctx, *sc.IcebergSQL)
	default:
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	tables := make(map[string]TableConfig, len(refs))
	for _, r := range refs {
		tables[r.Name] = TableConfig{Format: FormatIceberg, Location: r.MetadataLocation}
	}
	return tables, nil
}

func sqlSchemaTables(ctx context.Context, s IcebergSQLSchema) ([]icebergTableRef, error) {
	db, err := sql.Open("pgx", os.ExpandEnv(s.URI))
	if err != nil {
		return nil, fmt.Errorf("iceberg SQL catalog: %w", err)
	}
	defer db.Close()
	name := s.Catalog
	if name == "" {
		name = "default"
	}
	return sqlCatalogTables(ctx, db, name, s.Namespace)
}
