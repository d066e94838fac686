package main

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lakegate/lakegate/auth"
	"github.com/lakegate/lakegate/catalog"
	"github.com/lakegate/lakegate/engine"
	"github.com/lakegate/lakegate/server"
)

// The pruning benchmark serves a generated hive-partitioned table
// (part_id=N/data_0.parquet, one small file per partition) through a
// catalog, as cmd/lakegate does, and runs queries that need a few of its
// files both through lakegate and on the embedded DuckDB over
// read_parquet('<root>/**/*.parquet', hive_partitioning = true), which
// globs the whole tree for every query. A second table of
// -planning-files partitions measures planning at that size, and the
// first table is also served from S3 (a versitygw started here).

// eventsRowsPerFile is the rows in each partition's file.
const eventsRowsPerFile = 100

// planningTableRuns bounds the measured runs on the planning table.
const planningTableRuns = 3

// pruneQuery is one query of the benchmark: pruneSQL over a table with
// a WHERE clause.
type pruneQuery struct {
	name  string
	where string
	// param, when set, gives the value of the placeholder {p} in where
	// for each run (-1 is the warm-up): a new partition every run, so that
	// neither system can reuse a plan. lakegate gets it as $1, DuckDB as a
	// literal (its best case: the filter is known when it plans).
	param func(run int) int64
}

const pruneSQL = "SELECT count(*), sum(x) FROM %s WHERE %s"

func eventsQueries(partitions int, withStats bool) []pruneQuery {
	one := int64(partitions) * 4242 / 10000
	qs := []pruneQuery{
		{name: "one partition", where: fmt.Sprintf("part_id = %d", one)},
		{name: "one partition, a new one each run ($1)", where: "part_id = {p}",
			param: func(run int) int64 { return (one + int64(run+2)*7919) % int64(partitions) }},
	}
	if withStats {
		lo, n := int64(partitions/100)*37, int64(partitions/100) // 1% of the partitions
		qs = append(qs,
			pruneQuery{name: "1% of the partitions (BETWEEN)", where: fmt.Sprintf("part_id BETWEEN %d AND %d", lo, lo+n-1)},
			// id increases with part_id, so the Parquet footers' min/max
			// single out one file; no partition column is involved.
			pruneQuery{name: "one file by footer statistics (id BETWEEN)", where: fmt.Sprintf("id BETWEEN %d AND %d", one*eventsRowsPerFile+10, one*eventsRowsPerFile+19)},
		)
	}
	return qs
}

// pruneTable is one generated table and its results.
type pruneTable struct {
	name       string // as lakegate serves it, bench.<name>
	root       string
	partitions int
	files      int
	bytes      int64
	generated  time.Duration
	how        string
	indexBuild time.Duration // catalog.Open
	runs       int           // measured runs per query
	cases      []pruneCase
}

type pruneCase struct {
	query            pruneQuery
	lakegateSQL      string // the statement sent (with $1 for param queries)
	duckdbSQL        string // the check run's
	lakegate, duckdb []time.Duration
	planning         []time.Duration // lakegate's, from EXPLAIN
	kept, total      int             // lakegate's files, from EXPLAIN
	lakegateReads    string          // files DuckDB read inside lakegate (EXPLAIN ANALYZE)
	duckdbReads      string          // files the glob read (EXPLAIN ANALYZE)
	same             bool
	result           string
}

type pruningResults struct {
	tables []*pruneTable
	s3     *s3Result
	s3Note string // why the S3 part did not run
}

