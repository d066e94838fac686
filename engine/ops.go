package engine

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// opsState is the engine's operational state: the sessions for
// pg_stat_activity and signals, the query history, and who may signal
// anyone's session.
type opsState struct {
	registry sessionRegistry
	history  queryHistory
	admins   atomic.Pointer[[]string]
	// syncMu serializes refills of the snapshot tables; historySynced is
	// the history version the table holds.
	syncMu        sync.Mutex
	historySynced uint64
}

// opsSchema holds lakegate's own system views: CALL lakegate.refresh()
// and lakegate.query_history.
const opsSchema = "lakegate"

// queryHistoryTable holds lakegate.query_history's rows, refilled from the
// engine's history before a statement that names it runs. It is one of the
// layer's lakegate_* relations, which clients may not read directly: the
// view shows users their own statements, and admins everyone's.
const queryHistoryTable = layerSchema + ".lakegate_query_history_rows"

func installOps(c *duckConn) error {
	for _, stmt := range []string{
		"CREATE SCHEMA IF NOT EXISTS " + opsSchema,
		`CREATE TABLE ` + queryHistoryTable + ` (
			query_start TIMESTAMPTZ, duration_ms DOUBLE, pid INTEGER, usename VARCHAR,
			datname VARCHAR, application_name VARCHAR, client_addr VARCHAR,
			fingerprint VARCHAR, query VARCHAR, rows BIGINT, bytes_sent BIGINT,
			files_scanned BIGINT, files_total BIGINT, bytes_scanned BIGINT, bytes_total BIGINT,
			tables VARCHAR[], sqlstate VARCHAR, error VARCHAR)`,
		`CREATE VIEW ` + opsSchema + `.query_history AS SELECT * FROM ` + queryHistoryTable + `
			WHERE coalesce(getvariable('lakegate_viewer_admin'), false) OR usename = getvariable('lakegate_viewer')`,
	} {
		if err := c.exec(stmt); err != nil {
			return err
		}
	}
	return nil
}

// SetAdmins names the users who may cancel and terminate any session; the
// others may signal only their own.
func (e *Engine) SetAdmins(users []string) {
	list := append([]string(nil), users...)
	e.ops.admins.Store(&list)
}

func (e *Engine) isAdmin(user string) bool {
	list := e.ops.admins.Load()
	if list == nil {
		return false
	}
	for _, a := range *list {
		if a == user {
			return true
		}
	}
	return false
}

// snapshotViews says which Go-fed relations a statement reads.
type snapshotViews struct {
	activity, history bool
}

// snapshotsIn finds the names of the Go-fed relations among a statement's
// identifier tokens. A false match only costs a refill.
func snapshotsIn(sql string) snapshotViews {
	var v snapshotViews
	lower := strings.ToLower(sql)
	if !strings.Contains(lower, "pg_stat_activity") && !strings.Contains(lower, "query_history") {
		return v
	}
	res, err := pg_query.Scan(sql)
	if err != nil {
		return snapshotViews{activity: true, history: true}
	}
	for _, tok := range res.Tokens {
		switch identifierText(sql[tok.Start:tok.End]) {
		case "pg_stat_activity":
			v.activity = true
		case "query_history":
			v.history = true
		}
	}
	return v
}

// refreshSnapshots refills the tables behind the relations v names.
func (e *Engine) refreshSnapshots(ctx context.Context, v snapshotViews) error {
	if !v.activity && !v.history {
		return nil
	}
	c, err := e.pool.get()
	if err != nil {
		return err
	}
	defer e.pool.put(c)
	e.ops.syncMu.Lock()
	defer e.ops.syncMu.Unlock()
	if v.activity {
		if err := fillTable(c, layerSchema+".lakegate_activity_rows", activityRows(e.Activity())); err != nil {
			return err
		}
	}
	if v.history {
		records, version := e.QueryHistory()
		if version != e.ops.historySynced {
			if err := fillTable(c, queryHistoryTable, historyRows(records)); err != nil {
				return err
			}
			e.ops.historySynced = version
		}
	}
	return ctx.Err()
}

