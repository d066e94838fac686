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
		var out ResultWriter = discard{}
		if !n.Ismove {
			out = w
		}
		rows, err := c.fetch(ctx, n.Direction, n.HowMany, out)
		if err != nil {
			if c.failed {
				s.dropCursor(c.name) // its query failed: it cannot run again
			}
			return "", err
		}
		return verb + " " + strconv.FormatInt(rows, 10), nil
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
		c.portal.Close()
		delete(s.cursors, name)
	}
}

// closeCursors closes the cursors for which drop is true.
func (s *Session) closeCursors(drop func(*cursor) bool) {
	for name, c := range s.cursors {
		if drop(c) {
			c.portal.Close()
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

// fetch runs FETCH or MOVE with PostgreSQL's DoPortalRunFetch semantics
// for a cursor that can only scan forward, and returns the count of the
// command tag.
func (c *cursor) fetch(ctx context.Context, dir pg_query.FetchDirection, count int64, out ResultWriter) (int64, error) {
	_, isMove := out.(discard)
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
					return 0, err
				}
				if count > 1 {
					if _, err := c.runSelect(ctx, true, count-1, discard{}); err != nil {
						return 0, err
					}
				}
			} else {
				pos := c.pos
				if c.atEnd {
					pos++
				}
				if count <= pos {
					return 0, errForwardOnly()
				} else if count > pos+1 {
					if _, err := c.runSelect(ctx, true, count-pos-1, discard{}); err != nil {
						return 0, err
					}
				}
			}
			return c.runSelect(ctx, true, 1, out)
		case count < 0:
			if _, err := c.runSelect(ctx, true, fetchAll, discard{}); err != nil {
				return 0, err
			}
			return 0, errForwardOnly()
		default:
			if err := c.rewind(); err != nil {
				return 0, err
			}
			return c.runSelect(ctx, true, 0, out)
		}
	case pg_query.FetchDirection_FETCH_RELATIVE:
		switch {
		case count > 0:
			if count > 1 {
				if _, err := c.runSelect(ctx, true, count-1, discard{}); err != nil {
					return 0, err
				}
			}
			return c.runSelect(ctx, true, 1, out)
		case count < 0:
			return 0, errForwardOnly()
		}
		dir = pg_query.FetchDirection_FETCH_FORWARD
	}
	forward := dir == pg_query.FetchDirection_FETCH_FORWARD
	if count == 0 {
		onRow := !c.atStart && !c.atEnd
		if isMove {
			if onRow {
				return 1, nil
			}
			return 0, nil
		}
		if onRow {
			return 0, errForwardOnly() // re-fetching the current row backs up one
		}
	}
	if !forward && count == fetchAll && isMove {
		// MOVE BACKWARD ALL is a rewind.
		result := c.pos
		if result > 0 && !c.atEnd {
			result--
		}
		return result, c.rewind()
	}
	return c.runSelect(ctx, forward, count, out)
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
