package engine

import (
	"context"
	"math"
	"slices"
	"strconv"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/lakegate/lakegate/sqlstate"
)

// SQL cursors: DECLARE, FETCH, MOVE, CLOSE.
//
// A cursor is a suspended engine Portal: DECLARE binds the query, the
// first FETCH starts it (planning the lake files then, and reporting
// execution errors there, as PostgreSQL does), and each FETCH n resumes it
// for n rows, streamed straight to the client. Nothing is materialized, so cursors scan forward
// only: they behave like PostgreSQL's NO SCROLL cursors (which is also
// what PostgreSQL gives a cursor declared without SCROLL over a plan that
// cannot run backward), and SCROLL is refused.
//
// Cursors without HOLD end with their transaction. A WITH HOLD cursor
// outlives it; PostgreSQL materializes it at COMMIT, lakegate keeps
// streaming it, which needs nothing more since transactions are read-only
// and the portal holds its scans.

// Cursor options, as in PostgreSQL's parsenodes.h.
const (
	cursorBinary = 0x0001
	cursorScroll = 0x0002
	cursorHold   = 0x0020
)

// fetchAll is PostgreSQL's FETCH_ALL (LONG_MAX).
const fetchAll = math.MaxInt64

type cursor struct {
	name    string
	portal  *Portal
	columns []Column
	hold    bool
	// inTransaction marks a cursor declared in the open transaction
	// block: a rollback drops it even WITH HOLD.
	inTransaction bool
	// PostgreSQL's portalPos, atStart and atEnd.
	pos     int64
	atStart bool
	atEnd   bool
	// implicit marks a cursor declared in the implicit transaction block
	// of a simple Query message of several statements, which ends with
	// the message.
	implicit bool
	// failed marks a cursor whose query failed.
	failed bool
	// closed marks a cursor that CLOSE, a transaction end or a failure
	// dropped, so that a FETCH portal suspended on it cannot restart it.
	closed bool
}

// prepareDeclare describes DECLARE name CURSOR [WITH HOLD] FOR query. The
// query is prepared now, so that parameters of a DECLARE sent with the
// extended protocol are described and bound like the query's own.
func (s *Session) prepareDeclare(ctx context.Context, st *Statement, n *pg_query.DeclareCursorStmt) error {
	start, err := tokenEnd(st.source.sql, pg_query.Token_FOR)
	if err != nil {
		return err
	}
	inner := innerSource(st.source, start, len(st.source.sql))
	if inner.node != nil {
		if inner.node.GetSelectStmt() == nil {
			return refuseWrite(writeTag(inner.node))
		}
		if err := checkReadOnlyQuery(inner.node); err != nil {
			return err
		}
	}
	switch {
	case n.Options&cursorBinary != 0:
		return sqlstate.Errorf(sqlstate.FeatureNotSupported, "BINARY cursors are not supported by lakegate").
			WithHint("Declare the cursor without BINARY and request binary results in the extended protocol.")
	case n.Options&cursorScroll != 0:
		return sqlstate.Errorf(sqlstate.FeatureNotSupported, "SCROLL cursors are not supported by lakegate").
			WithHint("lakegate streams cursors without materializing them: declare the cursor without SCROLL; FETCH and MOVE forward work.")
	}
	query := &Statement{source: inner, tag: "SELECT"}
	if err := s.describeQuery(ctx, query, nil); err != nil {
		return err
	}
	st.tag = "DECLARE CURSOR"
	st.paramOIDs = query.paramOIDs
	name, hold := n.Portalname, n.Options&cursorHold != 0
	st.run = func(ctx context.Context, p *Portal, _ ResultWriter) (string, error) {
		s := p.session
		implicit := s.tx == TxIdle && s.implicitBlock
		if !hold && s.tx == TxIdle && !implicit {
			return "", sqlstate.Errorf(sqlstate.NoActiveSQLTransaction, "DECLARE CURSOR can only be used in transaction blocks")
		}
		if _, exists := s.cursors[name]; exists {
			return "", sqlstate.Errorf(sqlstate.DuplicateCursor, "cursor %q already exists", name)
		}
		qp, err := s.Bind(query, p.args)
		if err != nil {
			return "", err
		}
		if s.cursors == nil {
			s.cursors = map[string]*cursor{}
		}
		s.cursors[name] = &cursor{
			name: name, portal: qp, columns: query.columns, hold: hold,
			inTransaction: s.tx != TxIdle, implicit: implicit, atStart: true,
		}
		return "DECLARE CURSOR", nil
	}
	return nil
}

