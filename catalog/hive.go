package catalog

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// hiveTypes are the DuckDB types a hive partition column may be declared
// with, and how pruning compares them.
var hiveTypes = map[string]Kind{
	"BIGINT": KindInt, "INTEGER": KindInt, "SMALLINT": KindInt,
	"DOUBLE": KindFloat, "DATE": KindDate, "TIMESTAMP": KindTimestamp,
	"VARCHAR": KindString, "BOOLEAN": KindBool,
}

func hiveTypeNames() string {
	names := make([]string, 0, len(hiveTypes))
	for n := range hiveTypes {
		names = append(names, strings.ToLower(n))
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// hiveNull is how Hive and Spark write a NULL partition value.
const hiveNull = "__HIVE_DEFAULT_PARTITION__"

// hivePartition is a file's key=value directory segments, in path order.
type hivePartition struct {
	keys, values []string
	null         []bool
}

// parseHivePath reads the key=value directories of a path relative to the
// table root (the file name itself is not a partition).
func parseHivePath(rel string) hivePartition {
	var p hivePartition
	segs := strings.Split(rel, "/")
	for _, seg := range segs[:len(segs)-1] {
		k, v, ok := strings.Cut(seg, "=")
		if !ok || k == "" {
			continue
		}
		if u, err := url.PathUnescape(v); err == nil {
			v = u
		}
		p.keys = append(p.keys, k)
		p.values = append(p.values, v)
		p.null = append(p.null, v == hiveNull)
	}
	return p
}

// inferHiveType picks the narrowest type every non-NULL value parses as,
// so that the type does not depend on which files a query keeps.
func inferHiveType(values func(yield func(string) bool)) string {
	isInt, isFloat, isDate, isTimestamp, isBool := true, true, true, true, true
	any := false
	for v := range values {
		any = true
		if isInt {
			_, err := strconv.ParseInt(v, 10, 64)
			isInt = err == nil
		}
		if isFloat {
			_, err := strconv.ParseFloat(v, 64)
			isFloat = err == nil
		}
		if isDate {
			_, ok := String(v).CoerceTo(KindDate)
			isDate = ok
		}
		if isTimestamp {
			_, ok := String(v).CoerceTo(KindTimestamp)
			isTimestamp = ok
		}
		if isBool {
			isBool = v == "true" || v == "false"
		}
	}
	switch {
	case !any:
		return "VARCHAR"
	case isInt:
		return "BIGINT"
	case isFloat:
		return "DOUBLE"
	case isDate:
		return "DATE"
	case isTimestamp:
		return "TIMESTAMP"
	case isBool:
		return "BOOLEAN"
	}
	return "VARCHAR"
}

// hiveStats is the statistics of a partition column in one file: its value
// is both minimum and maximum.
func hiveStats(v string, null bool, duckType string, rows int64) ColumnStats {
	if null {
		return ColumnStats{Nulls: max(rows, 1)}
	}
	val, ok := String(v).CoerceTo(hiveTypes[duckType])
	if !ok {
		return UnknownStats
	}
	return ColumnStats{Min: val, Max: val, HasBounds: true, Nulls: 0}
}
