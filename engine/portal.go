package engine

import (
	"context"
	"errors"
	"strconv"

	"github.com/lakegate/lakegate/sqlstate"
)

// ResultWriter receives what a portal produces. The wire server implements
// it; rows arrive as windows of DuckDB chunks so that they can be encoded
// straight from DuckDB's memory.
type ResultWriter interface {
	// WriteRows sends rows [from, to) of c.
	WriteRows(c *Chunk, from, to int) error
	// WriteNotice sends a warning or notice.
	WriteNotice(n *sqlstate.Error) error
}

// Completion is how an Execute ended.
type Completion struct {
	// Tag is the CommandComplete tag, e.g. "SELECT 42" or "BEGIN".
	Tag string
	// Suspended means the row limit was reached before the end of the
	// result: Execute again to resume.
	Suspended bool
	// Empty means the statement was empty (EmptyQueryResponse).
	Empty bool
}

// Portal is a statement with its parameter values, ready to execute and,
// once started, the position of its result.
type Portal struct {
	session *Session
	stmt    *Statement
	args    []any
	sql     string

	conn   *duckConn
	lake   *lakeScans
	owned  *duckStmt // a statement prepared for this portal alone
	result *duckResult
	chunk  Chunk
	pos    int // next row of chunk to send
	rows   int64
	done   bool
	// scans are the pruning numbers of the last start (portal_stats.go).
	scans []ScanStats
	// resume continues a FETCH that returns rows (cursor.go): each
	// Execute of its portal sends the next of them.
	resume func(ctx context.Context, w ResultWriter, maxRows int) (Completion, error)
}

// Bind creates a portal. Parameter values are nil (NULL), strings (text
// format; DuckDB casts them to the parameter's type), []byte, bool, int16,
// int32, int64, float32 or float64.
func (s *Session) Bind(st *Statement, args []any) (*Portal, error) {
	if st.command == nil && !st.Empty() && len(args) != len(st.paramOIDs) {
		return nil, sqlstate.Errorf(sqlstate.ProtocolViolation,
			"bind message supplies %d parameters, but prepared statement requires %d", len(args), len(st.paramOIDs))
	}
	if st.executes {
		args = st.boundArgs
	}
	p := &Portal{session: s, stmt: st, args: args, sql: st.source.sql}
	if st.query != nil {
		q, err := st.query(s)
		if err != nil {
			return nil, err
		}
		p.sql = q
	}
	return p, nil
}

// Columns describes the rows the portal returns; nil if none.
func (p *Portal) Columns() []Column { return p.stmt.columns }

// Execute runs the portal, or resumes it, sending at most maxRows rows
// (0 means all).
func (p *Portal) Execute(ctx context.Context, w ResultWriter, maxRows int) (Completion, error) {
	s := p.session
	st := p.stmt
	if st.Empty() {
		return Completion{Empty: true}, nil
	}
	if s.tx == TxFailed && !st.transactionEnd {
		return Completion{}, sqlstate.Errorf(sqlstate.InFailedSQLTransaction,
			"current transaction is aborted, commands ignored until end of transaction block")
	}
	if st.command != nil || st.run != nil {
		if p.resume != nil {
			return p.runResume(ctx, w, maxRows)
		}
		if p.done {
			return Completion{}, sqlstate.Errorf(sqlstate.ObjectNotInPrerequisiteState, "portal has already run")
		}
		p.done = true
		var tag string
		var err error
		if st.run != nil {
			tag, err = st.run(ctx, p, w)
		} else {
			tag, err = st.command(s, w)
		}
		if err != nil {
			s.FailTransaction()
		} else if p.resume != nil {
			return p.runResume(ctx, w, maxRows)
		}
		return Completion{Tag: tag}, err
	}
	if p.done {
		return p.completion(0), nil
	}
	ctx, finish := s.startStatement(ctx)
	defer finish()
	c, err := p.run(ctx, w, maxRows)
	if err != nil {
		err = p.errorFrom(ctx, err)
		p.Close()
		s.FailTransaction()
	}
	return c, err
}

func (p *Portal) runResume(ctx context.Context, w ResultWriter, maxRows int) (Completion, error) {
	c, err := p.resume(ctx, w, maxRows)
	if err != nil {
		p.session.FailTransaction()
	}
	return c, err
}

