package demolake

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// version identifies what generate writes. Bump it whenever the generated
// bytes would change (the SQL in generate.go, the Parquet options, or a
// DuckDB upgrade that changes the writer's output), so that lakes written
// by an older lakegate are replaced instead of reused. (The Iceberg
// table's metadata differs between generations anyway; see returns.go.)
const version = 3

// markerName is the file, at the top of a complete lake, that records the
// generation version. It is written last, inside the temporary directory,
// before the directory is renamed into place: a directory without it was
// not made by Ensure.
const markerName = ".lakegate-demo"

// CatalogFile is the name of the catalog file Ensure writes into the lake:
// the demo is served through the same catalog as any lake, and the file is
// a working example to copy.
const CatalogFile = "lakegate.yaml"

// DefaultDir returns the default data directory: <os.UserCacheDir()>/lakegate/demo.
func DefaultDir() (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("demo lake directory: %w", err)
	}
	return filepath.Join(cache, "lakegate", "demo"), nil
}

// Ensure generates the demo lake into dir on first use and reuses it
// afterwards; it returns the path of the lake's catalog file. Generation
// is deterministic: the same version writes the same rows every time (and
// the same bytes, but for the Iceberg table's metadata, see returns.go).
// The lake is written next to dir and renamed into place, so an
// interrupted generation never leaves a partial lake at dir. A nil logger
// means slog.Default().
//
// Ensure refuses to touch a non-empty dir that it did not create.
func Ensure(ctx context.Context, dir string, logger *slog.Logger) (string, error) {
	if logger == nil {
		logger = slog.Default()
	}
	if dir == "" {
		return "", errors.New("demo lake: empty directory")
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("demo lake: %w", err)
	}
	state, err := inspect(dir)
	if err != nil {
		return "", err
	}
	if state != lakeCurrent {
		if err := build(ctx, dir, state, logger); err != nil {
			return "", err
		}
	} else {
		logger.Debug("using demo lake", "dir", dir, "version", version)
	}
	return filepath.Join(dir, CatalogFile), nil
}

// catalogYAML declares the demo tables, with locations relative to the
// catalog file.
const catalogYAML = `# The lakegate demo lake. Copy this file to declare your own tables:
# locations may be local paths (relative to this file) or s3://bucket/prefix.
schemas:
  demo:
    tables:
      sales:
        description: >-
          Sales of 2024, one row per sale line: 1,000,000 rows in 366 daily hive
          partitions (sale_date=YYYY-MM-DD). Joins demo.stores on store_id and
          demo.products on product_id.
        format: parquet
        location: sales
        partitioning: hive
        partition_columns:
          sale_date: date
      stores:
        description: The 50 stores, with city, region and opening date.
        format: parquet
        location: stores
      products:
        description: The 500 products in 10 categories, with list prices.
        format: parquet
        location: products
      returns:
        description: >-
          Product returns of 2024, one row per returned sale line (the sales
          with is_return), with the reason: an Iceberg table partitioned by
          month(returned_at), with three snapshots (the returns of January to
          June appended, then July to December, then those entered in error
          deleted). Joins demo.sales on sale_id.
        format: iceberg
        location: returns
`

// lakeState is what inspect finds at a lake directory.
type lakeState int

const (
	lakeMissing lakeState = iota // no directory, or an empty one
	lakeStale                    // a lake from another generation version
	lakeCurrent                  // a complete lake of this version
)

func (s lakeState) String() string {
	switch s {
	case lakeMissing:
		return "missing"
	case lakeStale:
		return "stale"
	default:
		return "current"
	}
}

// inspect reports what is at dir. A non-empty directory without a marker
// is an error: it is not a lake Ensure made, and replacing it could destroy
// someone's files.
func inspect(dir string) (lakeState, error) {
	marker, err := os.ReadFile(filepath.Join(dir, markerName))
	if err == nil {
		if string(marker) == markerContent() {
			return lakeCurrent, nil
		}
		return lakeStale, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return 0, fmt.Errorf("demo lake: %w", err)
	}
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return lakeMissing, nil
	case err != nil:
		return 0, fmt.Errorf("demo lake: %w", err)
	case len(entries) > 0:
		return 0, fmt.Errorf("demo lake: %s exists, is not empty and has no %s marker; refusing to overwrite it", dir, markerName)
	}
	return lakeMissing, nil
}

func markerContent() string {
	return fmt.Sprintf("lakegate demo lake, generation version %d\n", version)
}

