package server

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/lakegate/lakegate/engine"
)

// Metrics are the server's Prometheus metrics: statements, their results
// and the lake pruning they did, and refused logins. A nil *Metrics counts
// nothing. Gauges the server does not own (connections, cache, DuckDB
// memory, S3) are registered by the command that wires the pieces.
type Metrics struct {
	queries      *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	rows         prometheus.Counter
	bytesSent    prometheus.Counter
	files        *prometheus.CounterVec
	bytes        *prometheus.CounterVec
	authFailures prometheus.Counter
}

// NewMetrics creates the metrics and registers them with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		queries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lakegate_queries_total",
			Help: "Statements run, by status (ok, error, canceled) and user.",
		}, []string{"status", "user"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "lakegate_query_duration_seconds",
			Help:    "Statement run time, from the start of its execution to its last row, by status.",
			Buckets: []float64{.001, .005, .01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300},
		}, []string{"status"}),
		rows: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "lakegate_rows_returned_total",
			Help: "Rows sent to clients.",
		}),
		bytesSent: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "lakegate_bytes_sent_total",
			Help: "Bytes of statement results sent to clients (protocol messages included).",
		}),
		files: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lakegate_lake_files_total",
			Help: "Lake files considered by statements, by table and outcome: scanned (kept by pruning) or pruned.",
		}, []string{"table", "outcome"}),
		bytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lakegate_lake_bytes_total",
			Help: "Bytes of lake files considered by statements, by table and outcome: scanned (kept by pruning) or pruned.",
		}, []string{"table", "outcome"}),
		authFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "lakegate_auth_failures_total",
			Help: "Logins refused.",
		}),
	}
	reg.MustRegister(m.queries, m.duration, m.rows, m.bytesSent, m.files, m.bytes, m.authFailures)
	return m
}

// statement counts one finished statement.
func (m *Metrics) statement(r *engine.QueryRecord, status string) {
	if m == nil {
		return
	}
	m.queries.WithLabelValues(status, r.User).Inc()
	m.duration.WithLabelValues(status).Observe(r.Duration.Seconds())
	m.rows.Add(float64(r.Rows))
	m.bytesSent.Add(float64(r.BytesSent))
	for _, s := range r.Scans {
		m.files.WithLabelValues(s.Table, "scanned").Add(float64(s.FilesScanned))
		m.files.WithLabelValues(s.Table, "pruned").Add(float64(s.FilesTotal - s.FilesScanned))
		m.bytes.WithLabelValues(s.Table, "scanned").Add(float64(s.BytesScanned))
		m.bytes.WithLabelValues(s.Table, "pruned").Add(float64(s.BytesTotal - s.BytesScanned))
	}
}

// authFailed counts a refused login.
func (m *Metrics) authFailed() {
	if m != nil {
		m.authFailures.Inc()
	}
}

// statusOf is a statement's status label.
func statusOf(sqlState string) string {
	switch sqlState {
	case "":
		return "ok"
	case "57014", "57P01":
		return "canceled"
	}
	return "error"
}