// fillTable replaces a table's rows in one transaction, so a concurrent
// reader sees either the old rows or the new.
func fillTable(c *duckConn, table string, rows []string) error {
	var b strings.Builder
	b.WriteString("BEGIN; DELETE FROM " + table + ";")
	const batch = 500
	for i := 0; i < len(rows); i += batch {
		b.WriteString(" INSERT INTO " + table + " VALUES ")
		b.WriteString(strings.Join(rows[i:min(i+batch, len(rows))], ", "))
		b.WriteString(";")
	}
	b.WriteString(" COMMIT")
	if err := c.exec(b.String()); err != nil {
		c.exec("ROLLBACK")
		return err
	}
	return nil
}

func activityRows(acts []Activity) []string {
	rows := make([]string, len(acts))
	for i, a := range acts {
		port := "NULL"
		if a.ClientAddr != "" {
			port = itoa(int64(a.ClientPort))
		}
		query := quoteLiteral(a.Query) // empty before the first, as PostgreSQL
		rows[i] = "(" + strings.Join([]string{
			itoa(int64(a.PID)), quoteLiteral(a.Database), quoteLiteral(a.User),
			quoteLiteral(a.ApplicationName), nullableText(a.ClientAddr), port,
			timestampLiteral(a.BackendStart), timestampLiteral(a.XactStart),
			timestampLiteral(a.QueryStart), timestampLiteral(a.StateChange),
			quoteLiteral(a.State), query, itoa(a.RowsSent),
		}, ", ") + ")"
	}
	return rows
}

func historyRows(records []QueryRecord) []string {
	rows := make([]string, len(records))
	for i, r := range records {
		var scanned, total int
		var bytesScanned, bytesTotal int64
		tables := make([]string, len(r.Scans))
		for j, s := range r.Scans {
			scanned += s.FilesScanned
			total += s.FilesTotal
			bytesScanned += s.BytesScanned
			bytesTotal += s.BytesTotal
			tables[j] = quoteLiteral(s.Table)
		}
		rows[i] = "(" + strings.Join([]string{
			timestampLiteral(r.Start), strconv.FormatFloat(float64(r.Duration.Microseconds())/1000, 'f', 3, 64),
			itoa(int64(r.PID)), quoteLiteral(r.User), quoteLiteral(r.Database),
			quoteLiteral(r.ApplicationName), nullableText(r.ClientAddr),
			nullableText(r.Fingerprint), quoteLiteral(r.Query), itoa(r.Rows), itoa(r.BytesSent),
			itoa(int64(scanned)), itoa(int64(total)), itoa(bytesScanned), itoa(bytesTotal),
			"[" + strings.Join(tables, ", ") + "]::VARCHAR[]",
			nullableText(r.SQLState), nullableText(r.Error),
		}, ", ") + ")"
	}
	return rows
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func nullableText(s string) string {
	if s == "" {
		return "NULL"
	}
	return quoteLiteral(s)
}

func timestampLiteral(t time.Time) string {
	if t.IsZero() {
		return "NULL"
	}
	return "TIMESTAMPTZ '" + t.UTC().Format("2006-01-02 15:04:05.999999") + "+00'"
}

// MemoryInUse is the memory DuckDB's buffer manager holds, in bytes
// (duckdb_memory()).
func (e *Engine) MemoryInUse(ctx context.Context) (int64, error) {
	return e.queryInt(ctx, "SELECT CAST(COALESCE(sum(memory_usage_bytes), 0) AS BIGINT) FROM duckdb_memory()")
}

// Ping checks that DuckDB answers a query.
func (e *Engine) Ping(ctx context.Context) error {
	_, err := e.queryInt(ctx, "SELECT CAST(1 AS BIGINT)")
	return err
}

// queryInt runs a query of one BIGINT on a pooled connection.
func (e *Engine) queryInt(ctx context.Context, sql string) (int64, error) {
	c, err := e.pool.get()
	if err != nil {
		return 0, err
	}
	defer e.pool.put(c)
	ds, err := c.prepare(sql)
	if err != nil {
		return 0, err
	}
	defer ds.close()
	res, err := ds.execute(ctx, c)
	if err != nil {
		return 0, err
	}
	defer res.close()
	var chunk Chunk
	ok, err := res.next(ctx, c, &chunk)
	if err != nil || !ok || chunk.Len == 0 {
		return 0, err
	}
	return chunk.Columns[0].Int(0), nil
}
