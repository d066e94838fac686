// Package demolake generates and serves lakegate's built-in demo data: a
// small retail data lake of Parquet files that makes a fresh install
// queryable with no configuration.
//
// The lake has four tables in schema demo:
//
//   - sales: 1,000,000 sale lines of 2024 in 366 hive partitions
//     (sales/sale_date=YYYY-MM-DD/part-0.parquet), with a mix of types
//     (BIGINT, INTEGER, SMALLINT, DATE, TIMESTAMP, TIMESTAMPTZ,
//     DECIMAL, DOUBLE, VARCHAR, BOOLEAN) and NULLs, so that clients,
//     type encoders and partition pruning all have something real to do;
//   - stores (50 rows) and products (500 rows), the dimensions sales joins
//     to on store_id and product_id;
//   - returns: an Iceberg table of the returned sale lines (about 29,000
//     rows), partitioned by month(returned_at), with three snapshots (two
//     appends and a merge-on-read delete), written with iceberg-go.
//
// Ensure writes the lake once, with DuckDB through database/sql and
// iceberg-go, and reuses it afterwards. Every value derives from the row
// number through integer hashing, never random(), so a given generation
// version always writes the same rows, and the Parquet tables the same
// bytes (iceberg-go's metadata holds random UUIDs and commit times); the
// version is recorded in a marker file and a lake of another version is
// regenerated. Generation happens in a hidden
// temporary directory beside the target, which is fsynced and renamed into
// place, so a crash never leaves a partial lake that a later start would
// reuse.
package demolake
