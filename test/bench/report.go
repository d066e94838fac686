package main

import (
	"fmt"
	"io"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// report writes the Markdown report, section by section as results come.
type report struct{ w io.Writer }

func (r *report) printf(format string, args ...any) { fmt.Fprintf(r.w, format, args...) }

func (r *report) header(o options, duckdbVersion, postgresVersion string, pgRunning bool) {
	threads := "all cores"
	if o.threads > 0 {
		threads = strconv.Itoa(o.threads)
	}
	r.printf("# lakegate benchmark\n\n")
	r.printf("| | |\n|---|---|\n")
	r.printf("| machine | %d logical CPUs, %s, %.1f GiB RAM, %s/%s |\n",
		runtime.NumCPU(), cpuModel(), float64(memTotalBytes())/(1<<30), runtime.GOOS, runtime.GOARCH)
	r.printf("| Go | %s |\n", runtime.Version())
	r.printf("| DuckDB | %s (lakegate's engine and the embedded reference), threads: %s |\n", duckdbVersion, threads)
	r.printf("| PostgreSQL | %s |\n", postgresVersion)
	r.printf("| options | `-rows %d -lineitem-rows %d -duration %v -threads %d -runs %d` |\n",
		o.rows, o.lineitemRows, o.duration, o.threads, o.runs)
	if o.only["pruning"] {
		r.printf("| pruning options | `-partitions %d -planning-files %d -s3-partitions %d -pruning-runs %d` |\n",
			o.partitions, o.planningFiles, o.s3Partitions, o.pruneRuns)
	}
	r.printf("| date | %s |\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	r.printf("| load average at start | %s |\n\n", loadAverage())
	r.printf("lakegate and the pgx client run in this process and share its CPUs and its garbage collector; ")
	if pgRunning {
		r.printf("PostgreSQL runs as separate processes on the same machine (trust auth, `fsync=off`, `shared_buffers` = RAM/4 up to 8 GiB, otherwise defaults); ")
	}
	r.printf("every client connects over TCP to 127.0.0.1 without TLS.\n\n")
}

func (r *report) wire(o options, res *wireResults) {
	r.printf("## 1. Wire throughput\n\n")
	r.printf("`SELECT *` of %s rows × 8 columns (bigint, integer, double, numeric(12,2), text of 10-20 characters, date, timestamp, boolean). lakegate reads them from a Parquet file (a view over `read_parquet`), PostgreSQL from a vacuumed heap table; the pgx v5 client counts rows with `rows.Next` and touches values with `rows.RawValues` (no client-side decoding). The embedded DuckDB reference runs the same query in process through `database/sql`, scanning each row into Go values: no network, no wire encoding. Median of %d runs after one warm-up.\n\n", thousands(int64(o.rows)), o.runs)
	r.printf("| system | format | median s | min s | rows/s (median) | value bytes/row |\n|---|---|--:|--:|--:|--:|\n")
	rate := map[string]float64{}
	for _, c := range res.cases {
		med := median(c.times)
		rps := float64(c.rows) / med.Seconds()
		rate[c.system+"/"+c.format] = rps
		perRow := "–"
		if c.bytes > 0 {
			perRow = fmt.Sprintf("%.1f", float64(c.bytes)/float64(c.rows))
		}
		r.printf("| %s | %s | %.2f | %.2f | %s | %s |\n", c.system, c.format, med.Seconds(), slices.Min(c.times).Seconds(), thousands(int64(rps)), perRow)
	}
	r.printf("\n| format | lakegate / PostgreSQL (rows/s) | lakegate / DuckDB embedded (rows/s) |\n|---|--:|--:|\n")
	duck := rate["DuckDB embedded (database/sql)/Go values"]
	for _, f := range formats {
		lg := rate["lakegate/"+f.name]
		r.printf("| %s | %s | %s |\n", f.name, ratio(lg, rate["PostgreSQL/"+f.name]), ratio(lg, duck))
	}
	if len(res.same) > 0 {
		r.printf("\nSame values on the wire (lakegate vs PostgreSQL, `ORDER BY id LIMIT 1000`):\n\n")
		for _, s := range res.same {
			r.printf("- %s\n", s)
		}
	}
	r.printf("\n")
}

func (r *report) analytic(o options, res []analyticCase) {
	r.printf("## 2. Analytical overhead\n\n")
	r.printf("TPC-H Q1 and Q6 over a generated Parquet lineitem of %s rows (TPC-H column types and value domains, values from integer hashing; no tpch extension). lakegate: pgx, default (binary) result format, every row read; embedded DuckDB: the same SQL on a view over the same file through `database/sql`, every row scanned. One warm-up each, then %d runs alternating between the two; median (min).\n\n", thousands(int64(o.lineitemRows)), analyticRuns)
	r.printf("| query | lakegate ms | DuckDB embedded ms | lakegate / DuckDB | rows | same result |\n|---|--:|--:|--:|--:|---|\n")
	for _, c := range res {
		lg, dk := median(c.lakegate), median(c.duckdb)
		same := "yes"
		if !c.same {
			same = "**no**"
		}
		r.printf("| %s | %s (%s) | %s (%s) | %.3f× | %d | %s |\n", c.name, ms(lg), ms(slices.Min(c.lakegate)), ms(dk), ms(slices.Min(c.duckdb)), lg.Seconds()/dk.Seconds(), c.rows, same)
	}
	r.printf("\n<details><summary>queries</summary>\n\n")
	for _, q := range tpchQueries {
		r.printf("%s: `%s`\n\n", q.name, trimSQL(fmt.Sprintf(q.sql, "lineitem")))
	}
	r.printf("</details>\n\n")
}

func (r *report) roundTrips(o options, res []roundTripCase) {
	r.printf("## 3. Small queries\n\n")
	r.printf("`SELECT $1::int` with pgx `QueryRow` and an int argument in pgx's default mode (statement prepared once per connection, then one Bind/Execute/Sync round trip per query), one connection per client, %v per measurement after 100 warm-up queries per connection.\n\n", o.duration)
	r.printf("| clients | lakegate queries/s | PostgreSQL queries/s | lakegate / PostgreSQL | lakegate mean latency | PostgreSQL mean latency |\n|--:|--:|--:|--:|--:|--:|\n")
	for _, clients := range concurrencies {
		var lg, pg *roundTripCase
		for i := range res {
			if res[i].clients != clients {
				continue
			}
			if res[i].system == "lakegate" {
				lg = &res[i]
			} else {
				pg = &res[i]
			}
		}
		if lg == nil {
			continue
		}
		pgRate, pgLat, rat := "–", "–", "–"
		if pg != nil {
			pgRate, pgLat = thousands(int64(pg.perSecond())), us(pg.meanLatency())
			rat = ratio(lg.perSecond(), pg.perSecond())
		}
		r.printf("| %d | %s | %s | %s | %s | %s |\n", clients, thousands(int64(lg.perSecond())), pgRate, rat, us(lg.meanLatency()), pgLat)
	}
	r.printf("\n")
}

func (r *report) footer(total time.Duration) {
	r.printf("Total benchmark time (including data generation and loading): %v. Load average at the end: %s.\n", total.Round(time.Second), loadAverage())
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func ratio(a, b float64) string {
	if a == 0 || b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond)) }

func us(d time.Duration) string { return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond)) }

// thousands formats n with comma separators.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, ch := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