// build generates the lake into a temporary directory beside dir and
// renames it into place.
func build(ctx context.Context, dir string, state lakeState, logger *slog.Logger) (err error) {
	parent, base := filepath.Dir(dir), filepath.Base(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("demo lake: %w", err)
	}
	removeAbandoned(parent, base, logger)

	start := time.Now()
	logger.Info("generating demo lake (first start; this takes a few seconds)",
		"dir", dir, "found", state.String(), "version", version, "sales_rows", salesRows, "partitions", dayCount)

	tmp, err := os.MkdirTemp(parent, tempPrefix(base))
	if err != nil {
		return fmt.Errorf("demo lake: %w", err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	for _, sub := range []string{"sales", "stores", "products"} {
		if err := os.Mkdir(filepath.Join(tmp, sub), 0o755); err != nil {
			return fmt.Errorf("demo lake: %w", err)
		}
	}
	if err := generate(ctx, tmp, dir); err != nil {
		return fmt.Errorf("demo lake: %w", err)
	}
	files, size, err := syncTree(tmp)
	if err != nil {
		return fmt.Errorf("demo lake: %w", err)
	}
	if err := writeFileSync(filepath.Join(tmp, CatalogFile), []byte(catalogYAML)); err != nil {
		return fmt.Errorf("demo lake: %w", err)
	}
	if err := writeFileSync(filepath.Join(tmp, markerName), []byte(markerContent())); err != nil {
		return fmt.Errorf("demo lake: %w", err)
	}
	if err := syncDir(tmp); err != nil {
		return fmt.Errorf("demo lake: %w", err)
	}
	installed, err := install(tmp, dir, logger)
	if err != nil {
		return fmt.Errorf("demo lake: %w", err)
	}
	if !installed {
		// Another process finished first; its lake is identical.
		os.RemoveAll(tmp)
		logger.Info("demo lake was generated concurrently by another process; using it", "dir", dir)
		return nil
	}
	logger.Info("demo lake ready", "dir", dir, "files", files, "bytes", size,
		"elapsed", time.Since(start).Round(time.Millisecond).String())
	return nil
}

// install moves the complete lake at tmp to dir, replacing an empty
// directory or a stale lake there. It reports false, leaving tmp alone,
// when a current lake appeared at dir meanwhile.
func install(tmp, dir string, logger *slog.Logger) (bool, error) {
	parent, base := filepath.Dir(dir), filepath.Base(dir)
	state, err := inspect(dir)
	if err != nil {
		return false, err
	}
	switch state {
	case lakeCurrent:
		return false, nil
	case lakeStale:
		// Move the old lake aside first: the rename of tmp into place must
		// find no directory (or an empty one) at dir.
		old, err := os.MkdirTemp(parent, oldPrefix(base))
		if err != nil {
			return false, err
		}
		if err := os.Rename(dir, filepath.Join(old, "lake")); err != nil {
			os.Remove(old)
			return false, err
		}
		defer func() {
			if err := os.RemoveAll(old); err != nil {
				logger.Warn("could not remove the previous demo lake", "dir", old, "err", err)
			}
		}()
	case lakeMissing:
		// An empty directory: rename(2) may replace it on Unix but not on
		// every platform, so remove it. Failing to is fine if it's gone.
		if err := os.Remove(dir); err != nil && !errors.Is(err, os.ErrNotExist) {
			return false, err
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		// Lost a race with another process: fine if what won is current.
		if state, inspectErr := inspect(dir); inspectErr == nil && state == lakeCurrent {
			return false, nil
		}
		return false, err
	}
	return true, syncDir(parent)
}

// Temporary and replaced lakes are hidden siblings of the lake directory,
// on the same file system so that renames are atomic.
func tempPrefix(base string) string { return "." + base + ".tmp-" }
func oldPrefix(base string) string  { return "." + base + ".old-" }

// abandonedAfter is how old a temporary directory must be before it is
// taken for the leftover of a crashed generation rather than one that is
// still running in another process. Generation takes seconds.
const abandonedAfter = time.Hour

// removeAbandoned deletes temporary and replaced lakes that a crashed
// process left beside the lake directory.
func removeAbandoned(parent, base string, logger *slog.Logger) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || !(strings.HasPrefix(name, tempPrefix(base)) || strings.HasPrefix(name, oldPrefix(base))) {
			continue
		}
		info, err := e.Info()
		if err != nil || time.Since(info.ModTime()) < abandonedAfter {
			continue
		}
		path := filepath.Join(parent, name)
		if err := os.RemoveAll(path); err != nil {
			logger.Warn("could not remove an abandoned demo lake directory", "dir", path, "err", err)
			continue
		}
		logger.Info("removed an abandoned demo lake directory", "dir", path)
	}
}
