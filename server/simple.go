package server

import (
	"errors"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/lakegate/lakegate/engine"
)

// simpleQuery runs the statements of a Query message in order, stopping at
// the first error, and ends with ReadyForQuery.
func (c *conn) simpleQuery(text string) error {
	// A Query message ends any extended-query sequence, erroneous or not.
	c.skipUntilSync = false
	if err := checkUTF8(text); err != nil {
		c.sendError(err)
		return c.ready()
	}
	sources := engine.SplitQuery(text)
	if len(sources) == 0 {
		c.backend.Send(&pgproto3.EmptyQueryResponse{})
	}
	for _, src := range sources {
		if err := c.runSimple(src); err != nil {
			if errors.Is(err, errClientGone) {
				return err
			}
			c.sendError(err)
			break
		}
	}
	c.skipUntilSync = false
	c.session.EndQueryMessage()
	c.closePortalsIfIdle()
	return c.ready()
}

func (c *conn) runSimple(src engine.Source) error {
	st, err := c.session.PrepareSource(c.ctx, src)
	if err != nil {
		return err
	}
	p, err := c.session.Bind(st, nil)
	if err != nil {
		return err
	}
	defer p.Close()
	if cp := p.CopyOut(); cp != nil {
		return c.runCopy(p, cp)
	}
	cols := p.Columns()
	formats := make([]int16, len(cols))
	if cols != nil {
		c.backend.Send(rowDescription(cols, nil))
	}
	done, err := p.Execute(c.ctx, newRowWriter(c, cols, formats), 0)
	c.sendParameterChanges()
	if err != nil {
		return err
	}
	c.sendCompletion(done)
	return nil
}

// sendCompletion ends a statement's result.
func (c *conn) sendCompletion(done engine.Completion) {
	switch {
	case done.Empty:
		c.backend.Send(&pgproto3.EmptyQueryResponse{})
	case done.Suspended:
		c.backend.Send(&pgproto3.PortalSuspended{})
	default:
		c.backend.Send(&pgproto3.CommandComplete{CommandTag: []byte(done.Tag)})
	}
}