func benchPruning(ctx context.Context, o options, ref *sql.DB, dir string) (*pruningResults, error) {
	res := &pruningResults{}
	events := &pruneTable{name: "events", root: filepath.Join(dir, "events"), partitions: o.partitions, runs: o.pruneRuns}
	progress("pruning: writing %d partitions of %d rows to %s", o.partitions, eventsRowsPerFile, events.root)
	start := time.Now()
	if err := writeEvents(ctx, ref, events.root, o.partitions); err != nil {
		return nil, fmt.Errorf("writing the events table: %w", err)
	}
	events.generated = time.Since(start)
	events.how = fmt.Sprintf("one DuckDB `COPY ... TO (FORMAT parquet, PARTITION_BY (part_id))` of %s rows", thousands(int64(o.partitions*eventsRowsPerFile)))
	if err := events.count(); err != nil {
		return nil, err
	}
	if err := events.bench(ctx, o, ref, dir, eventsQueries(o.partitions, true)); err != nil {
		return nil, err
	}
	res.tables = append(res.tables, events)

	if o.planningFiles > 0 {
		big := &pruneTable{name: fmt.Sprintf("events_%d", o.planningFiles), root: filepath.Join(dir, "events_planning"), partitions: o.planningFiles}
		progress("pruning: linking %d partitions to the events files under %s", o.planningFiles, big.root)
		start := time.Now()
		if err := linkPartitions(events.root, big.root, o.partitions, o.planningFiles); err != nil {
			return nil, fmt.Errorf("writing the planning table: %w", err)
		}
		big.generated = time.Since(start)
		big.how = fmt.Sprintf("hard links: partition p is a link to the events file of partition p mod %s", thousands(int64(o.partitions)))
		if err := big.count(); err != nil {
			return nil, err
		}
		// DuckDB's glob of this tree takes seconds per query.
		big.runs = min(o.pruneRuns, planningTableRuns)
		if err := big.bench(ctx, o, ref, dir, eventsQueries(o.planningFiles, false)); err != nil {
			return nil, err
		}
		res.tables = append(res.tables, big)
	}

	if o.s3Partitions > 0 {
		r, err := benchPruningS3(ctx, o, ref, dir, events.root, min(o.s3Partitions, o.partitions))
		if err != nil {
			progress("pruning: S3 part failed: %v", err)
			res.s3Note = err.Error()
		}
		res.s3 = r
	} else {
		res.s3Note = "skipped (-s3-partitions 0)"
	}
	return res, nil
}

// writeEvents writes the events table: partitions × eventsRowsPerFile
// rows, partitioned by part_id, with nine columns of every common type.
// id increases with part_id; the other values come from mix().
func writeEvents(ctx context.Context, db *sql.DB, dir string, partitions int) error {
	// Every partition's writer stays open until the end, so each
	// partition gets exactly one file.
	if _, err := db.ExecContext(ctx, fmt.Sprintf("SET partitioned_write_max_open_files = %d", partitions+1)); err != nil {
		return err
	}
	q := fmt.Sprintf(`COPY (
		SELECT i AS id,
			i // %[1]d AS part_id,
			mix(i, 21) %% 1000 AS x,
			mix(i, 22)::DOUBLE / 4294967296.0 * 1000 AS amount,
			(1 + mix(i, 23) %% 50)::INTEGER AS qty,
			'n' || (mix(i, 24) %% 100000)::VARCHAR AS name,
			['books', 'games', 'garden', 'music', 'toys'][1 + mix(i, 25) %% 5] AS category,
			TIMESTAMP '2024-01-01 00:00:00' + to_seconds(i * 36) AS ts,
			DATE '2024-01-01' + (i // 2400)::INTEGER AS day,
			mix(i, 26) %% 2 = 0 AS flag
		FROM range(%[2]d) t(i)
	) TO %[3]s (FORMAT parquet, PARTITION_BY (part_id))`, eventsRowsPerFile, partitions*eventsRowsPerFile, quote(dir))
	_, err := db.ExecContext(ctx, q)
	return err
}

