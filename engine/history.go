package engine

import (
	"sync"
	"time"
)

// QueryRecord is what is known of one finished statement: the query log's
// record and a row of lakegate.query_history.
type QueryRecord struct {
	Start           time.Time
	Duration        time.Duration
	PID             uint32
	User            string
	Database        string
	ApplicationName string
	ClientAddr      string
	// Fingerprint identifies the statement's shape (pg_query's
	// fingerprint: the same for any constants); empty if it did not parse.
	Fingerprint string
	// Query is the statement's text, with constants replaced by $n when
	// the log is redacted.
	Query     string
	Rows      int64
	BytesSent int64
	Scans     []ScanStats
	// SQLState is the error's code; empty for success.
	SQLState string
	Error    string
}

// ScanStats is what pruning kept of one lake table for one statement.
type ScanStats struct {
	Table                    string
	FilesScanned, FilesTotal int
	BytesScanned, BytesTotal int64
}

// queryHistory keeps the last records, oldest first once full.
type queryHistory struct {
	mu      sync.Mutex
	records []QueryRecord
	next    int
	limit   int
	// version counts additions, so the DuckDB table is refilled only when
	// something changed.
	version uint64
}

// defaultQueryHistory is how many statements lakegate.query_history keeps
// unless SetQueryHistorySize says otherwise.
const defaultQueryHistory = 1000

// SetQueryHistorySize sets how many statements lakegate.query_history
// keeps; 0 keeps none.
func (e *Engine) SetQueryHistorySize(n int) {
	h := &e.ops.history
	h.mu.Lock()
	defer h.mu.Unlock()
	h.limit = max(n, 0)
	old := h.ordered()
	h.records, h.next = nil, 0
	for _, r := range old[max(0, len(old)-h.limit):] {
		h.addLocked(r)
	}
	h.version++
}

// RecordQuery adds a finished statement to lakegate.query_history.
func (e *Engine) RecordQuery(r QueryRecord) {
	h := &e.ops.history
	h.mu.Lock()
	defer h.mu.Unlock()
	h.addLocked(r)
	h.version++
}

func (h *queryHistory) addLocked(r QueryRecord) {
	if h.limit == 0 {
		return
	}
	if len(h.records) < h.limit {
		h.records = append(h.records, r)
		return
	}
	h.records[h.next] = r
	h.next = (h.next + 1) % h.limit
}

// ordered returns the records oldest first; h.mu must be held.
func (h *queryHistory) ordered() []QueryRecord {
	out := make([]QueryRecord, 0, len(h.records))
	out = append(out, h.records[h.next:]...)
	return append(out, h.records[:h.next]...)
}

// QueryHistory returns the kept records, oldest first, and their version.
func (e *Engine) QueryHistory() ([]QueryRecord, uint64) {
	h := &e.ops.history
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.ordered(), h.version
}
