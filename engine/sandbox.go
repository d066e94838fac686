package engine

import (
	"fmt"
	"strings"
)

// configure returns the statements that set DuckDB's resources and the
// PostgreSQL-facing defaults. They run before the sandbox is locked, since
// lock_configuration forbids any later SET.
func configure(cfg Config, tempDir string) []string {
	stmts := []string{
		"SET GLOBAL TimeZone = 'UTC'",
		// DuckDB 1.5.5 fails with an internal error ("Attempted to access
		// index 1 within vector of size 1", in
		// ParquetPartitionRowGroup::GetColumnStatistics) when statistics
		// propagation answers min/max of a hive partition column from a
		// single file, which pruning makes common. Turning it off cost
		// nothing measurable on TPC-H Q1/Q6.
		"SET GLOBAL disabled_optimizers = 'statistics_propagation'",
		// The statement checks read DuckDB's own syntax tree
		// (json_serialize_sql), which targets this version: with the
		// default (v0.10.2), casts to types with parameters such as
		// ENUM('a', 'b') cannot be serialized and would be refused.
		"SET GLOBAL storage_compatibility_version = 'latest'",
		"SET GLOBAL temp_directory = " + quoteLiteral(tempDir),
	}
	if cfg.MemoryLimit != "" {
		stmts = append(stmts, "SET GLOBAL memory_limit = "+quoteLiteral(cfg.MemoryLimit))
	}
	if cfg.Threads > 0 {
		stmts = append(stmts, fmt.Sprintf("SET GLOBAL threads = %d", cfg.Threads))
	}
	return stmts
}

// sandbox returns the statements that confine user SQL, in the order DuckDB
// requires: the allowed directories must be set while external access is
// still enabled, and the configuration is locked last so that no user
// statement can undo any of it.
func sandbox(allowed []string) []string {
	dirs := make([]string, len(allowed))
	for i, d := range allowed {
		dirs[i] = quoteLiteral(strings.TrimSuffix(d, "/") + "/")
	}
	return []string{
		// No secrets from ~/.duckdb/stored_secrets: DuckDB needs none
		// (S3 credentials stay in Go), and the host's must not reach it.
		"SET GLOBAL allow_persistent_secrets = false",
		"SET GLOBAL allowed_directories = [" + strings.Join(dirs, ", ") + "]",
		"SET GLOBAL enable_external_access = false",
		"SET GLOBAL autoinstall_known_extensions = false",
		"SET GLOBAL autoload_known_extensions = false",
		"SET GLOBAL lock_configuration = true",
	}
}

// quoteLiteral quotes s as a SQL string literal.
func quoteLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
