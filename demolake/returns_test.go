package demolake

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	iceio "github.com/apache/iceberg-go/io"
	"github.com/apache/iceberg-go/table"

	"github.com/lakegate/lakegate/catalog"
)

// snapshotSummary is one snapshot of demo.returns as iceberg-go, an
// independent reader, sees it: its operation, its rows and a digest of
// them that ignores their order.
type snapshotSummary struct {
	Operation string
	Rows      int
	Digest    string
}

func (s snapshotSummary) String() string {
	return fmt.Sprintf("%s of %d rows (%.12s)", s.Operation, s.Rows, s.Digest)
}

// loadReturns opens demo.returns of the lake at dir with iceberg-go, from
// the metadata file its version hint names.
func loadReturns(t *testing.T, dir string) *table.Table {
	t.Helper()
	metaDir := filepath.Join(dir, returnsDir, "metadata")
	hint, err := os.ReadFile(filepath.Join(metaDir, "version-hint.text"))
	if err != nil {
		t.Fatal(err)
	}
	loc := filepath.Join(metaDir, "v"+strings.TrimSpace(string(hint))+".metadata.json")
	fsF := func(context.Context) (iceio.IO, error) { return iceio.LocalFS{}, nil }
	tbl, err := table.NewFromLocation(context.Background(), table.Identifier{"demo", returnsDir}, loc, fsF, nil)
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}

