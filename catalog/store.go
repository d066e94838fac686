package catalog

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"
)

// ObjectInfo identifies one version of an object or local file.
type ObjectInfo struct {
	// Location is an absolute local path or "s3://bucket/key".
	Location string
	Size     int64
	// ETag is the S3 ETag; for a local file, empty (ModTime and Size
	// identify the version).
	ETag    string
	ModTime time.Time
}

// objectStore is what the catalog needs from where a table's files live:
// local disk or an S3 bucket.
type objectStore interface {
	// list calls fn for every object under prefix (a directory, or a key
	// prefix ending in "/"), page by page, never holding the whole listing.
	list(ctx context.Context, prefix string, fn func(ObjectInfo) error) error
	// stat describes one object.
	stat(ctx context.Context, location string) (ObjectInfo, error)
	// readRange reads n bytes at offset off; a negative off counts from the
	// end of the object (Parquet footers).
	readRange(ctx context.Context, location string, off, n int64) ([]byte, error)
	// localPath returns a local path DuckDB can read holding exactly the
	// version obj: the file itself on local disk, the file cache's copy
	// (downloaded if needed) for S3. The file stays in place until release
	// is called (the cache does not evict it while a query reads it).
	localPath(ctx context.Context, obj ObjectInfo) (path string, release func(), err error)
}

// location is a parsed table or file location.
type location struct {
	// bucket is empty for local paths.
	bucket string
	// path is the absolute local path, or the S3 key (no leading "/").
	path string
}

func (l location) isS3() bool { return l.bucket != "" }

func (l location) String() string {
	if l.isS3() {
		return "s3://" + l.bucket + "/" + l.path
	}
	return l.path
}

// parseLocation accepts an absolute or relative local path (made absolute
// against base, the directory of the config file), "file://" URLs and
// "s3://", "s3a://" or "s3n://" URLs, which Spark and Hadoop write into
// Iceberg metadata.
func parseLocation(s, base string) (location, error) {
	switch {
	case strings.HasPrefix(s, "s3://"), strings.HasPrefix(s, "s3a://"), strings.HasPrefix(s, "s3n://"):
		u, err := url.Parse(s)
		if err != nil || u.Host == "" {
			return location{}, fmt.Errorf("%q is not an S3 URL of the form s3://bucket/prefix", s)
		}
		return location{bucket: u.Host, path: strings.TrimPrefix(u.Path, "/")}, nil
	case strings.HasPrefix(s, "file://"):
		u, err := url.Parse(s)
		if err != nil {
			return location{}, fmt.Errorf("%q is not a file URL", s)
		}
		return location{path: filepath.Clean(u.Path)}, nil
	case strings.Contains(s, "://"):
		return location{}, fmt.Errorf("%q: only local paths and s3:// locations are supported", s)
	case s == "":
		return location{}, fmt.Errorf("empty location")
	}
	if !filepath.IsAbs(s) {
		s = filepath.Join(base, s)
	}
	return location{path: filepath.Clean(s)}, nil
}