func (p *Portal) run(ctx context.Context, w ResultWriter, maxRows int) (Completion, error) {
	if p.result == nil {
		if err := p.start(ctx); err != nil {
			return Completion{}, err
		}
	}
	var sent int64
	for {
		if p.pos >= p.chunk.Len {
			ok, err := p.result.next(ctx, p.conn, &p.chunk)
			if err != nil {
				return Completion{}, err
			}
			p.pos = 0
			if !ok {
				p.Close()
				p.done = true
				return p.completion(sent), nil
			}
			continue
		}
		end := p.chunk.Len
		if maxRows > 0 && int64(end-p.pos) > int64(maxRows)-sent {
			end = p.pos + int(int64(maxRows)-sent)
		}
		if err := w.WriteRows(&p.chunk, p.pos, end); err != nil {
			return Completion{}, err
		}
		sent += int64(end - p.pos)
		p.rows += int64(end - p.pos)
		p.session.countRows(end - p.pos)
		p.pos = end
		if maxRows > 0 && sent >= int64(maxRows) {
			return Completion{Suspended: true}, nil
		}
		if err := ctx.Err(); err != nil {
			return Completion{}, err
		}
	}
}

func (p *Portal) start(ctx context.Context) error {
	c, err := p.session.acquire()
	if err != nil {
		return err
	}
	p.conn = c
	// The text that runs may differ from the one checked at Prepare (a
	// rewrite rebuilt with the session's values of now).
	if unchecked, err := p.session.checkStatement(ctx, c, p.stmt, p.sql); err != nil {
		return err
	} else if unchecked && p.sql != p.stmt.source.sql {
		return refuseUnchecked()
	}
	if p.lake, err = p.session.planLake(ctx, c, p.stmt, p.args, false); err != nil {
		return err
	}
	p.recordScans()
	if err := p.session.engine.refreshSnapshots(ctx, p.stmt.snapshots); err != nil {
		return err
	}
	var ds *duckStmt
	args := p.args
	if p.stmt.tag == "EXPLAIN" {
		// Plan lines differ every time: not worth a cache entry.
		sql, err := p.explainQuery(ctx, c)
		if err != nil {
			return err
		}
		if ds, err = c.prepare(sql); err != nil {
			return err
		}
		p.owned, args = ds, nil
	} else if ds, err = c.cachedPrepare(p.sql+c.variablesKey(p.lake.fileLists()), p.sql); err != nil {
		return err
	} else if p.stmt.followed && len(p.stmt.columns) > 0 && !sameColumns(ds.columns(), p.stmt.columns) {
		return errPlanChanged()
	}
	if err := ds.bind(args); err != nil {
		var se *sqlstate.Error
		if errors.As(err, &se) {
			return se
		}
		return sqlstate.Wrap(err, sqlstate.InvalidParameterValue, err.Error())
	}
	p.result, err = ds.execute(ctx, c)
	return err
}

// completion is the tag PostgreSQL writes after the last Execute of a
// portal: the row count is that of this Execute call.
func (p *Portal) completion(rows int64) Completion {
	if p.stmt.tag == "SELECT" || p.stmt.tag == "COPY" {
		return Completion{Tag: p.stmt.tag + " " + strconv.FormatInt(rows, 10)}
	}
	return Completion{Tag: p.stmt.tag}
}

// errorFrom turns an execution error into what the client sees: a cancel
// or timeout reports its own cause rather than DuckDB's interrupt message.
func (p *Portal) errorFrom(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); cause != nil && ctx.Err() != nil {
		if se, ok := cause.(*sqlstate.Error); ok {
			return se
		}
	}
	return translateError(err, p.stmt.source.sql, p.stmt.source.offset)
}

// Close releases the portal's result and connection. It is safe to call
// more than once.
func (p *Portal) Close() {
	if p.result != nil {
		p.result.close()
		p.result = nil
	}
	if p.owned != nil {
		p.owned.close()
		p.owned = nil
	}
	p.lake.release()
	p.lake = nil
	if p.conn != nil {
		p.session.release(p.conn)
		p.conn = nil
	}
	p.chunk = Chunk{Columns: p.chunk.Columns[:0]}
	p.pos = 0
}