// returnsHistory reads every snapshot of demo.returns, oldest first.
func returnsHistory(t *testing.T, dir string) []snapshotSummary {
	t.Helper()
	tbl := loadReturns(t, dir)
	snaps := slices.Clone(tbl.Metadata().Snapshots())
	slices.SortFunc(snaps, func(a, b table.Snapshot) int { return int(a.SequenceNumber - b.SequenceNumber) })
	var out []snapshotSummary
	for _, snap := range snaps {
		_, batches, err := tbl.Scan(table.WithSnapshotID(snap.SnapshotID)).ToArrowRecords(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for batch, err := range batches {
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := array.RecordToJSON(batch, &buf); err != nil {
				t.Fatal(err)
			}
			batch.Release()
			lines = append(lines, strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")...)
		}
		slices.Sort(lines)
		sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
		op := ""
		if snap.Summary != nil {
			op = string(snap.Summary.Operation)
		}
		out = append(out, snapshotSummary{Operation: op, Rows: len(lines), Digest: hex.EncodeToString(sum[:])})
	}
	return out
}

// checkReturns checks demo.returns (a view in db beside sales) and its
// history against the sales it is derived from.
func checkReturns(t *testing.T, db *sql.DB, dir string, tb *catalog.Table) {
	returnLines := queryInt(t, db, "SELECT count(*) FROM sales WHERE is_return")
	firstHalf := queryInt(t, db, "SELECT count(*) FROM sales WHERE is_return AND sale_date < DATE '"+returnsSplit+"'")
	current := queryInt(t, db, "SELECT count(*) FROM returns")
	voided := returnLines - current
	if voided <= 0 || voided > returnLines/10 {
		t.Errorf("%d of %d return lines deleted as %q; want a few percent", voided, returnLines, voidedReason)
	}

	t.Run("history", func(t *testing.T) {
		history := returnsHistory(t, dir)
		t.Logf("history: %v", history)
		want := []struct {
			op   string
			rows int64
		}{{"append", firstHalf}, {"append", returnLines}, {"delete", current}}
		if len(history) != len(want) {
			t.Fatalf("snapshots %v, want %d", history, len(want))
		}
		for i, w := range want {
			if history[i].Operation != w.op || int64(history[i].Rows) != w.rows {
				t.Errorf("snapshot %d is %v, want %s of %d rows", i+1, history[i], w.op, w.rows)
			}
		}
	})

	t.Run("values", func(t *testing.T) {
		checks := []struct {
			name  string
			query string // counts violations
		}{
			{"each return is a return line of sales, with its time, store, product, units and total", `
				SELECT count(*) FROM returns r LEFT JOIN sales s USING (sale_id)
				WHERE s.sale_id IS NULL OR NOT s.is_return OR r.returned_at <> s.sold_at OR r.store_id <> s.store_id
				   OR r.product_id <> s.product_id OR r.quantity <> -s.quantity OR r.refund <> -s.total`},
			{"return_id unique", "SELECT count(*) - count(DISTINCT return_id) FROM returns"},
			{"return_id rises with sale_id", "SELECT count(*) FROM (SELECT return_id - lag(return_id) OVER (ORDER BY sale_id) AS step FROM returns) WHERE step <= 0"},
			{"voided returns deleted", "SELECT count(*) FROM returns WHERE reason = '" + voidedReason + "'"},
			{"six reasons remain", "SELECT 6 - count(DISTINCT reason) FROM returns"},
			{"defective and damaged goods are not restocked", "SELECT count(*) FROM returns WHERE restocked AND reason IN ('defective', 'damaged')"},
			{"some goods restocked", "SELECT (count(*) FILTER (WHERE restocked) NOT BETWEEN 1 AND count(*) - 1)::INT FROM returns"},
			{"positive units and refunds", "SELECT count(*) FROM returns WHERE quantity <= 0 OR refund <= 0"},
			{"returns of 2024", "SELECT count(*) FROM returns WHERE returned_at < TIMESTAMP '2024-01-01' OR returned_at >= TIMESTAMP '2025-01-01'"},
		}
		for _, c := range checks {
			if n := queryInt(t, db, c.query); n != 0 {
				t.Errorf("%s: %d violations\n%s", c.name, n, c.query)
			}
		}
	})

	t.Run("pruning", func(t *testing.T) {
		// month(returned_at) partitions: June is one file of twelve.
		june := catalog.Filter{
			{Column: "returned_at", Op: catalog.OpGe, Values: []catalog.Value{catalog.Timestamp(time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC))}},
			{Column: "returned_at", Op: catalog.OpLt, Values: []catalog.Value{catalog.Timestamp(time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC))}},
		}
		scan, err := tb.Plan(context.Background(), []catalog.Filter{june})
		if err != nil {
			t.Fatal(err)
		}
		defer scan.Release()
		if scan.Kept.Files != 1 || scan.Total.Files != 12 {
			t.Errorf("June reads %d of %d files, want 1 of 12", scan.Kept.Files, scan.Total.Files)
		}
	})

	t.Run("locations", func(t *testing.T) {
		// The metadata names the installed lake, not the temporary
		// directory it was written in, so any Iceberg reader finds the
		// files (loadReturns reads them through iceberg-go's own file
		// system).
		if got, want := loadReturns(t, dir).Location(), fileURI(filepath.Join(dir, returnsDir)); got != want {
			t.Errorf("table location %s, want %s", got, want)
		}
		err := filepath.WalkDir(filepath.Join(dir, returnsDir, "metadata"), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if bytes.Contains(data, []byte(tempPrefix(filepath.Base(dir)))) {
				t.Errorf("%s mentions the temporary directory", path)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// compareReturns checks that two generations wrote the same demo.returns.
// Only rows can be compared: iceberg-go names files and snapshots with
// random UUIDs and stamps commits with the clock, with no option to fix
// them, so the table's bytes differ between any two generations.
func compareReturns(t *testing.T, dir, other string) {
	t.Helper()
	first, second := returnsHistory(t, dir), returnsHistory(t, other)
	if !slices.Equal(first, second) {
		t.Errorf("demo.returns differs between two generations:\n%v\n%v", first, second)
	}
}

// isReturnsFile tells the Iceberg table's files, compared by compareReturns,
// from the files compared byte for byte.
func isReturnsFile(rel string) bool {
	return strings.HasPrefix(rel, returnsDir+"/")
}