// linkPartitions makes a table of n partitions whose file p is a hard link
// to src's file of partition p mod srcN: writing 100,000 distinct files
// takes DuckDB minutes on a small machine, and planning and globbing
// depend on the paths and footers, not on what the rows say.
func linkPartitions(src, dst string, srcN, n int) error {
	for p := range n {
		d := filepath.Join(dst, "part_id="+strconv.Itoa(p))
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
		from := filepath.Join(src, "part_id="+strconv.Itoa(p%srcN), "data_0.parquet")
		if err := os.Link(from, filepath.Join(d, "data_0.parquet")); err != nil {
			return err
		}
	}
	return nil
}

// count finds the table's files and bytes.
func (t *pruneTable) count() error {
	t.files, t.bytes = 0, 0
	return filepath.WalkDir(t.root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".parquet") {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		t.files++
		t.bytes += info.Size()
		return nil
	})
}

// bench serves the table through its own catalog and lakegate, and runs
// the queries on both systems.
func (t *pruneTable) bench(ctx context.Context, o options, ref *sql.DB, dir string, queries []pruneQuery) error {
	cfgPath := filepath.Join(dir, t.name+".yaml")
	yaml := fmt.Sprintf(`# generated by the lakegate benchmark
refresh: 0
schemas:
  bench:
    tables:
      %s:
        format: parquet
        location: %s
        partitioning: hive
`, t.name, strconv.Quote(t.root))
	if err := os.WriteFile(cfgPath, []byte(yaml), 0o644); err != nil {
		return err
	}
	progress("pruning: indexing %s (%d files)", t.name, t.files)
	cat, openTime, err := openCatalog(ctx, cfgPath, "")
	if err != nil {
		return err
	}
	t.indexBuild = openTime
	lg, err := serveCatalog(ctx, cat, o.threads)
	if err != nil {
		cat.Close()
		return err
	}
	defer lg.close()
	conn, err := lg.connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	glob := "read_parquet(" + quote(t.root+"/**/*.parquet") + ", hive_partitioning = true)"
	for _, q := range queries {
		progress("pruning: %s: %s", t.name, q.name)
		c, err := runPruneCase(ctx, t.runs, conn, ref, "bench."+t.name, glob, q)
		if err != nil {
			return fmt.Errorf("%s, %s: %w", t.name, q.name, err)
		}
		t.cases = append(t.cases, *c)
	}
	return nil
}

