// Command bench measures lakegate against PostgreSQL and embedded DuckDB and
// prints a Markdown report to stdout (progress goes to stderr):
//
//	go run ./test/bench [-rows N] [-lineitem-rows N] [-duration 5s] [-threads N] [-skip-postgres]
//	go run ./test/bench -only pruning [-partitions N] [-planning-files N] [-s3-partitions N]
//
// It generates its data in a temporary directory: a wide Parquet file for
// wire throughput, a TPC-H-style lineitem file for the analytical queries,
// and (section pruning, pruning*.go) hive-partitioned tables served
// through a catalog, locally and from a versitygw S3 server.
// lakegate runs in this process on a random loopback port; PostgreSQL, when
// installed, is initialised in a temporary directory, started on a free
// port and stopped at the end. See docs/benchmarks.md for results.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"
)

type options struct {
	rows         int
	lineitemRows int
	duration     time.Duration
	threads      int
	runs         int
	skipPostgres bool
	only         map[string]bool
	cpuProfile   string

	// pruning
	partitions    int
	planningFiles int
	s3Partitions  int
	pruneRuns     int
}

func main() {
	var o options
	var only string
	flag.IntVar(&o.rows, "rows", 10_000_000, "rows in the wire-throughput table")
	flag.IntVar(&o.lineitemRows, "lineitem-rows", 6_000_000, "rows in the lineitem table (Q1, Q6)")
	flag.DurationVar(&o.duration, "duration", 5*time.Second, "how long each small-query measurement runs")
	flag.IntVar(&o.threads, "threads", 0, "DuckDB threads for lakegate and the embedded reference (0 = all cores)")
	flag.IntVar(&o.runs, "runs", 3, "measured runs per wire-throughput case (after one warm-up); the median is reported")
	flag.BoolVar(&o.skipPostgres, "skip-postgres", false, "do not start PostgreSQL")
	flag.IntVar(&o.partitions, "partitions", 10_000, "pruning: partitions (one file each) of the hive table")
	flag.IntVar(&o.planningFiles, "planning-files", 100_000, "pruning: partitions of the planning table, hard links to the hive table's files (0 = none)")
	flag.IntVar(&o.s3Partitions, "s3-partitions", 10_000, "pruning: partitions of the hive table uploaded to versitygw (0 = no S3 part)")
	flag.IntVar(&o.pruneRuns, "pruning-runs", 5, "pruning: measured runs per query (after one warm-up; at most 3 on the planning table); the median is reported")
	flag.StringVar(&only, "only", "wire,analytic,roundtrip", "comma-separated sections to run: wire, analytic, roundtrip, pruning")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run (client and in-process lakegate) to this file")
	flag.Parse()
	o.only = map[string]bool{}
	for _, s := range strings.Split(only, ",") {
		o.only[strings.TrimSpace(s)] = true
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, o)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	start := time.Now()
	dir, err := os.MkdirTemp("", "lakegate-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	ref, err := openReference(o.threads)
	if err != nil {
		return err
	}
	defer ref.Close()
	wide := filepath.Join(dir, "wide.parquet")
	lineitem := filepath.Join(dir, "lineitem.parquet")
	tables := map[string]string{}
	if o.only["wire"] {
		progress("writing %d rows to %s", o.rows, wide)
		if err := writeWide(ctx, ref, wide, o.rows); err != nil {
			return err
		}
		tables["wide"] = wide
	}
	if o.only["analytic"] {
		progress("writing %d lineitem rows to %s", o.lineitemRows, lineitem)
		if err := writeLineitem(ctx, ref, lineitem, o.lineitemRows); err != nil {
			return err
		}
		tables["lineitem"] = lineitem
		if _, err := ref.ExecContext(ctx, "CREATE VIEW lineitem AS SELECT * FROM read_parquet("+quote(lineitem)+")"); err != nil {
			return err
		}
	}

	lg, err := startLakegate(ctx, dir, o.threads, tables)
	if err != nil {
		return err
	}
	defer lg.close()

	var pg *postgres
	pgNote := "skipped (-skip-postgres)"
	if !o.only["wire"] && !o.only["roundtrip"] {
		pgNote = "not used by the sections run"
	}
	if !o.skipPostgres && (o.only["wire"] || o.only["roundtrip"]) {
		progress("starting PostgreSQL")
		pg, err = startPostgres(ctx)
		if err != nil {
			pgNote = "not available: " + err.Error()
			progress("PostgreSQL %s", pgNote)
			pg = nil
		} else {
			defer pg.stop()
			pgNote = pg.version
		}
	}

	rep := &report{w: os.Stdout}
	rep.header(o, lg.engine.DuckDBVersion(), pgNote, pg != nil)

	if o.only["wire"] {
		if pg != nil {
			progress("loading %d rows into PostgreSQL", o.rows)
			if err := pg.loadWide(ctx, ref, wide); err != nil {
				return fmt.Errorf("loading PostgreSQL: %w", err)
			}
		}
		res, err := benchWire(ctx, o, lg, pg, ref, wide)
		if err != nil {
			return err
		}
		rep.wire(o, res)
	}
	if o.only["analytic"] {
		res, err := benchAnalytic(ctx, lg, ref)
		if err != nil {
			return err
		}
		rep.analytic(o, res)
	}
	if o.only["roundtrip"] {
		res, err := benchRoundTrips(ctx, o, lg, pg)
		if err != nil {
			return err
		}
		rep.roundTrips(o, res)
	}
	if o.only["pruning"] {
		res, err := benchPruning(ctx, o, ref, dir)
		if err != nil {
			return err
		}
		rep.pruning(o, res)
	}
	rep.footer(time.Since(start))
	return nil
}

// progress reports what the benchmark is doing on stderr.
func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s  %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// quote quotes s as a SQL string literal.
func quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
