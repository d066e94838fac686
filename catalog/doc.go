// Package catalog knows the lake's tables: where their files are, how
// DuckDB reads them, and which files a query can skip.
//
// A catalog is declared in one YAML file (config.go). Each table has a
// source: plain or hive-partitioned Parquet (parquet.go) or an Iceberg
// table (iceberg*.go). A source builds a file index (file.go): every data
// file with its size, version, row count and per-column statistics, where
// a partition value is a column whose minimum and maximum are equal.
//
// Planning a query (plan.go) takes the pushdown predicates the engine
// extracted from the SQL (predicate.go, value.go) and keeps only the files
// whose statistics say they may hold a matching row: a file is dropped only
// when its statistics prove it cannot. The kept files reach DuckDB as local
// paths: files on local disk directly, S3 objects through the file cache
// (filecache.go), which downloads each version of an object once.
//
// Objects are read through an objectStore (store.go): local disk
// (store_local.go) or S3 via aws-sdk-go-v2 (store_s3.go).
package catalog