// runPruneCase checks that both systems agree, reads what each plans, then
// times one warm-up and runs runs of each, alternating.
func runPruneCase(ctx context.Context, runs int, conn *pgx.Conn, ref *sql.DB, table, glob string, q pruneQuery) (*pruneCase, error) {
	c := &pruneCase{query: q}
	// lakegateRun and duckdbRun give run i's statements: -2 is the
	// check of results and plans, -1 the warm-up.
	lakegateRun := func(i int) (string, []any) {
		if q.param == nil {
			return fmt.Sprintf(pruneSQL, table, q.where), nil
		}
		return fmt.Sprintf(pruneSQL, table, strings.ReplaceAll(q.where, "{p}", "$1")), []any{q.param(i)}
	}
	duckdbRun := func(i int) string {
		where := q.where
		if q.param != nil {
			where = strings.ReplaceAll(where, "{p}", strconv.FormatInt(q.param(i), 10))
		}
		return fmt.Sprintf(pruneSQL, glob, where)
	}
	lgSQL, args := lakegateRun(-2)
	c.lakegateSQL, c.duckdbSQL = lgSQL, duckdbRun(-2)

	got, err := textRowsArgs(ctx, conn, lgSQL, args...)
	if err != nil {
		return nil, fmt.Errorf("through lakegate: %w", err)
	}
	want, err := varcharRows(ctx, ref, c.duckdbSQL)
	if err != nil {
		return nil, fmt.Errorf("on DuckDB: %w", err)
	}
	c.same = slices.EqualFunc(got, want, slices.Equal[[]string])
	if len(got) > 0 {
		c.result = strings.Join(got[0], ", ")
	}
	if !c.same {
		progress("pruning: results differ:\nlakegate %v\nduckdb   %v", got, want)
	}
	plan, err := textRowsArgs(ctx, conn, "EXPLAIN ANALYZE "+lgSQL, args...)
	if err != nil {
		return nil, fmt.Errorf("EXPLAIN ANALYZE through lakegate: %w", err)
	}
	c.lakegateReads = filesRead(firstColumn(plan))
	duckPlan, err := duckdbExplain(ctx, ref, "EXPLAIN ANALYZE "+c.duckdbSQL)
	if err != nil {
		return nil, fmt.Errorf("EXPLAIN ANALYZE on DuckDB: %w", err)
	}
	c.duckdbReads = filesRead(duckPlan)

	run := func(i int) error {
		sqlText, args := lakegateRun(i)
		start := time.Now()
		if _, _, err := readWireArgs(ctx, conn, sqlText, args...); err != nil {
			return err
		}
		if i >= 0 {
			c.lakegate = append(c.lakegate, time.Since(start))
		}
		start = time.Now()
		if err := scanAll(ctx, ref, duckdbRun(i)); err != nil {
			return err
		}
		if i >= 0 {
			c.duckdb = append(c.duckdb, time.Since(start))
		}
		return nil
	}
	for i := -1; i < runs; i++ {
		if err := run(i); err != nil {
			return nil, err
		}
	}
	for i := range runs {
		sqlText, args := lakegateRun(i)
		lines, err := textRowsArgs(ctx, conn, "EXPLAIN "+sqlText, args...)
		if err != nil {
			return nil, fmt.Errorf("EXPLAIN through lakegate: %w", err)
		}
		s, err := parseLakeScan(firstColumn(lines))
		if err != nil {
			return nil, err
		}
		c.kept, c.total = s.kept, s.total
		c.planning = append(c.planning, s.planning)
	}
	return c, nil
}

// textRowsArgs reads a result in text format.
func textRowsArgs(ctx context.Context, conn *pgx.Conn, query string, args ...any) ([][]string, error) {
	rs, err := conn.Query(ctx, query, append([]any{pgx.QueryResultFormats{pgx.TextFormatCode}}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out [][]string
	for rs.Next() {
		var row []string
		for _, v := range rs.RawValues() {
			row = append(row, string(v))
		}
		out = append(out, row)
	}
	return out, rs.Err()
}

// readWireArgs reads every row of a result in binary format, as the timed
// runs of the other sections do.
func readWireArgs(ctx context.Context, conn *pgx.Conn, query string, args ...any) (rows, n int64, err error) {
	rs, err := conn.Query(ctx, query, append([]any{pgx.QueryResultFormats{pgx.BinaryFormatCode}}, args...)...)
	if err != nil {
		return 0, 0, err
	}
	defer rs.Close()
	for rs.Next() {
		rows++
		for _, v := range rs.RawValues() {
			n += int64(len(v))
		}
	}
	return rows, n, rs.Err()
}

func firstColumn(rows [][]string) []string {
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		if len(r) > 0 {
			out = append(out, r[len(r)-1])
		}
	}
	return out
}

// duckdbExplain returns the lines of an EXPLAIN on the reference DuckDB
// (its rows are key, value pairs of text).
func duckdbExplain(ctx context.Context, db *sql.DB, query string) ([]string, error) {
	rs, err := db.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var lines []string
	for rs.Next() {
		var key, value sql.NullString
		if err := rs.Scan(&key, &value); err != nil {
			return nil, err
		}
		lines = append(lines, strings.Split(value.String, "\n")...)
	}
	return lines, rs.Err()
}

var (
	lakeScanLine = regexp.MustCompile(`^Lake Scan on (\S+): (\d+) of (\d+) files, .*\(planned in ([0-9.]+) ms\)`)
	// DuckDB's profile boxes wrap long texts over several lines.
	totalFilesRead = regexp.MustCompile(`Total Files Read: ?(\d+)`)
	scanningFiles  = regexp.MustCompile(`Scanning Files: ?(\d+)/(\d+)`)
)

type lakeScan struct {
	kept, total int
	planning    time.Duration
}

// parseLakeScan reads the first line of lakegate's EXPLAIN.
func parseLakeScan(lines []string) (lakeScan, error) {
	for _, l := range lines {
		m := lakeScanLine.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		kept, _ := strconv.Atoi(m[2])
		total, _ := strconv.Atoi(m[3])
		msec, _ := strconv.ParseFloat(m[4], 64)
		return lakeScan{kept: kept, total: total, planning: time.Duration(msec * float64(time.Millisecond))}, nil
	}
	first := ""
	if len(lines) > 0 {
		first = lines[0]
	}
	return lakeScan{}, fmt.Errorf("EXPLAIN has no Lake Scan line (first line: %q)", first)
}

// filesRead finds the files a DuckDB profile says its Parquet scan read,
// as "read of listed" when the scan also says how many it listed.
func filesRead(profile []string) string {
	// Undo the boxes: keep each line's text, joined by spaces.
	var b strings.Builder
	for _, l := range profile {
		l = strings.Trim(l, " │┌┐└┘─┬┴├┤")
		if l != "" {
			b.WriteString(l)
			b.WriteByte(' ')
		}
	}
	text := strings.Join(strings.Fields(b.String()), " ")
	var reads []string
	for _, m := range totalFilesRead.FindAllStringSubmatch(text, -1) {
		reads = append(reads, thousandsOf(m[1]))
	}
	if len(reads) == 0 {
		return "not reported"
	}
	out := strings.Join(reads, " + ")
	if m := scanningFiles.FindStringSubmatch(text); m != nil && len(reads) == 1 {
		out += " of " + thousandsOf(m[2])
	}
	return out
}

func thousandsOf(digits string) string {
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return digits
	}
	return thousands(n)
}

