package demolake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	iceio "github.com/apache/iceberg-go/io"
	"github.com/apache/iceberg-go/table"
)

// Writing an Iceberg table into the lake with iceberg-go.
//
// The lake is generated in a temporary directory and renamed into place,
// but Iceberg metadata records absolute locations. The table is therefore
// written with its final locations, through a file system that keeps them
// under the temporary directory until the rename: once installed, any
// Iceberg reader (DuckDB's iceberg extension, Spark, pyiceberg), not only
// lakegate, reads the table where it is.
//
// Locations are file:// URIs, not plain paths: iceberg-go parses a table
// location as a URL and writes the paths it derives URL-escaped, so a
// plain "/a b" would come out as "/a%20b", a different path; as a URI the
// escaping is what the spec means.

// fileURI is the file:// URI of an absolute local path (file:///C:/x for
// a Windows path).
func fileURI(path string) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}

// relocatedFS is iceberg-go's local file system with the lake's final
// directory mapped onto the directory it is generated in. Anything but a
// file:// URI under the final directory is refused: the generation must
// write nothing anywhere else.
type relocatedFS struct {
	final, tmp string
}

// local maps a file URI under the final directory to its temporary path.
func (f relocatedFS) local(name string) (string, error) {
	u, err := url.Parse(name)
	if err != nil || u.Scheme != "file" || u.Host != "" {
		return "", fmt.Errorf("iceberg location %s is not a local file URI", name)
	}
	p := u.Path
	if runtime.GOOS == "windows" {
		p = strings.TrimPrefix(p, "/") // /C:/x
	}
	p = filepath.FromSlash(p)
	rest, ok := strings.CutPrefix(p, f.final)
	if !ok || rest != "" && rest[0] != filepath.Separator {
		return "", fmt.Errorf("iceberg location %s is outside the demo lake %s", name, f.final)
	}
	return f.tmp + rest, nil
}

func (f relocatedFS) Open(name string) (iceio.File, error) {
	p, err := f.local(name)
	if err != nil {
		return nil, err
	}
	return iceio.LocalFS{}.Open(p)
}

func (f relocatedFS) ReadFile(name string) ([]byte, error) {
	p, err := f.local(name)
	if err != nil {
		return nil, err
	}
	return iceio.LocalFS{}.ReadFile(p)
}

func (f relocatedFS) Create(name string) (iceio.FileWriter, error) {
	p, err := f.local(name)
	if err != nil {
		return nil, err
	}
	return iceio.LocalFS{}.Create(p)
}

func (f relocatedFS) WriteFile(name string, data []byte) error {
	p, err := f.local(name)
	if err != nil {
		return err
	}
	return iceio.LocalFS{}.WriteFile(p, data)
}

func (f relocatedFS) Remove(name string) error {
	p, err := f.local(name)
	if err != nil {
		return err
	}
	return iceio.LocalFS{}.Remove(p)
}

// hadoopCatalog commits one table as Iceberg's Hadoop tables are laid out:
// metadata/v<N>.metadata.json plus metadata/version-hint.text naming the
// current N. It needs no catalog service, so the table directory alone
// declares the table, and every Iceberg reader understands the layout.
// There is a single writer (the generation), so commits need no locking.
type hadoopCatalog struct {
	fs       relocatedFS
	location string // the table's final location, a file URI
	meta     table.Metadata
	version  int
}

func (c *hadoopCatalog) LoadTable(context.Context, table.Identifier) (*table.Table, error) {
	return nil, errors.New("demo lake catalog: LoadTable is not supported")
}

func (c *hadoopCatalog) CommitTable(_ context.Context, _ table.Identifier, reqs []table.Requirement, updates []table.Update) (table.Metadata, string, error) {
	for _, r := range reqs {
		if err := r.Validate(c.meta); err != nil {
			return nil, "", err
		}
	}
	meta, err := table.UpdateTableMetadata(c.meta, updates, "")
	if err != nil {
		return nil, "", err
	}
	loc, err := c.write(meta)
	if err != nil {
		return nil, "", err
	}
	return meta, loc, nil
}

// write stores meta as the next version and points version-hint.text at
// it; it returns the new metadata file's (final) location.
func (c *hadoopCatalog) write(meta table.Metadata) (string, error) {
	data, err := json.Marshal(meta)
	if err != nil {
		return "", err
	}
	dir := c.location + "/metadata/"
	loc := dir + fmt.Sprintf("v%d.metadata.json", c.version+1)
	if err := c.fs.WriteFile(loc, data); err != nil {
		return "", err
	}
	if err := c.fs.WriteFile(dir+"version-hint.text", []byte(strconv.Itoa(c.version+1))); err != nil {
		return "", err
	}
	c.meta = meta
	c.version++
	return loc, nil
}

// createIcebergTable writes the first metadata version of the table name,
// whose metadata gives its final location, and returns it ready for
// transactions.
func createIcebergTable(fs relocatedFS, name string, meta table.Metadata) (*table.Table, error) {
	cat := &hadoopCatalog{fs: fs, location: meta.Location()}
	loc, err := cat.write(meta)
	if err != nil {
		return nil, err
	}
	fsF := func(context.Context) (iceio.IO, error) { return fs, nil }
	return table.New(table.Identifier{"demo", name}, meta, loc, fsF, cat), nil
}

// iceberg-go writes data files and manifests only through a WriteFileIO,
// and reads metadata back through a ReadFileIO.
var (
	_ iceio.WriteFileIO = relocatedFS{}
	_ iceio.ReadFileIO  = relocatedFS{}
)
