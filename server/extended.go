package server

import (
	"errors"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/lakegate/lakegate/engine"
	"github.com/lakegate/lakegate/sqlstate"
)

// preparedStatement is a statement created by Parse.
type preparedStatement struct {
	stmt *engine.Statement
}

// portal is a statement bound by Bind, with its result formats.
type portal struct {
	engine  *engine.Portal
	formats []int16
	writer  *rowWriter
}

func (p *portal) close() { p.engine.Close() }

// extended handles the extended-query messages. Errors are reported here;
// the returned error only signals a connection that is gone.
func (c *conn) extended(msg pgproto3.FrontendMessage) error {
	var err error
	switch m := msg.(type) {
	case *pgproto3.Parse:
		err = c.parse(m)
	case *pgproto3.Bind:
		err = c.bind(m)
	case *pgproto3.Describe:
		err = c.describe(m)
	case *pgproto3.Execute:
		err = c.execute(m)
	case *pgproto3.Close:
		c.closeObject(m)
	default:
		err = sqlstate.Errorf(sqlstate.ProtocolViolation, "unexpected message type %T", msg)
	}
	if err != nil {
		if isClientGone(err) {
			return errClientGone
		}
		c.sendError(err)
	}
	return nil
}

func (c *conn) parse(m *pgproto3.Parse) error {
	if _, exists := c.statements[m.Name]; exists && m.Name != "" {
		return sqlstate.Errorf(sqlstate.DuplicatePreparedStatement, "prepared statement %q already exists", m.Name)
	}
	if err := checkUTF8(m.Query); err != nil {
		return err
	}
	st, err := c.session.Prepare(c.ctx, m.Query, m.ParameterOIDs)
	if err != nil {
		return err
	}
	c.statements[m.Name] = &preparedStatement{stmt: st}
	c.backend.Send(&pgproto3.ParseComplete{})
	return nil
}

func (c *conn) bind(m *pgproto3.Bind) error {
	ps, ok := c.statements[m.PreparedStatement]
	if !ok {
		return sqlstate.Errorf(sqlstate.InvalidSQLStatementName, "prepared statement %q does not exist", m.PreparedStatement)
	}
	if old, exists := c.portals[m.DestinationPortal]; exists {
		if m.DestinationPortal != "" {
			return sqlstate.Errorf(sqlstate.DuplicateCursor, "cursor %q already exists", m.DestinationPortal)
		}
		old.close()
		delete(c.portals, "")
	} else if m.DestinationPortal != "" && c.session.Cursor(m.DestinationPortal) != nil {
		// SQL cursors and portals share one namespace (PostgreSQL's
		// wording names both cursors).
		return sqlstate.Errorf(sqlstate.DuplicateCursor, "cursor %q already exists", m.DestinationPortal)
	}
	args, err := decodeParams(ps.stmt.ParamOIDs(), m.ParameterFormatCodes, m.Parameters)
	if err != nil {
		return err
	}
	formats, err := expandFormats(m.ResultFormatCodes, len(ps.stmt.Columns()), "result column")
	if err != nil {
		return err
	}
	ep, err := c.session.Bind(ps.stmt, args)
	if err != nil {
		return err
	}
	c.portals[m.DestinationPortal] = &portal{
		engine:  ep,
		formats: formats,
		writer:  newRowWriter(c, ep.Columns(), formats),
	}
	c.backend.Send(&pgproto3.BindComplete{})
	return nil
}

func (c *conn) describe(m *pgproto3.Describe) error {
	switch m.ObjectType {
	case 'S':
		ps, ok := c.statements[m.Name]
		if !ok {
			return sqlstate.Errorf(sqlstate.InvalidSQLStatementName, "prepared statement %q does not exist", m.Name)
		}
		c.backend.Send(&pgproto3.ParameterDescription{ParameterOIDs: ps.stmt.ParamOIDs()})
		c.sendRowDescription(ps.stmt.Columns(), nil)
	case 'P':
		p, ok := c.portals[m.Name]
		if !ok {
			if cur := c.cursor(m.Name); cur != nil {
				c.sendRowDescription(cur.Columns(), nil) // text, as PostgreSQL
				return nil
			}
			return sqlstate.Errorf(sqlstate.InvalidCursorName, "portal %q does not exist", m.Name)
		}
		c.sendRowDescription(p.engine.Columns(), p.formats)
	default:
		return sqlstate.Errorf(sqlstate.ProtocolViolation, "invalid DESCRIBE message subtype %d", m.ObjectType)
	}
	return nil
}

func (c *conn) sendRowDescription(cols []engine.Column, formats []int16) {
	if cols == nil {
		c.backend.Send(&pgproto3.NoData{})
		return
	}
	c.backend.Send(rowDescription(cols, formats))
}

// cursor is the SQL cursor (DECLARE) of that name: in PostgreSQL it is
// also a portal, which Describe, Execute and Close can name.
func (c *conn) cursor(name string) *engine.Cursor {
	if name == "" {
		return nil
	}
	return c.session.Cursor(name)
}

func (c *conn) execute(m *pgproto3.Execute) error {
	maxRows := int(m.MaxRows)
	if maxRows < 0 {
		maxRows = 0
	}
	p, ok := c.portals[m.Portal]
	if !ok {
		if cur := c.cursor(m.Portal); cur != nil {
			// The cursor's portal has no result formats: text, as in
			// PostgreSQL, even for a cursor declared BINARY.
			w := newRowWriter(c, cur.Columns(), make([]int16, len(cur.Columns())))
			done, err := cur.Execute(c.ctx, w, maxRows)
			if err != nil {
				return err
			}
			c.sendCompletion(done)
			return nil
		}
		return sqlstate.Errorf(sqlstate.InvalidCursorName, "portal %q does not exist", m.Portal)
	}
	if cp := p.engine.CopyOut(); cp != nil {
		return c.runCopy(p.engine, cp) // COPY runs whole, whatever the row limit
	}
	done, err := p.engine.Execute(c.ctx, p.writer, maxRows)
	c.sendParameterChanges()
	if err != nil {
		return err
	}
	c.sendCompletion(done)
	return nil
}

func (c *conn) closeObject(m *pgproto3.Close) {
	switch m.ObjectType {
	case 'S':
		delete(c.statements, m.Name)
	case 'P':
		if p, ok := c.portals[m.Name]; ok {
			p.close()
			delete(c.portals, m.Name)
		} else if cur := c.cursor(m.Name); cur != nil {
			cur.Close()
		}
	default:
		c.sendError(sqlstate.Errorf(sqlstate.ProtocolViolation, "invalid CLOSE message subtype %d", m.ObjectType))
		return
	}
	c.backend.Send(&pgproto3.CloseComplete{})
}

func isClientGone(err error) bool { return errors.Is(err, errClientGone) }
