package engine

import pg_query "github.com/pganalyze/pg_query_go/v6"

// What a portal tells the query log and metrics about its statement.

// SQL is the text of the statement a Source holds.
func (src Source) SQL() string { return src.stmt.sql }

// Statement is the statement the portal runs.
func (p *Portal) Statement() *Statement { return p.stmt }

// RowsSent is how many rows the portal has sent over all its Executes.
func (p *Portal) RowsSent() int64 { return p.rows }

// Scans is what lake pruning kept of each table the portal's last start
// read; nil for a statement that reads none.
func (p *Portal) Scans() []ScanStats { return p.scans }

// recordScans keeps the pruning numbers of the portal's lake scans, which
// are released before the statement is logged.
func (p *Portal) recordScans() {
	p.scans = nil
	if p.lake == nil {
		return
	}
	for _, s := range p.lake.scans {
		p.scans = append(p.scans, ScanStats{
			Table:        s.Table.Schema + "." + s.Table.Name,
			FilesScanned: s.Kept.Files, FilesTotal: s.Total.Files,
			BytesScanned: s.Kept.Bytes, BytesTotal: s.Total.Bytes,
		})
	}
}

// Fingerprint identifies the statement's shape, the same whatever its
// constants (pg_query's fingerprint); empty if it does not parse. It is
// computed at the first call, not at every execution of the statement.
func (st *Statement) Fingerprint() string {
	if st.fingerprint == nil {
		fp := ""
		if st.source.node != nil && st.source.sql != "" {
			fp, _ = pg_query.Fingerprint(st.source.sql)
		}
		st.fingerprint = &fp
	}
	return *st.fingerprint
}

// RedactedSQL is the statement's text with its constants replaced by $n
// placeholders (pg_query's normalize). Text that does not parse cannot
// be redacted, so it is withheld.
func RedactedSQL(sql string) string {
	n, err := pg_query.Normalize(sql)
	if err != nil {
		return "<statement not redactable: it does not parse>"
	}
	return n
}
