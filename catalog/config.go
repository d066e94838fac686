package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is a catalog file: the lake's schemas and tables, and how to reach
// them. Every field but the table locations has a default.
type Config struct {
	// Cache is the local file cache for S3 objects.
	Cache CacheConfig `yaml:"cache"`
	// Refresh is how long a table's file index is trusted before it is
	// rebuilt (incrementally); 0 means never by time, only on demand.
	Refresh Duration `yaml:"refresh"`
	// S3 holds the defaults for every s3:// location; a schema may
	// override them.
	S3 S3Config `yaml:"s3"`
	// Schemas maps a schema name to its tables.
	Schemas map[string]SchemaConfig `yaml:"schemas"`
	// Sections holds the file's other top-level sections (users, roles,
	// tls, ...), undecoded, for the packages that own them; LoadConfig's
	// caller rejects the ones nobody owns (CheckSections).
	Sections map[string]yaml.Node `yaml:",inline"`

	// file is where the config was read from; relative locations are
	// resolved against its directory.
	file string
	root *yaml.Node
}

// CacheConfig configures the file cache.
type CacheConfig struct {
	// Directory holds the cached objects; empty means "cache" beside the
	// data directory the binary is given.
	Directory string `yaml:"directory"`
	// MaxSize bounds the cache, e.g. "10GB"; empty means 10GB.
	MaxSize ByteSize `yaml:"max_size"`
}

// SchemaConfig declares one schema: its tables, or an Iceberg catalog
// namespace whose tables it imports.
type SchemaConfig struct {
	// S3 overrides the catalog-wide S3 settings for this schema's tables.
	S3          *S3Config              `yaml:"s3"`
	Tables      map[string]TableConfig `yaml:"tables"`
	IcebergREST *IcebergRESTSchema     `yaml:"iceberg_rest"`
	IcebergSQL  *IcebergSQLSchema      `yaml:"iceberg_sql"`
}

// TableConfig declares one table.
type TableConfig struct {
	// Format is "parquet" or "iceberg".
	Format string `yaml:"format"`
	// Location is, for parquet, a file, a glob ("data/*.parquet",
	// "data/**/*.parquet") or a directory/prefix; for iceberg, a
	// metadata.json file or the table's directory.
	Location string `yaml:"location"`
	// Partitioning is "hive" (key=value directories) or "none" (the
	// default), for parquet.
	Partitioning string `yaml:"partitioning"`
	// PartitionColumns declares the types of hive partition columns
	// (DuckDB type names, e.g. date, bigint, varchar); undeclared ones
	// are inferred from the values.
	PartitionColumns map[string]string `yaml:"partition_columns"`
	// Description is shown to clients as the table's comment.
	Description string `yaml:"description"`
}

// Table formats and partitionings.
const (
	FormatParquet = "parquet"
	FormatIceberg = "iceberg"
	PartitionHive = "hive"
	PartitionNone = "none"
)

// Duration is a time.Duration written as "5m", "1h30m" or seconds.
type Duration time.Duration

// UnmarshalYAML reads "5m"-style durations.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if secs, err := strconv.ParseFloat(n.Value, 64); err == nil {
		*d = Duration(secs * float64(time.Second))
		return nil
	}
	v, err := time.ParseDuration(n.Value)
	if err != nil || v < 0 {
		return fmt.Errorf("line %d: %q is not a duration (use e.g. 30s, 5m, 1h)", n.Line, n.Value)
	}
	*d = Duration(v)
	return nil
}

// ByteSize is a size written as "512MB", "10GiB" or a number of bytes.
type ByteSize int64

var sizePattern = regexp.MustCompile(`^\s*([0-9]+(?:\.[0-9]+)?)\s*([KMGT]?I?B?)\s*$`)

// UnmarshalYAML reads sizes with decimal (KB, MB, GB, TB) or binary (KiB,
// MiB, GiB, TiB) units.
func (b *ByteSize) UnmarshalYAML(n *yaml.Node) error {
	m := sizePattern.FindStringSubmatch(strings.ToUpper(n.Value))
	if m == nil {
		return fmt.Errorf("line %d: %q is not a size (use e.g. 512MB or 10GiB)", n.Line, n.Value)
	}
	num, _ := strconv.ParseFloat(m[1], 64)
	unit := strings.TrimSuffix(m[2], "B")
	base := 1000.0
	if strings.HasSuffix(unit, "I") {
		base, unit = 1024, strings.TrimSuffix(unit, "I")
	}
	exp := strings.Index("KMGT", unit) + 1
	if unit == "" {
		exp = 0
	}
	for range exp {
		num *= base
	}
	*b = ByteSize(num)
	return nil
}

// ConfigError is a problem in a catalog file, with the line it is on.
type ConfigError struct {
	File  string
	Line  int
	Field string // dotted path, e.g. schemas.demo.tables.sales.format
	Err   error
}

func (e *ConfigError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Field != "" {
		b.WriteString(": " + e.Field)
	}
	b.WriteString(": " + e.Err.Error())
	return b.String()
}

func (e *ConfigError) Unwrap() error { return e.Err }

