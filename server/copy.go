package server

import (
	"encoding/binary"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/lakegate/lakegate/engine"
	"github.com/lakegate/lakegate/sqlstate"
)

// COPY ... TO STDOUT: CopyOutResponse, one CopyData per row (as
// PostgreSQL sends them), CopyDone, then CommandComplete "COPY n". Rows
// are encoded straight from DuckDB's vectors into the output buffer, like
// DataRows (rows.go), and flushed as they accumulate, so a COPY of any
// size streams in flat memory.

// binarySignature starts a binary COPY: the signature, flags and the
// length of the header extension.
var binarySignature = []byte("PGCOPY\n\xff\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x00")

// runCopy sends the COPY the portal runs. An error after CopyOutResponse
// is reported by the caller with ErrorResponse, which ends the copy.
func (c *conn) runCopy(p *engine.Portal, opts *engine.CopyOut) error {
	format := int16(textFormat)
	if opts.Format == engine.CopyBinary {
		format = binaryFormat
	}
	columnFormats := make([]uint16, len(opts.Columns))
	for i := range columnFormats {
		columnFormats[i] = uint16(format)
	}
	c.backend.Send(&pgproto3.CopyOutResponse{OverallFormat: byte(format), ColumnFormatCodes: columnFormats})
	w := newCopyWriter(c, opts)
	if err := c.takeQueued(); err != nil {
		return err
	}
	if opts.Header {
		w.header()
	}
	done, err := p.Execute(c.ctx, w, 0)
	c.sendParameterChanges()
	if err != nil {
		return err
	}
	w.finish()
	c.backend.Send(&pgproto3.CopyDone{})
	c.sendCompletion(done)
	return nil
}

// copyWriter encodes rows as CopyData messages. It implements
// engine.ResultWriter.
type copyWriter struct {
	conn     *conn
	opts     *engine.CopyOut
	types    []engine.Type
	shapes   []*engine.Shape
	encoders []columnEncoder
	format   int16
	// pending is the binary signature, sent with the first row.
	pending []byte
	scratch []byte
}

func newCopyWriter(c *conn, opts *engine.CopyOut) *copyWriter {
	w := &copyWriter{
		conn:     c,
		opts:     opts,
		types:    make([]engine.Type, len(opts.Columns)),
		shapes:   make([]*engine.Shape, len(opts.Columns)),
		encoders: make([]columnEncoder, len(opts.Columns)),
		format:   textFormat,
	}
	for i, col := range opts.Columns {
		w.types[i] = col.Type
	}
	if opts.Format == engine.CopyBinary {
		w.format = binaryFormat
		w.pending = binarySignature
	}
	return w
}

// header sends the HEADER line of the column names.
func (w *copyWriter) header() {
	c := w.conn
	buf, start := beginCopyData(c.out.buf)
	for i, col := range w.opts.Columns {
		if i > 0 {
			buf = append(buf, w.opts.Delimiter)
		}
		if w.opts.Format == engine.CopyCSV {
			buf = appendCSV(buf, []byte(col.Name), w.opts, false, len(w.opts.Columns) == 1)
		} else {
			buf = appendCopyText(buf, []byte(col.Name), w.opts.Delimiter)
		}
	}
	buf = append(buf, '\n')
	c.out.buf = endCopyData(buf, start)
}

// finish ends a binary COPY with its trailer (and the signature, if no
// row carried it).
func (w *copyWriter) finish() {
	if w.format != binaryFormat {
		return
	}
	c := w.conn
	buf, start := beginCopyData(c.out.buf)
	buf = append(buf, w.pending...)
	w.pending = nil
	buf = append(buf, 0xff, 0xff)
	c.out.buf = endCopyData(buf, start)
}

func beginCopyData(buf []byte) ([]byte, int) {
	start := len(buf)
	return append(buf, 'd', 0, 0, 0, 0), start
}

func endCopyData(buf []byte, start int) []byte {
	binary.BigEndian.PutUint32(buf[start+1:], uint32(len(buf)-start-1))
	return buf
}

