package catalog

import (
	"context"
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// Finding an Iceberg table's current metadata file, and turning the paths
// written inside its metadata into locations the object stores can read.

// metadataDir is the directory under a table's location that holds its
// metadata files, as every writer lays it out.
const metadataDir = "metadata"

var (
	// Hadoop-catalog and Spark path-based tables: v12.metadata.json, or
	// v12.gz.metadata.json when compressed.
	hadoopMetadataName = regexp.MustCompile(`^v([0-9]+)(\.gz)?\.metadata\.json$`)
	// Catalog-managed tables (Hive, JDBC, REST, pyiceberg):
	// 00012-<uuid>.metadata.json, with .gz before .metadata.json when
	// compressed.
	catalogMetadataName = regexp.MustCompile(`^([0-9]+)-[0-9a-fA-F-]+(\.gz)?\.metadata\.json$`)
)

// isMetadataFile tells a metadata file location from a table directory.
func isMetadataFile(loc string) bool {
	l := strings.ToLower(loc)
	return strings.HasSuffix(l, ".json") || strings.HasSuffix(l, ".json.gz")
}

// resolveMetadataFile returns the metadata file to read for a table given
// by loc: loc itself if it names a metadata file; otherwise, for a table
// directory, the file named by metadata/version-hint.text (moved forward
// past any newer vN+1 a lagging hint misses, as Iceberg's Hadoop tables
// do), or else the newest metadata file in metadata/.
func resolveMetadataFile(ctx context.Context, store objectStore, loc location) (ObjectInfo, error) {
	if isMetadataFile(loc.path) {
		obj, err := store.stat(ctx, loc.String())
		if err != nil {
			return ObjectInfo{}, fmt.Errorf("iceberg metadata file %s: %w", loc, err)
		}
		return obj, nil
	}
	dir := joinLocation(loc, metadataDir)
	if obj, ok, err := fromVersionHint(ctx, store, dir); err != nil || ok {
		return obj, err
	}
	obj, ok, err := newestMetadataFile(ctx, store, dir)
	if err != nil {
		return ObjectInfo{}, fmt.Errorf("listing iceberg metadata in %s: %w", dir, err)
	}
	if !ok {
		return ObjectInfo{}, fmt.Errorf("no iceberg metadata file (v<N>.metadata.json or <N>-<uuid>.metadata.json) in %s", dir)
	}
	return obj, nil
}

// fromVersionHint follows metadata/version-hint.text. ok is false when
// there is no hint or it names no existing file; the caller then lists
// the directory.
func fromVersionHint(ctx context.Context, store objectStore, dir location) (ObjectInfo, bool, error) {
	b, err := store.readRange(ctx, joinLocation(dir, "version-hint.text").String(), 0, 1024)
	if err != nil {
		return ObjectInfo{}, false, nil // no hint (or unreadable): list instead
	}
	hint := strings.TrimSpace(string(b))
	if hint == "" {
		return ObjectInfo{}, false, nil
	}
	n, numErr := strconv.Atoi(hint)
	if numErr != nil {
		// pyiceberg and some catalogs write the file's base name.
		name := path.Base(hint)
		if !strings.HasSuffix(name, ".json") {
			name += ".metadata.json"
		}
		obj, err := statIfExists(ctx, store, joinLocation(dir, name))
		return obj, err == nil && obj.Location != "", err
	}
	var found ObjectInfo
	for v := n; ; v++ {
		obj, err := statVersion(ctx, store, dir, v)
		if err != nil {
			return ObjectInfo{}, false, err
		}
		if obj.Location == "" {
			break
		}
		found = obj
	}
	return found, found.Location != "", nil
}

// statVersion finds vN.metadata.json (or its compressed form); an empty
// ObjectInfo means there is none.
func statVersion(ctx context.Context, store objectStore, dir location, v int) (ObjectInfo, error) {
	for _, name := range []string{fmt.Sprintf("v%d.metadata.json", v), fmt.Sprintf("v%d.gz.metadata.json", v)} {
		obj, err := statIfExists(ctx, store, joinLocation(dir, name))
		if err != nil || obj.Location != "" {
			return obj, err
		}
	}
	return ObjectInfo{}, nil
}

// statIfExists stats loc; a missing object is not an error but an empty
// ObjectInfo. Stores report "missing" differently (fs.ErrNotExist locally,
// an S3 404), so any error counts as missing unless the context ended: at
// worst a probe for a newer version is missed and the listing decides.
func statIfExists(ctx context.Context, store objectStore, loc location) (ObjectInfo, error) {
	obj, err := store.stat(ctx, loc.String())
	if err != nil {
		return ObjectInfo{}, ctx.Err()
	}
	return obj, nil
}

// newestMetadataFile picks the highest vN.metadata.json, or else the
// <N>-<uuid>.metadata.json with the highest N (the newest by time among
// equal N, which concurrent writers can produce).
func newestMetadataFile(ctx context.Context, store objectStore, dir location) (ObjectInfo, bool, error) {
	var best ObjectInfo
	bestN, bestHadoop := -1, false
	prefix := dir.String()
	if dir.isS3() {
		prefix += "/"
	}
	err := store.list(ctx, prefix, func(obj ObjectInfo) error {
		name := path.Base(obj.Location)
		if rest := strings.TrimPrefix(obj.Location, prefix); strings.Contains(strings.TrimPrefix(rest, "/"), "/") {
			return nil // in a subdirectory
		}
		hadoop := false
		var m []string
		if m = hadoopMetadataName.FindStringSubmatch(name); m != nil {
			hadoop = true
		} else if m = catalogMetadataName.FindStringSubmatch(name); m == nil {
			return nil
		}
		n, err := strconv.Atoi(m[1])
		if err != nil {
			return nil
		}
		// A table has one naming scheme; should both appear, the Hadoop
		// names win, as Iceberg's HadoopTableOperations reads only those.
		better := hadoop && !bestHadoop ||
			hadoop == bestHadoop && (n > bestN || n == bestN && obj.ModTime.After(best.ModTime))
		if bestN < 0 || better {
			best, bestN, bestHadoop = obj, n, hadoop
		}
		return nil
	})
	return best, bestN >= 0, err
}

func joinLocation(l location, elem ...string) location {
	return location{bucket: l.bucket, path: path.Join(append([]string{l.path}, elem...)...)}
}

// pathResolver turns the file paths written in a table's metadata into
// locations. Writers record absolute URIs (s3a://, file:/...), but tables
// get copied and moved, and some test writers record paths relative to
// the directory they ran in. So:
//
//   - a path under the location recorded in the metadata is rebased onto
//     the table's actual root (the directory holding metadata/), which
//     reads a moved or copied table from where it is now;
//   - any other relative path is taken relative to the directory that the
//     recorded relative location was relative to (or to the root);
//   - anything else is used as written.
type pathResolver struct {
	root location // where the table actually is
	// recorded is the metadata's "location", cleaned; empty when rebasing
	// does not apply.
	recorded string
	// relBase is the directory relative paths are resolved against.
	relBase location
}

// newPathResolver builds the resolver for a table whose metadata file is
// metaFile and whose metadata records the location recorded. rebase is
// false when the metadata is not kept under <location>/metadata (the
// write.metadata.path property), so the root cannot be inferred.
func newPathResolver(metaFile location, recorded string, rebase bool) pathResolver {
	dir := location{bucket: metaFile.bucket, path: path.Dir(metaFile.path)}
	root := dir
	if path.Base(dir.path) == metadataDir {
		root.path = path.Dir(dir.path)
	} else {
		rebase = false
	}
	r := pathResolver{root: root, relBase: root}
	rec := cleanRecorded(recorded)
	if rec == "" {
		return r
	}
	if !isURLOrAbs(rec) {
		// A relative recorded location: find the directory it was
		// relative to by stripping it from the end of the root.
		if strings.HasSuffix(root.path, "/"+rec) {
			r.relBase.path = strings.TrimSuffix(root.path, "/"+rec)
		}
		r.recorded = rec
		return r
	}
	if rebase && rec != root.String() {
		r.recorded = rec
	}
	return r
}

// cleanRecorded normalizes a location written by a writer so that prefixes
// compare: one s3 scheme, file URLs as paths, no "./" or trailing "/".
func cleanRecorded(s string) string {
	s = strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(s, "s3a://"), strings.HasPrefix(s, "s3n://"):
		s = "s3://" + s[len("s3a://"):]
	case strings.HasPrefix(s, "file://"):
		s = s[len("file://"):]
	case strings.HasPrefix(s, "file:"):
		s = s[len("file:"):]
	}
	if strings.HasPrefix(s, "s3://") {
		return strings.TrimRight(s, "/")
	}
	if s == "" {
		return ""
	}
	return path.Clean(s)
}

func isURLOrAbs(s string) bool { return strings.Contains(s, "://") || strings.HasPrefix(s, "/") }

// resolve maps a path from the metadata to a location.
func (r pathResolver) resolve(p string) (location, error) {
	c := cleanRecorded(p)
	if c == "" {
		return location{}, fmt.Errorf("empty file path in table metadata")
	}
	if r.recorded != "" && (c == r.recorded || strings.HasPrefix(c, r.recorded+"/")) {
		return joinLocation(r.root, strings.TrimPrefix(c[len(r.recorded):], "/")), nil
	}
	if !isURLOrAbs(c) {
		return joinLocation(r.relBase, c), nil
	}
	return parseLocation(c, "/")
}
