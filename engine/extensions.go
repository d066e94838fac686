package engine

import (
	"errors"
	"fmt"
	"regexp"

	bindings "github.com/duckdb/duckdb-go-bindings"
)

var extensionName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// InstallExtensions downloads DuckDB extensions (httpfs, iceberg...) into
// DuckDB's extension directory of the current user, from DuckDB's
// repository, for an image built where the repository is reachable. It
// runs on a database of its own, outside any sandbox: it is for
// installation time, never for serving.
func InstallExtensions(names []string) error {
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
