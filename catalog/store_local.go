package catalog

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// localStore reads tables kept on local disk (or any mounted filesystem).
// It holds no state: DuckDB reads the files in place, so localPath needs
// neither a copy nor a pin.
type localStore struct{}

// hiddenName reports whether a file or directory is skipped when listing.
// Writers keep their bookkeeping next to the data under names starting with
// "." or "_": Spark and Hadoop write _SUCCESS, _committed_*, _temporary/ and
// .part-*.crc checksums, editors and rsync leave .swp and .~tmp~ files.
// None of them is table data, and reading a half-written _temporary file
// would be wrong, so they are never listed. (The same rule as Spark's and
// Hive's own file listing.)
func hiddenName(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")
}

// list walks the directory prefix recursively in lexical order, calling fn
// for each regular file as it is found, so a directory of 100,000 files is
// never held in memory. Hidden names (see hiddenName) are skipped, files
// and whole directories alike, except prefix itself. A symbolic link to a
// file is listed with its target's size and time; a link to a directory is
// not followed, so a link cycle cannot make the walk endless. If prefix is
// a file, fn is called for it alone.
func (localStore) list(ctx context.Context, prefix string, fn func(ObjectInfo) error) error {
	root := filepath.Clean(prefix)
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if path != root && hiddenName(d.Name()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		var info fs.FileInfo
		if d.Type()&fs.ModeSymlink != 0 {
			info, err = os.Stat(path)
			if errors.Is(err, fs.ErrNotExist) {
				return nil // a dangling link holds no data
			}
		} else {
			info, err = d.Info()
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed since the directory was read
			}
		}
		if err != nil {
			return err
		}
		if !info.Mode().IsRegular() {
			return nil // directories behind links, sockets, devices
		}
		return fn(ObjectInfo{Location: path, Size: info.Size(), ModTime: info.ModTime()})
	})
	if err != nil {
		return fmt.Errorf("listing %s: %w", root, err)
	}
	return nil
}

func (localStore) stat(_ context.Context, location string) (ObjectInfo, error) {
	info, err := os.Stat(location)
	if err != nil {
		return ObjectInfo{}, err // *fs.PathError names the path
	}
	if !info.Mode().IsRegular() {
		return ObjectInfo{}, fmt.Errorf("%s: not a regular file", location)
	}
	return ObjectInfo{Location: location, Size: info.Size(), ModTime: info.ModTime()}, nil
}

// readRange reads n bytes at off, or from size+off when off is negative
// (clamped to the start, as an HTTP suffix range is). It returns fewer than
// n bytes only when the file ends first, like a ranged GET; an offset at or
// past the end is an error.
func (localStore) readRange(_ context.Context, location string, off, n int64) ([]byte, error) {
	if n < 0 {
		return nil, fmt.Errorf("%s: negative read length %d", location, n)
	}
	f, err := os.Open(location)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := info.Size()
	if off < 0 {
		off = max(size+off, 0)
	}
	if off >= size && !(off == 0 && size == 0) {
		return nil, fmt.Errorf("%s: offset %d is past the end of the file (%d bytes)", location, off, size)
	}
	buf := make([]byte, min(n, size-off))
	m, err := f.ReadAt(buf, off)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return buf[:m], nil
}

// localPath returns the file itself: DuckDB reads local files in place.
func (localStore) localPath(_ context.Context, obj ObjectInfo) (string, func(), error) {
	if strings.Contains(obj.Location, "://") || !filepath.IsAbs(obj.Location) {
		return "", nil, fmt.Errorf("%q is not an absolute local path", obj.Location)
	}
	return obj.Location, func() {}, nil
}