// prepareFetch describes FETCH and MOVE. FETCH returns the cursor's
// columns, known if the cursor exists now (PostgreSQL likewise describes a
// FETCH of a missing cursor as returning no rows); the cursor itself is
// looked up when the statement runs.
func (s *Session) prepareFetch(st *Statement, n *pg_query.FetchStmt) {
	verb := "FETCH"
	if n.Ismove {
		verb = "MOVE"
	} else if c := s.cursors[n.Portalname]; c != nil {
		st.columns = c.columns
	}
	st.tag = verb
	columns := st.columns
	st.run = func(ctx context.Context, p *Portal, w ResultWriter) (string, error) {
		s := p.session
		c := s.cursors[n.Portalname]
		if c == nil {
			return "", sqlstate.Errorf(sqlstate.InvalidCursorName, "cursor %q does not exist", n.Portalname)
		}
		if !n.Ismove && !sameColumns(columns, c.columns) {
			return "", sqlstate.Errorf(sqlstate.FeatureNotSupported, "cached plan must not change result type")
		}
		if n.Ismove {
			rows, err := c.fetch(ctx, n.Direction, n.HowMany, discard{})
			if err != nil {
				s.dropFailed(c)
				return "", err
			}
			return verb + " " + strconv.FormatInt(rows, 10), nil
		}
		rest, rows, err := c.position(ctx, n.Direction, n.HowMany, false)
		if err != nil {
			s.dropFailed(c)
			return "", err
		}
		if rest == 0 {
			return verb + " " + strconv.FormatInt(rows, 10), nil
		}
		// The rows the FETCH still returns, forward from here. An Execute
		// with a row limit sends at most that many of them and suspends;
		// the next Execute of the portal resumes (fetchRows).
		p.resume = func(ctx context.Context, w ResultWriter, maxRows int) (Completion, error) {
			return s.fetchRows(ctx, c, &rest, w, maxRows)
		}
		return "", nil
	}
}

// fetchRows sends the next rows of a FETCH that has rest rows left to
// read, at most maxRows (0: all), and moves the cursor by as many.
// PostgreSQL runs the whole FETCH at its first Execute and keeps the rows
// for the next; lakegate reads the cursor as the rows are sent, so a
// FETCH interleaved with a suspended one on the same cursor sees the rows
// the suspended one has not sent yet. The tag's count is the rows of this
// Execute, and reaching the row limit suspends the portal even when no
// row is left, as in PostgreSQL.
func (s *Session) fetchRows(ctx context.Context, c *cursor, rest *int64, w ResultWriter, maxRows int) (Completion, error) {
	count := *rest
	if maxRows > 0 && int64(maxRows) < count {
		count = int64(maxRows)
	}
	if count > 0 && c.closed {
		return Completion{}, sqlstate.Errorf(sqlstate.InvalidCursorName, "cursor %q does not exist", c.name)
	}
	rows, err := c.runSelect(ctx, true, count, w)
	if err != nil {
		s.dropFailed(c)
		return Completion{}, err
	}
	if *rest != fetchAll {
		*rest -= rows
	}
	if rows < count || c.atEnd {
		*rest = 0
	}
	if maxRows > 0 && rows == int64(maxRows) {
		return Completion{Suspended: true}, nil
	}
	return Completion{Tag: "FETCH " + strconv.FormatInt(rows, 10)}, nil
}

// dropFailed drops a cursor whose query failed: it cannot run again.
func (s *Session) dropFailed(c *cursor) {
	if c.failed {
		s.dropCursor(c.name)
	}
}

// Cursor is a SQL cursor used as a protocol-level portal: in PostgreSQL,
// DECLARE creates a portal of the cursor's name, which Describe and
// Execute messages can name.
type Cursor struct {
	session *Session
	c       *cursor
}

// Cursor returns the SQL cursor of that name, nil if there is none.
func (s *Session) Cursor(name string) *Cursor {
	if c := s.cursors[name]; c != nil {
		return &Cursor{session: s, c: c}
	}
	return nil
}

// Columns describes the cursor's rows. PostgreSQL describes them in text
// format, the cursor's portal having no result formats (even for a
// BINARY cursor).
func (cp *Cursor) Columns() []Column { return cp.c.columns }

// Execute sends the cursor's next rows, at most maxRows (0: all), which
// moves it as FETCH does. Its tag is SELECT with the rows of this
// Execute; reaching the row limit suspends it.
func (cp *Cursor) Execute(ctx context.Context, w ResultWriter, maxRows int) (Completion, error) {
	s, c := cp.session, cp.c
	if s.tx == TxFailed {
		return Completion{}, sqlstate.Errorf(sqlstate.InFailedSQLTransaction,
			"current transaction is aborted, commands ignored until end of transaction block")
	}
	if c.closed {
		return Completion{}, sqlstate.Errorf(sqlstate.InvalidCursorName, "portal %q does not exist", c.name)
	}
	count := int64(fetchAll)
	if maxRows > 0 {
		count = int64(maxRows)
	}
	rows, err := c.runSelect(ctx, true, count, w)
	if err != nil {
		s.dropFailed(c)
		return Completion{}, err
	}
	if maxRows > 0 && rows == int64(maxRows) {
		return Completion{Suspended: true}, nil
	}
	return Completion{Tag: "SELECT " + strconv.FormatInt(rows, 10)}, nil
}

