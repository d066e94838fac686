package main

import (
	"fmt"
	"os"

	"github.com/lakegate/lakegate/engine"
)

// installExtensions is `lakegate install-extensions NAME...`, used by the
// Dockerfile's DUCKDB_EXTENSIONS build argument.
func installExtensions(names []string) int {
	if len(names) == 0 {
		fmt.Fprintln(os.Stderr, "usage: lakegate install-extensions NAME... (e.g. httpfs iceberg)")
		return 2
	}
	if err := engine.InstallExtensions(names); err != nil {
		fmt.Fprintln(os.Stderr, "lakegate install-extensions:", err)
		return 1
	}
	fmt.Printf("installed DuckDB extensions: %v\n", names)
	return 0
}
