package engine

import (
	"errors"
	"fmt"
	"regexp"

	bindings "github.com/duckdb/duckdb-go-bindings"
)

var extensionName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// InstallExtensions downloads DuckDB extensions (httpfs, iceberg...) from
// DuckDB's repository into dir (DuckDB's default, ~/.duckdb/extensions,
// if empty), for an image built where the repository is reachable. It
// runs on a database of its own, outside any sandbox: it is for
// installation time, never for serving.
func InstallExtensions(dir string, names []string) error {
	var db bindings.Database
	if bindings.Open(":memory:", &db) == bindings.StateError {
		return errors.New("duckdb: cannot open an in-memory database")
	}
	defer bindings.Close(&db)
	c, err := connect(db)
	if err != nil {
		return err
	}
	defer c.close()
	if dir != "" {
		if err := c.exec("SET extension_directory = " + quoteLiteral(dir)); err != nil {
			return err
		}
	}
	for _, name := range names {
		if !extensionName.MatchString(name) {
			return fmt.Errorf("%q is not a DuckDB extension name", name)
		}
		if err := c.exec("INSTALL " + name); err != nil {
			return fmt.Errorf("installing the DuckDB extension %s: %w", name, err)
		}
	}
	return nil
}