// catalogLakegate is lakegate serving a catalog, wired as cmd/lakegate
// wires it.
type catalogLakegate struct {
	*lakegate
	cat *catalog.Catalog
}

func (lg *catalogLakegate) close() {
	lg.lakegate.close()
	lg.cat.Close()
}

// benchLogger is what the benchmark's lakegate logs: warnings and errors,
// to stderr.
var benchLogger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

// openCatalog loads a catalog file and opens it, timing catalog.Open,
// which builds every table's index.
func openCatalog(ctx context.Context, cfgPath, cacheDir string) (*catalog.Catalog, time.Duration, error) {
	cfg, err := catalog.LoadConfig(cfgPath)
	if err != nil {
		return nil, 0, err
	}
	start := time.Now()
	cat, err := catalog.Open(ctx, cfg, catalog.Options{CacheDirectory: cacheDir, Logger: benchLogger})
	if err != nil {
		return nil, 0, err
	}
	openTime := time.Since(start)
	for _, t := range cat.Tables() {
		if err := t.Err(); err != nil {
			cat.Close()
			return nil, 0, err
		}
	}
	return cat, openTime, nil
}

// serveCatalog starts lakegate on cat, on a random loopback port, wired as
// cmd/lakegate wires it. Closing it closes cat.
func serveCatalog(ctx context.Context, cat *catalog.Catalog, threads int) (*catalogLakegate, error) {
	eng, err := engine.Open(ctx, engine.Config{
		Threads:            threads,
		AllowedDirectories: cat.LocalDirectories(),
		Lake:               cat,
		Logger:             benchLogger,
	})
	if err != nil {
		return nil, fmt.Errorf("starting the lakegate engine: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		eng.Close()
		return nil, err
	}
	srv := &server.Server{Engine: eng, Auth: auth.TrustLoopback("lakegate"), Logger: benchLogger}
	go srv.Serve(ln)
	return &catalogLakegate{lakegate: &lakegate{addr: ln.Addr().String(), engine: eng, server: srv}, cat: cat}, nil
}