// Close closes the cursor, as CLOSE does.
func (cp *Cursor) Close() {
	if cp.session.cursors[cp.c.name] == cp.c {
		cp.session.dropCursor(cp.c.name)
	}
}

func sameColumns(a, b []Column) bool {
	return slices.EqualFunc(a, b, func(x, y Column) bool { return x.Type == y.Type })
}

// prepareClose describes CLOSE name | ALL.
func prepareClose(st *Statement, n *pg_query.ClosePortalStmt) {
	st.run = func(_ context.Context, p *Portal, _ ResultWriter) (string, error) {
		s := p.session
		if n.Portalname == "" {
			s.closeCursors(func(*cursor) bool { return true })
			return "CLOSE CURSOR ALL", nil
		}
		if _, ok := s.cursors[n.Portalname]; !ok {
			return "", sqlstate.Errorf(sqlstate.InvalidCursorName, "cursor %q does not exist", n.Portalname)
		}
		s.dropCursor(n.Portalname)
		return "CLOSE CURSOR", nil
	}
}

func (s *Session) dropCursor(name string) {
	if c := s.cursors[name]; c != nil {
		c.close()
		delete(s.cursors, name)
	}
}

// closeCursors closes the cursors for which drop is true.
func (s *Session) closeCursors(drop func(*cursor) bool) {
	for name, c := range s.cursors {
		if drop(c) {
			c.close()
			delete(s.cursors, name)
		}
	}
}

// endTransactionCursors applies a transaction end to the cursors: those
// without HOLD close; WITH HOLD ones survive a commit, and a rollback
// drops those the transaction declared.
func (s *Session) endTransactionCursors(commit bool) {
	s.closeCursors(func(c *cursor) bool { return !c.hold || (!commit && c.inTransaction) })
	for _, c := range s.cursors {
		c.inTransaction = false
	}
}

// EndQueryMessage ends the implicit transaction block of a simple Query
// message: the cursors it declared without HOLD close, as at COMMIT.
func (s *Session) EndQueryMessage() {
	s.implicitBlock = false
	s.closeCursors(func(c *cursor) bool { return c.implicit && !c.hold })
	for _, c := range s.cursors {
		c.implicit = false
	}
}

// closeCursorsAtTransactionEnd makes COMMIT and ROLLBACK (prepared by
// prepareTransaction) end the transaction's cursors.
func closeCursorsAtTransactionEnd(st *Statement) {
	inner := st.command
	if !st.transactionEnd || inner == nil {
		return
	}
	st.command = func(s *Session, w ResultWriter) (string, error) {
		was := s.tx
		tag, err := inner(s, w)
		if err == nil && was != TxIdle && s.tx == TxIdle {
			s.endTransactionCursors(tag == "COMMIT")
		}
		return tag, err
	}
}

// discardCursorsAndStatements makes DISCARD ALL (prepared by
// prepareDiscard) also close every cursor and deallocate every SQL
// prepared statement, as PostgreSQL's does.
func discardCursorsAndStatements(st *Statement, d *pg_query.DiscardStmt) {
	inner := st.command
	if d.Target != pg_query.DiscardMode_DISCARD_ALL || inner == nil {
		return
	}
	st.command = func(s *Session, w ResultWriter) (string, error) {
		tag, err := inner(s, w)
		if err == nil {
			s.closeCursors(func(*cursor) bool { return true })
			s.sqlStatements = nil
		}
		return tag, err
	}
}

// discard drops the rows of a MOVE, and its notices, which have nowhere
// to go.
type discard struct{}

func (discard) WriteRows(*Chunk, int, int) error  { return nil }
func (discard) WriteNotice(*sqlstate.Error) error { return nil }

// counter counts the rows a runSelect sends to its sink.
type counter struct {
	out ResultWriter
	n   int64
}

func (c *counter) WriteRows(ch *Chunk, from, to int) error {
	c.n += int64(to - from)
	return c.out.WriteRows(ch, from, to)
}
func (c *counter) WriteNotice(n *sqlstate.Error) error { return c.out.WriteNotice(n) }

func (c *cursor) close() {
	c.closed = true
	c.portal.Close()
}

