package engine

import (
	"context"
	"fmt"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/lakegate/lakegate/catalog"
)

// EXPLAIN answers as PostgreSQL does, one text column "QUERY PLAN" with a
// row per line: first what lake pruning kept of each table, then DuckDB's
// own plan (or profile, for EXPLAIN ANALYZE). The lines are produced when
// the portal starts, after pruning with the bound parameters, and stream
// back through a generated DuckDB SELECT like every other result.

var explainColumns = []Column{{Name: "QUERY PLAN", Type: typeText}}

// explainQuery runs DuckDB's EXPLAIN (the statement's own text) on c and
// returns the SELECT that yields the plan lines.
func (p *Portal) explainQuery(ctx context.Context, c *duckConn) (string, error) {
	var lines []string
	if p.lake != nil {
		for _, s := range p.lake.scans {
			lines = append(lines, scanSummary(s))
		}
	}
	ds, err := c.prepare(p.sql)
	if err != nil {
		return "", err
	}
	defer ds.close()
	if err := ds.bind(p.args); err != nil {
		return "", err
	}
	res, err := ds.execute(ctx, c)
	if err != nil {
		return "", err
	}
	defer res.close()
	var chunk Chunk
	for {
		ok, err := res.next(ctx, c, &chunk)
		if err != nil {
			return "", err
		}
		if !ok {
			break
		}
		plan := &chunk.Columns[len(chunk.Columns)-1] // explain_value
		for r := range chunk.Len {
			if !plan.IsNull(r) {
				lines = append(lines, strings.Split(strings.TrimRight(string(plan.Bytes(r)), "\n"), "\n")...)
			}
		}
	}
	quoted := make([]string, len(lines))
	for i, l := range lines {
		quoted[i] = quoteLiteral(l)
	}
	return `SELECT unnest([` + strings.Join(quoted, ", ") + `]::VARCHAR[]) AS "QUERY PLAN"`, nil
}

// scanSummary is the plan line of one lake table.
func scanSummary(s *catalog.Scan) string {
	line := fmt.Sprintf("Lake Scan on %s.%s: %d of %d files, %s of %s (planned in %.3f ms)",
		s.Table.Schema, s.Table.Name, s.Kept.Files, s.Total.Files,
		formatBytes(s.Kept.Bytes), formatBytes(s.Total.Bytes), float64(s.Planning.Microseconds())/1000)
	if s.Estimated && s.Kept.Files != len(s.Paths) {
		line += "; DuckDB's plan below is of one file, since EXPLAIN without ANALYZE fetches none"
	}
	return line
}

// explainAnalyze reports whether EXPLAIN runs the query (ANALYZE).
func explainAnalyze(e *pg_query.ExplainStmt) bool {
	for _, o := range e.GetOptions() {
		if d := o.GetDefElem(); d != nil && strings.EqualFold(d.Defname, "analyze") {
			if b := d.GetArg().GetBoolean(); b != nil {
				return b.Boolval
			}
			if s := d.GetArg().GetString_(); s != nil {
				return !strings.EqualFold(s.Sval, "false") && !strings.EqualFold(s.Sval, "off")
			}
			return true
		}
	}
	return false
}

// formatBytes writes a size as PostgreSQL's pg_size_pretty does.
func formatBytes(n int64) string {
	units := []string{"bytes", "kB", "MB", "GB", "TB"}
	v, u := n, 0
	for u < len(units)-1 && abs64(v) >= 10*1024 {
		v = (v + 512) / 1024 // pg_size_pretty rounds half up at each step
		u++
	}
	return fmt.Sprintf("%d %s", v, units[u])
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}
