package server

import (
	"context"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/lakegate/lakegate/engine"
	"github.com/lakegate/lakegate/sqlstate"
)

// statementRun follows one statement from its first Execute to its end,
// for the query log, the metrics, lakegate.query_history and
// pg_stat_activity.
type statementRun struct {
	sql   string
	start time.Time
	// sentBefore is the connection's byte count when the statement began.
	sentBefore int64
}

// beginStatement marks the session active running sql.
func (c *conn) beginStatement(sql string) *statementRun {
	c.session.BeginActivity(sql)
	return &statementRun{sql: sql, start: time.Now(), sentBefore: c.bytesWritten()}
}

// bytesWritten counts what the connection sent or has ready to send.
func (c *conn) bytesWritten() int64 { return c.sent.n.Load() + int64(len(c.out.buf)) }

// endStatement records a statement that finished, failed or was closed
// before its end: one query-log record, metrics, history. st and p may be
// nil when the statement failed before it was prepared or bound.
func (c *conn) endStatement(r *statementRun, st *engine.Statement, p *engine.Portal, done engine.Completion, err error) {
	c.session.EndActivity()
	rec := engine.QueryRecord{
		Start:           r.start,
		Duration:        time.Since(r.start),
		PID:             c.pid,
		User:            c.session.User(),
		Database:        c.session.Database(),
		ApplicationName: c.applicationName(),
		ClientAddr:      clientHost(c.netConn.RemoteAddr()),
		Query:           r.sql,
		Rows:            rowsOf(p, done),
		BytesSent:       c.bytesWritten() - r.sentBefore,
	}
	if st == nil && p != nil {
		st = p.Statement()
	}
	if st != nil {
		rec.Fingerprint = st.Fingerprint()
	}
	if p != nil {
		rec.Scans = p.Scans()
	}
	if err != nil && !isClientGone(err) {
		se := sqlstate.From(err)
		rec.SQLState, rec.Error = string(se.Code), se.Message
	}
	if c.server.RedactQueryLog {
		rec.Query = engine.RedactedSQL(r.sql)
	}
	c.server.Metrics.statement(&rec, statusOf(rec.SQLState))
	c.server.Engine.RecordQuery(rec)
	if log := c.server.QueryLog; log != nil {
		logStatement(log, &rec)
	}
}

// logStatement writes the query-log record of a statement.
func logStatement(log *slog.Logger, r *engine.QueryRecord) {
	attrs := []slog.Attr{
		slog.Time("start", r.Start),
		slog.Uint64("session", uint64(r.PID)),
		slog.String("user", r.User),
		slog.String("database", r.Database),
		slog.String("application_name", r.ApplicationName),
		slog.String("client", r.ClientAddr),
		slog.String("fingerprint", r.Fingerprint),
		slog.String("query", r.Query),
		slog.Float64("duration_ms", float64(r.Duration.Microseconds())/1000),
		slog.Int64("rows", r.Rows),
		slog.Int64("bytes_sent", r.BytesSent),
	}
	if len(r.Scans) > 0 {
		scans := make([]scanLog, len(r.Scans))
		for i, s := range r.Scans {
			scans[i] = scanLog{
				Table:        s.Table,
				FilesScanned: s.FilesScanned, FilesPruned: s.FilesTotal - s.FilesScanned, FilesTotal: s.FilesTotal,
				BytesScanned: s.BytesScanned, BytesPruned: s.BytesTotal - s.BytesScanned, BytesTotal: s.BytesTotal,
			}
		}
		attrs = append(attrs, slog.Any("lake", scans))
	}
	level := slog.LevelInfo
	if r.SQLState != "" {
		attrs = append(attrs, slog.String("sqlstate", r.SQLState), slog.String("error", r.Error))
	}
	log.LogAttrs(context.Background(), level, "statement", attrs...)
}

// scanLog is the query log's record of one lake table's pruning.
type scanLog struct {
	Table        string `json:"table"`
	FilesScanned int    `json:"files_scanned"`
	FilesPruned  int    `json:"files_pruned"`
	FilesTotal   int    `json:"files_total"`
	BytesScanned int64  `json:"bytes_scanned"`
	BytesPruned  int64  `json:"bytes_pruned"`
	BytesTotal   int64  `json:"bytes_total"`
}

// rowsOf is how many rows a statement sent: the portal's count, or the
// tag's (FETCH, COPY, statements lakegate answers itself).
func rowsOf(p *engine.Portal, done engine.Completion) int64 {
	var n int64
	if p != nil {
		n = p.RowsSent()
	}
	if i := strings.LastIndexByte(done.Tag, ' '); i >= 0 {
		if t, err := strconv.ParseInt(done.Tag[i+1:], 10, 64); err == nil && t > n {
			n = t
		}
	}
	return n
}

func (c *conn) applicationName() string {
	v, _ := c.session.Setting("application_name")
	return v
}

// clientHost is the client's IP address, or "" for a Unix socket.
func clientHost(a net.Addr) string {
	if tcp, ok := a.(*net.TCPAddr); ok {
		return tcp.IP.String()
	}
	return ""
}