// WriteRows appends rows [from, to) of the chunk, one CopyData each.
func (w *copyWriter) WriteRows(ch *engine.Chunk, from, to int) error {
	c := w.conn
	if err := c.takeQueued(); err != nil {
		return err
	}
	cols := ch.Columns[:len(w.encoders)]
	for i := range cols {
		if s := cols[i].Shape; s != w.shapes[i] {
			w.shapes[i] = s
			w.encoders[i] = encoderFor(w.types[i], s, w.format)
		}
	}
	opts := w.opts
	single := len(cols) == 1
	buf := c.out.buf
	for r := from; r < to; r++ {
		var start int
		buf, start = beginCopyData(buf)
		switch opts.Format {
		case engine.CopyBinary:
			if w.pending != nil {
				buf = append(buf, w.pending...)
				w.pending = nil
			}
			buf = append(buf, byte(len(cols)>>8), byte(len(cols)))
			for i, enc := range w.encoders {
				v := &cols[i]
				if v.IsNull(r) {
					buf = append(buf, 0xff, 0xff, 0xff, 0xff)
					continue
				}
				at := len(buf)
				buf = enc(append(buf, 0, 0, 0, 0), v, r)
				binary.BigEndian.PutUint32(buf[at:], uint32(len(buf)-at-4))
			}
		case engine.CopyCSV:
			for i, enc := range w.encoders {
				if i > 0 {
					buf = append(buf, opts.Delimiter)
				}
				v := &cols[i]
				if v.IsNull(r) {
					buf = append(buf, opts.Null...)
					continue
				}
				w.scratch = enc(w.scratch[:0], v, r)
				buf = appendCSV(buf, w.scratch, opts, opts.ForceQuote != nil && opts.ForceQuote[i], single)
			}
			buf = append(buf, '\n')
		default:
			for i, enc := range w.encoders {
				if i > 0 {
					buf = append(buf, opts.Delimiter)
				}
				v := &cols[i]
				if v.IsNull(r) {
					buf = append(buf, opts.Null...)
					continue
				}
				w.scratch = enc(w.scratch[:0], v, r)
				buf = appendCopyText(buf, w.scratch, opts.Delimiter)
			}
			buf = append(buf, '\n')
		}
		buf = endCopyData(buf, start)
		var err error
		if buf, err = c.spill(buf); err != nil {
			return err
		}
	}
	c.out.buf = buf
	return nil
}

// WriteNotice sends a warning or notice.
func (w *copyWriter) WriteNotice(n *sqlstate.Error) error {
	w.conn.backend.Send(noticeResponse(n))
	return nil
}

// appendCopyText appends a value in COPY's text format, as PostgreSQL's
// CopyAttributeOutText: backslash, the delimiter and the control
// characters \b \f \n \r \t \v are backslash-escaped, other bytes copied.
func appendCopyText(buf, value []byte, delim byte) []byte {
	start := 0
	for i, c := range value {
		var esc byte
		switch {
		case c < 0x20:
			switch c {
			case '\b':
				esc = 'b'
			case '\f':
				esc = 'f'
			case '\n':
				esc = 'n'
			case '\r':
				esc = 'r'
			case '\t':
				esc = 't'
			case '\v':
				esc = 'v'
			default:
				if c != delim {
					continue
				}
				esc = c
			}
		case c == '\\' || c == delim:
			esc = c
		default:
			continue
		}
		buf = append(buf, value[start:i]...)
		buf = append(buf, '\\', esc)
		start = i + 1
	}
	return append(buf, value[start:]...)
}

// appendCSV appends a value in COPY's CSV format, as PostgreSQL's
// CopyAttributeOutCSV: quoted when forced, when it reads as the NULL
// string, when it holds the delimiter, the quote, CR or LF, or when it is
// \. alone in a single-column row (the end-of-data marker); inside quotes
// the quote and escape characters are escaped.
func appendCSV(buf, value []byte, opts *engine.CopyOut, quote, single bool) []byte {
	if !quote && string(value) == opts.Null {
		quote = true
	}
	if !quote {
		if single && string(value) == `\.` {
			quote = true
		} else {
			for _, c := range value {
				if c == opts.Delimiter || c == opts.Quote || c == '\n' || c == '\r' {
					quote = true
					break
				}
			}
		}
	}
	if !quote {
		return append(buf, value...)
	}
	buf = append(buf, opts.Quote)
	start := 0
	for i, c := range value {
		if c == opts.Quote || c == opts.Escape {
			buf = append(buf, value[start:i]...)
			buf = append(buf, opts.Escape)
			start = i
		}
	}
	buf = append(buf, value[start:]...)
	return append(buf, opts.Quote)
}