// File is the absolute path the config was read from.
func (c *Config) File() string { return c.file }

// CheckSections fails on a top-level section that is neither the catalog's
// nor one of owned, naming its line.
func (c *Config) CheckSections(owned ...string) error {
	for name := range c.Sections {
		if !slices.Contains(owned, name) {
			return &ConfigError{File: c.file, Line: lineOf(c.root, name), Field: name,
				Err: fmt.Errorf("unknown section (known: cache, refresh, s3, schemas, %s)", strings.Join(owned, ", "))}
		}
	}
	return nil
}

// LoadConfig reads and checks a catalog file.
func LoadConfig(file string) (*Config, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, err
	}
	return ParseConfig(abs, data)
}

// ParseConfig reads a catalog from YAML; file names it in errors and
// anchors relative locations.
func ParseConfig(file string, data []byte) (*Config, error) {
	var root yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&root); err != nil && err != io.EOF {
		return nil, yamlError(file, err)
	}
	cfg := &Config{file: file, root: &root, Refresh: Duration(5 * time.Minute)}
	if root.Kind != 0 {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(cfg); err != nil {
			return nil, yamlError(file, err)
		}
	}
	if err := cfg.check(&root); err != nil {
		return nil, err
	}
	return cfg, nil
}

var yamlLine = regexp.MustCompile(`^(?:unmarshal errors:\n\s*)?line (\d+): (.*)`)

// yamlError puts the file name in front of yaml's "yaml: line N: ..."
// messages.
func yamlError(file string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &ConfigError{File: file, Line: line, Err: errors.New(m[2])}
	}
	return &ConfigError{File: file, Err: errors.New(msg)}
}

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$]*$`)

// check validates what YAML decoding cannot, pointing at the offending
// line.
func (c *Config) check(root *yaml.Node) error {
	fail := func(msg string, path ...string) error {
		return &ConfigError{File: c.file, Line: lineOf(root, path...), Field: strings.Join(path, "."), Err: errors.New(msg)}
	}
	for schema, sc := range c.Schemas {
		if !identifier.MatchString(schema) {
			return fail("schema names must be plain identifiers (letters, digits, _)", "schemas", schema)
		}
		imports := 0
		if sc.IcebergREST != nil {
			imports++
			if sc.IcebergREST.URI == "" || sc.IcebergREST.Namespace == "" {
				return fail("needs uri and namespace", "schemas", schema, "iceberg_rest")
			}
		}
		if sc.IcebergSQL != nil {
			imports++
			if sc.IcebergSQL.URI == "" || sc.IcebergSQL.Namespace == "" {
				return fail("needs uri and namespace", "schemas", schema, "iceberg_sql")
			}
		}
		switch {
		case imports > 1 || imports == 1 && len(sc.Tables) > 0:
			return fail("declares its tables in one way: tables, iceberg_rest or iceberg_sql", "schemas", schema)
		case imports == 0 && len(sc.Tables) == 0:
			return fail("declares no tables", "schemas", schema)
		}
		for name, t := range sc.Tables {
			at := []string{"schemas", schema, "tables", name}
			if !identifier.MatchString(name) {
				return fail("table names must be plain identifiers (letters, digits, _)", at...)
			}
			switch t.Format {
			case FormatParquet, FormatIceberg:
			case "":
				return fail("missing (parquet or iceberg)", append(at, "format")...)
			default:
				return fail(fmt.Sprintf("unknown format %q (parquet or iceberg)", t.Format), append(at, "format")...)
			}
			if t.Location == "" {
				return fail("missing: a local path or s3://bucket/prefix", append(at, "location")...)
			}
			if _, err := parseLocation(t.Location, c.dir()); err != nil {
				return fail(err.Error(), append(at, "location")...)
			}
			switch t.Partitioning {
			case "", PartitionNone, PartitionHive:
			default:
				return fail(fmt.Sprintf("unknown partitioning %q (hive or none)", t.Partitioning), append(at, "partitioning")...)
			}
			if t.Format == FormatIceberg && (t.Partitioning != "" || len(t.PartitionColumns) > 0) {
				return fail("iceberg tables take their partitioning from their metadata", append(at, "partitioning")...)
			}
			if len(t.PartitionColumns) > 0 && t.Partitioning != PartitionHive {
				return fail("partition_columns needs partitioning: hive", append(at, "partition_columns")...)
			}
			for col, typ := range t.PartitionColumns {
				if _, ok := hiveTypes[strings.ToUpper(typ)]; !ok {
					return fail(fmt.Sprintf("unsupported partition column type %q (one of %s)", typ, hiveTypeNames()), append(at, "partition_columns", col)...)
				}
			}
		}
	}
	return nil
}

func (c *Config) dir() string { return filepath.Dir(c.file) }

// lineOf finds the line of the node at path (mapping keys), or of the
// deepest ancestor that exists.
func lineOf(root *yaml.Node, path ...string) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := n.Line
	for _, key := range path {
		if n.Kind != yaml.MappingNode {
			break
		}
		found := false
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				line, n, found = n.Content[i].Line, n.Content[i+1], true
				break
			}
		}
		if !found {
			break
		}
	}
	return line
}