// fetch runs FETCH or MOVE with PostgreSQL's DoPortalRunFetch semantics
// for a cursor that can only scan forward, and returns the count of the
// command tag.
func (c *cursor) fetch(ctx context.Context, dir pg_query.FetchDirection, count int64, out ResultWriter) (int64, error) {
	_, isMove := out.(discard)
	rest, n, err := c.position(ctx, dir, count, isMove)
	if err != nil || rest == 0 {
		return n, err
	}
	return c.runSelect(ctx, true, rest, out)
}

// position does what fetch does before reading the rows it returns (the
// rows it skips, and the answers that read none) and returns how many rows
// are left to read forward; when none, n is the count of the command tag.
func (c *cursor) position(ctx context.Context, dir pg_query.FetchDirection, count int64, isMove bool) (rest, n int64, err error) {
	switch dir {
	case pg_query.FetchDirection_FETCH_FORWARD:
		if count < 0 {
			dir, count = pg_query.FetchDirection_FETCH_BACKWARD, -count
		}
	case pg_query.FetchDirection_FETCH_BACKWARD:
		if count < 0 {
			dir, count = pg_query.FetchDirection_FETCH_FORWARD, -count
		}
	case pg_query.FetchDirection_FETCH_ABSOLUTE:
		switch {
		case count > 0:
			if count-1 <= c.pos/2 {
				if err := c.rewind(); err != nil {
					return 0, 0, err
				}
				if count > 1 {
					if _, err := c.runSelect(ctx, true, count-1, discard{}); err != nil {
						return 0, 0, err
					}
				}
			} else {
				pos := c.pos
				if c.atEnd {
					pos++
				}
				if count <= pos {
					return 0, 0, errForwardOnly()
				} else if count > pos+1 {
					if _, err := c.runSelect(ctx, true, count-pos-1, discard{}); err != nil {
						return 0, 0, err
					}
				}
			}
			return 1, 0, nil
		case count < 0:
			if _, err := c.runSelect(ctx, true, fetchAll, discard{}); err != nil {
				return 0, 0, err
			}
			return 0, 0, errForwardOnly()
		default:
			if err := c.rewind(); err != nil {
				return 0, 0, err
			}
			return 0, 0, nil
		}
	case pg_query.FetchDirection_FETCH_RELATIVE:
		switch {
		case count > 0:
			if count > 1 {
				if _, err := c.runSelect(ctx, true, count-1, discard{}); err != nil {
					return 0, 0, err
				}
			}
			return 1, 0, nil
		case count < 0:
			return 0, 0, errForwardOnly()
		}
		dir = pg_query.FetchDirection_FETCH_FORWARD
	}
	forward := dir == pg_query.FetchDirection_FETCH_FORWARD
	if count == 0 {
		onRow := !c.atStart && !c.atEnd
		if isMove {
			if onRow {
				return 0, 1, nil
			}
			return 0, 0, nil
		}
		if onRow {
			return 0, 0, errForwardOnly() // re-fetching the current row backs up one
		}
	}
	if !forward && count == fetchAll && isMove {
		// MOVE BACKWARD ALL is a rewind.
		result := c.pos
		if result > 0 && !c.atEnd {
			result--
		}
		return 0, result, c.rewind()
	}
	if !forward {
		return 0, 0, errForwardOnly()
	}
	return max(count, 0), 0, nil
}

// runSelect is PortalRunSelect: it sends up to count rows (fetchAll: all)
// to out and moves the position.
func (c *cursor) runSelect(ctx context.Context, forward bool, count int64, out ResultWriter) (int64, error) {
	if !forward {
		return 0, errForwardOnly()
	}
	if c.atEnd || count <= 0 {
		return 0, nil
	}
	maxRows := 0
	if count != fetchAll {
		maxRows = int(min(count, math.MaxInt))
	}
	w := &counter{out: out}
	if _, err := c.portal.Execute(ctx, w, maxRows); err != nil {
		c.failed = true
		return 0, err
	}
	if w.n > 0 {
		c.atStart = false
	}
	if count == fetchAll || w.n < count {
		c.atEnd = true
	}
	c.pos += w.n
	return w.n, nil
}

// rewind is DoPortalRewind for a forward-only cursor: only a cursor that
// has not moved can go back to its start.
func (c *cursor) rewind() error {
	if c.atStart && !c.atEnd {
		return nil
	}
	return errForwardOnly()
}

func errForwardOnly() error {
	return sqlstate.Errorf(sqlstate.ObjectNotInPrerequisiteState, "cursor can only scan forward").
		WithHint("lakegate cursors stream their result without keeping it, so they cannot move backward.")
}
