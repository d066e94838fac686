package server

import (
	"encoding/binary"
	"strconv"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/lakegate/lakegate/engine"
	"github.com/lakegate/lakegate/sqlstate"
)

// flushThreshold is how many bytes of rows are buffered before they are
// written to the socket: large enough for few syscalls, small enough that
// memory stays flat and the client sees rows while the query runs.
const flushThreshold = 64 << 10

// The output buffer a connection keeps after writing it is bounded, so
// that memory stays flat: while rows stream, a huge row may grow it beyond
// maxStreamingOutput, and between results an idle connection holds at most
// maxIdleOutput. A large result regrows it once, by doubling.
const (
	maxStreamingOutput = 4 * flushThreshold
	maxIdleOutput      = 16 << 10
)

// outBuffer is a connection's output, written to the socket by
// conn.writeOut. The pgproto3 Backend writes into it (Backend.Flush appends
// the messages it queued) and the row writer appends DataRow messages to
// it directly, so every message is in it in the order it was produced.
//
// The Backend cannot carry the rows itself: its Flush replaces a buffer of
// more than 1 KiB with a new one, so each batch of rows would regrow from
// 1 KiB, and that garbage kept the GC busy all the time.
type outBuffer struct {
	buf []byte
}

// Write appends p; it is where Backend.Flush puts the queued messages.
func (o *outBuffer) Write(p []byte) (int, error) {
	o.buf = append(o.buf, p...)
	return len(p), nil
}

// spill makes buf the output buffer and, once it has passed
// flushThreshold, writes it to the socket. It returns the buffer to go on
// appending to.
func (c *conn) spill(buf []byte) ([]byte, error) {
	c.out.buf = buf
	if len(buf) < flushThreshold {
		return buf, nil
	}
	if err := c.writeOut(maxStreamingOutput); err != nil {
		return nil, err
	}
	return c.out.buf, nil
}

// writeOut writes the output buffer to the socket and keeps it for reuse
// if its capacity is at most keep. Messages still queued in the Backend are
// not included: conn.flush sends both.
func (c *conn) writeOut(keep int) error {
	out := c.out.buf
	if len(out) == 0 {
		return nil
	}
	_, err := c.netConn.Write(out)
	if cap(out) > keep {
		c.out.buf = nil
	} else {
		c.out.buf = out[:0]
	}
	if err != nil {
		c.cancel()
		return errClientGone
	}
	return nil
}

// takeQueued moves the messages queued in the Backend into the output
// buffer, so that what is appended to it next comes after them.
func (c *conn) takeQueued() error {
	if err := c.backend.Flush(); err != nil {
		// Only an encoding error (a message too large to frame) gets
		// here: the stream can no longer be trusted.
		c.cancel()
		return errClientGone
	}
	return nil
}

// rowWriter streams a portal's rows as DataRow messages. It implements
// engine.ResultWriter.
type rowWriter struct {
	conn    *conn
	types   []engine.Type
	formats []int16
	// shapes and encoders are those of the last chunk: the encoder of a
	// column depends on how DuckDB stores it, known once chunks arrive.
	shapes   []*engine.Shape
	encoders []columnEncoder
	// extraFloatDigits is the session's extra_float_digits when the
	// result starts, which float text output follows.
	extraFloatDigits int
}

func newRowWriter(c *conn, cols []engine.Column, formats []int16) *rowWriter {
	w := &rowWriter{
		conn:     c,
		types:    make([]engine.Type, len(cols)),
		formats:  formats,
		shapes:   make([]*engine.Shape, len(cols)),
		encoders: make([]columnEncoder, len(cols)),
	}
	for i, col := range cols {
		w.types[i] = col.Type
	}
	w.extraFloatDigits = 1
	if c.session != nil {
		if v, err := c.session.Setting("extra_float_digits"); err == nil {
			w.extraFloatDigits, _ = strconv.Atoi(v)
		}
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

// WriteRows appends rows [from, to) of the chunk to the output buffer as
// DataRow messages, encoding each value in place, and writes the buffer to
// the socket whenever it passes flushThreshold.
//
// The framing is DataRow's: 'D', the message length (itself included),
// the column count, then per column a length, -1 for NULL, and the bytes.
// It is written here rather than by (*pgproto3.DataRow).Encode, which
// takes the row as one slice per value, so that values go from DuckDB's
// vectors to the buffer without an intermediate copy; rows_test.go decodes
// it with pgproto3.
func (w *rowWriter) WriteRows(ch *engine.Chunk, from, to int) error {
	c := w.conn
	if err := c.takeQueued(); err != nil {
		return err
	}
	cols := ch.Columns[:len(w.encoders)]
	for i := range cols {
		if s := cols[i].Shape; s != w.shapes[i] {
			w.shapes[i] = s
			w.encoders[i] = encoderFor(w.types[i], s, w.formats[i])
			if enc := floatTextEncoder(w.types[i], s, w.formats[i], w.extraFloatDigits); enc != nil {
				w.encoders[i] = enc
			}
		}
	}
	encoders := w.encoders[:len(cols)]
	header := [7]byte{'D', 0, 0, 0, 0, byte(len(cols) >> 8), byte(len(cols))}
	buf := c.out.buf
	for r := from; r < to; r++ {
		start := len(buf)
		buf = append(buf, header[:]...)
		for i, enc := range encoders {
			v := &cols[i]
			if v.IsNull(r) {
				buf = append(buf, 0xff, 0xff, 0xff, 0xff)
				continue
			}
			at := len(buf)
			buf = enc(append(buf, 0, 0, 0, 0), v, r)
			binary.BigEndian.PutUint32(buf[at:], uint32(len(buf)-at-4))
		}
		binary.BigEndian.PutUint32(buf[start+1:], uint32(len(buf)-start-1))
		var err error
		if buf, err = c.spill(buf); err != nil {
			return err
		}
	}
	c.out.buf = buf
	return nil
}

// WriteNotice sends a warning or notice.
func (w *rowWriter) WriteNotice(n *sqlstate.Error) error {
	w.conn.backend.Send(noticeResponse(n))
	return nil
}
