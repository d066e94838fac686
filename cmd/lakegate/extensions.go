package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/lakegate/lakegate/engine"
)

// installExtensions is `lakegate install-extensions [-dir D] NAME...`,
// used by the Dockerfile's DUCKDB_EXTENSIONS build argument.
func installExtensions(args []string) int {
	fs := flag.NewFlagSet("lakegate install-extensions", flag.ContinueOnError)
	dir := fs.String("dir", "", "`directory` to install into (default DuckDB's, ~/.duckdb/extensions)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: lakegate install-extensions [-dir D] NAME... (e.g. httpfs iceberg)")
		return 2
	}
	if err := engine.InstallExtensions(*dir, fs.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "lakegate install-extensions:", err)
		return 1
	}
	fmt.Printf("installed DuckDB extensions: %v\n", fs.Args())
	return 0
}
