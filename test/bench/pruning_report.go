package main

import (
	"fmt"
	"slices"
	"time"
)

func (r *report) pruning(o options, res *pruningResults) {
	r.printf("## 4. Pruning\n\n")
	r.printf("Hive-partitioned tables laid out as `part_id=N/data_0.parquet`, one Parquet file of %d rows × 9 columns (bigint ×2, double, integer, varchar ×2, timestamp, date, boolean) per partition, declared in a catalog file (`format: parquet`, `partitioning: hive`) and served by lakegate as cmd/lakegate serves a catalog. ", eventsRowsPerFile)
	r.printf("The reference is the embedded DuckDB running the same `SELECT count(*), sum(x) ... WHERE ...` over `read_parquet('<root>/**/*.parquet', hive_partitioning = true)` through `database/sql`, in process. ")
	r.printf("One warm-up, then N runs alternating between the two (N below); median (min). lakegate's files kept and planning time are from its `EXPLAIN` (median of N); the files read are DuckDB's `Total Files Read` in `EXPLAIN ANALYZE`, inside lakegate and for the glob.\n\n")
	r.printf("| table | files | bytes | written in | how | index build (`catalog.Open`) |\n|---|--:|--:|--:|---|--:|\n")
	for _, t := range res.tables {
		r.printf("| bench.%s | %s | %s | %s | %s | %s |\n", t.name, thousands(int64(t.files)), mib(t.bytes), seconds(t.generated), t.how, seconds(t.indexBuild))
	}
	r.printf("\n")
	for _, t := range res.tables {
		r.printf("bench.%s, %s partitions, N = %d:\n\n", t.name, thousands(int64(t.partitions)), t.runs)
		r.printf("| query | lakegate ms | DuckDB glob ms | DuckDB / lakegate | lakegate files kept | lakegate planning ms | files read: lakegate / glob | same result |\n|---|--:|--:|--:|--:|--:|---|---|\n")
		for _, c := range t.cases {
			lg, dk := median(c.lakegate), median(c.duckdb)
			same := "yes"
			if !c.same {
				same = "**no**"
			}
			r.printf("| %s | %s (%s) | %s (%s) | %s | %s of %s | %s | %s / %s | %s |\n", c.query.name,
				ms(lg), ms(slices.Min(c.lakegate)), ms(dk), ms(slices.Min(c.duckdb)),
				ratio(dk.Seconds(), lg.Seconds()), thousands(int64(c.kept)), thousands(int64(c.total)),
				msPrecise(median(c.planning)), c.lakegateReads, c.duckdbReads, same)
		}
		r.printf("\n<details><summary>queries</summary>\n\n")
		for _, c := range t.cases {
			r.printf("- %s: `%s`; DuckDB: `%s`; result `%s`\n", c.query.name, c.lakegateSQL, c.duckdbSQL, c.result)
		}
		r.printf("\n</details>\n\n")
	}
	r.pruningS3(o, res)
}

func (r *report) pruningS3(o options, res *pruningResults) {
	s := res.s3
	if s == nil {
		r.printf("On S3: not measured: %s.\n\n", res.s3Note)
		return
	}
	r.printf("On S3: the first %s partitions of bench.events uploaded to a versitygw (posix backend, loopback) started by the benchmark, served by lakegate as bench.events_s3 through the catalog's `s3:` section (endpoint, `path_style: true`, region) with credentials from `AWS_*` variables; kept files reach DuckDB through the file cache. DuckDB has no httpfs here, so this compares a cold and a warm lakegate. S3 requests are the catalog's count of HTTP requests sent (retries included).\n\n", thousands(int64(s.partitions)))
	r.printf("| | time | S3 requests | |\n|---|--:|--:|---|\n")
	r.printf("| upload (%d parallel PutObject) | %s | %s | %s |\n", s3Uploaders, seconds(s.upload), thousands(int64(s.partitions)), mib(s.bytes))
	r.printf("| index build (`catalog.Open`: listing, footers) | %s | %s | |\n", seconds(s.indexBuild), thousands(s.indexRequests))
	r.printf("| engine start (each view is bound with one file) | | %s | |\n", thousands(s.viewRequests))
	r.printf("| first query, cold file cache (the connection's first statement) | %s ms | %s | %s downloaded (%s) |\n", ms(s.first), thousands(s.firstRequests), plural(s.firstDownloads, "file"), size(s.firstBytes))
	r.printf("| repeated query, warm (median (min) of %d) | %s (%s) ms | %s per query | |\n", len(s.warm), ms(median(s.warm)), ms(slices.Min(s.warm)), perQuery(s.warmRequests, len(s.warm)))
	r.printf("| planning (`EXPLAIN`, median of %d; EXPLAIN prunes but fetches nothing) | %s ms | | %s of %s files kept |\n", len(s.planningWarm), msPrecise(median(s.planningWarm)), thousands(int64(s.kept)), thousands(int64(s.total)))
	r.printf("| first query of another partition (its file cold, the rest warm) | %s ms | %s | %s downloaded |\n", ms(s.cold), thousands(s.coldRequests), plural(s.coldDownloads, "file"))
	same := "yes"
	if !s.same {
		same = "**no**"
	}
	r.printf("\nFailed S3 requests: %d. Same result as DuckDB on the local files: %s. Query: `%s`.\n\n", s.errorRequests, same, s.query)
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }

func msPrecise(d time.Duration) string {
	return fmt.Sprintf("%.3f", float64(d)/float64(time.Millisecond))
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

func size(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return mib(n)
}

func plural(n int64, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return thousands(n) + " " + what + "s"
}

func perQuery(total int64, queries int) string {
	if queries == 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f", float64(total)/float64(queries))
}
