package server

import (
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/lakegate/lakegate/engine"
	"github.com/lakegate/lakegate/sqlstate"
)

// flushThreshold is how many bytes of rows are buffered before they are
// written to the socket: large enough for few syscalls, small enough that
// memory stays flat and the client sees rows while the query runs.
const flushThreshold = 64 << 10

// rowWriter streams a portal's rows as DataRow messages. It implements
// engine.ResultWriter.
type rowWriter struct {
	conn     *conn
	encoders []columnEncoder
	row      pgproto3.DataRow
	scratch  []byte
	ends     []int
	buffered int
}

func newRowWriter(c *conn, cols []engine.Column, formats []int16) *rowWriter {
	w := &rowWriter{
		conn:     c,
		encoders: make([]columnEncoder, len(cols)),
		row:      pgproto3.DataRow{Values: make([][]byte, len(cols))},
		scratch:  make([]byte, 0, 1024),
		ends:     make([]int, len(cols)),
	}
	for i, col := range cols {
		w.encoders[i] = newColumnEncoder(col, formats[i])
	}
	return w
}

// rowDescription describes columns in the given formats (nil: all text).
func rowDescription(cols []engine.Column, formats []int16) *pgproto3.RowDescription {
	fields := make([]pgproto3.FieldDescription, len(cols))
	for i, col := range cols {
		fields[i] = pgproto3.FieldDescription{
			Name:         []byte(col.Name),
			DataTypeOID:  col.Type.OID,
			DataTypeSize: col.Type.Size,
			TypeModifier: col.Type.Modifier,
		}
		if formats != nil {
			fields[i].Format = formats[i]
		}
	}
	return &pgproto3.RowDescription{Fields: fields}
}

// WriteRows encodes rows [from, to) of the chunk into DataRow messages.
func (w *rowWriter) WriteRows(ch *engine.Chunk, from, to int) error {
	values := w.row.Values
	for r := from; r < to; r++ {
		w.scratch = w.scratch[:0]
		for i, enc := range w.encoders {
			v := &ch.Columns[i]
			if v.IsNull(r) {
				w.ends[i] = -1
				continue
			}
			w.scratch = enc(w.scratch, v, r)
			w.ends[i] = len(w.scratch)
		}
		start := 0
		for i, end := range w.ends {
			if end < 0 {
				values[i] = nil
				continue
			}
			values[i] = w.scratch[start:end:end]
			start = end
		}
		w.conn.backend.Send(&w.row)
		w.buffered += len(w.scratch) + 4*len(values) + 7
		if w.buffered >= flushThreshold {
			w.buffered = 0
			if err := w.conn.flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

// WriteNotice sends a warning or notice.
func (w *rowWriter) WriteNotice(n *sqlstate.Error) error {
	w.conn.backend.Send(noticeResponse(n))
	return nil
}
