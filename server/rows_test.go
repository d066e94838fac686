package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/lakegate/lakegate/engine"
	"github.com/lakegate/lakegate/sqlstate"
)

// captureConn is a client that records what it is sent.
type captureConn struct {
	net.Conn
	sent   bytes.Buffer
	writes int
}

func (c *captureConn) Write(p []byte) (int, error) {
	c.writes++
	return c.sent.Write(p)
}

// noticeAfterFirst passes rows to the row writer and sends a notice after
// the first batch, as the engine may between batches.
type noticeAfterFirst struct {
	*rowWriter
	sent bool
}

func (w *noticeAfterFirst) WriteRows(ch *engine.Chunk, from, to int) error {
	if err := w.rowWriter.WriteRows(ch, from, to); err != nil {
		return err
	}
	if !w.sent {
		w.sent = true
		return w.WriteNotice(&sqlstate.Error{Severity: sqlstate.SeverityWarning, Code: sqlstate.Warning, Message: "between"})
	}
	return nil
}

// The DataRow messages the row writer frames itself must decode with
// pgproto3 into the encoders' values, and keep their place among the
// messages sent through the Backend before, between and after them, across
// the writes made every flushThreshold bytes.
func TestWriteRowsFramingAndOrder(t *testing.T) {
	s := newEncodeSession(t)
	const sql = `SELECT i::BIGINT AS id, CASE WHEN i % 3 = 0 THEN NULL ELSE 'name ' || i END AS name,
		(i * 1.37)::DECIMAL(18, 2) AS amount, CASE WHEN i % 5 = 0 THEN NULL ELSE [i, NULL] END AS l,
		'' AS empty, DATE '2024-01-01' + (i % 1000)::INTEGER AS day
		FROM range(10000) t(i) ORDER BY i`
	for _, format := range []int16{textFormat, binaryFormat} {
		ctx := context.Background()
		st, err := s.Prepare(ctx, sql, nil)
		if err != nil {
			t.Fatal(err)
		}
		cols := st.Columns()
		formats := make([]int16, len(cols))
		for i := range formats {
			formats[i] = format
		}
		client := &captureConn{}
		c := newConn(&Server{}, client)
		p, err := s.Bind(st, nil)
		if err != nil {
			t.Fatal(err)
		}
		c.backend.Send(rowDescription(cols, formats))
		w := &noticeAfterFirst{rowWriter: newRowWriter(c, cols, formats)}
		done, err := p.Execute(ctx, w, 0)
		p.Close()
		if err != nil {
			t.Fatal(err)
		}
		c.sendCompletion(done)
		c.backend.Send(&pgproto3.ReadyForQuery{TxStatus: 'I'})
		if err := c.flush(); err != nil {
			t.Fatal(err)
		}
		if cap(c.out.buf) > maxIdleOutput {
			t.Errorf("format %d: %d bytes of output buffer kept after the result", format, cap(c.out.buf))
		}
		if client.writes < 2 {
			t.Errorf("format %d: %d writes for %d bytes", format, client.writes, client.sent.Len())
		}

		_, want := encodeQuery(t, s, sql, nil, format, nil)
		f := pgproto3.NewFrontend(&client.sent, io.Discard)
		var got []string
		rows := 0
		for len(got) == 0 || got[len(got)-1] != "ReadyForQuery" {
			msg, err := f.Receive()
			if err != nil {
				t.Fatalf("format %d: after %v: %v", format, got, err)
			}
			switch m := msg.(type) {
			case *pgproto3.DataRow:
				if rows >= len(want) {
					t.Fatalf("format %d: more than %d rows", format, len(want))
				}
				if len(m.Values) != len(cols) {
					t.Fatalf("format %d row %d: %d values", format, rows, len(m.Values))
				}
				for j, v := range m.Values {
					if (v == nil) != (want[rows][j] == nil) || !bytes.Equal(v, want[rows][j]) {
						t.Fatalf("format %d row %d column %d: got %q, want %q", format, rows, j, v, want[rows][j])
					}
				}
				if rows == 0 || got[len(got)-1] != "DataRow" {
					got = append(got, "DataRow")
				}
				rows++
			case *pgproto3.NoticeResponse:
				got = append(got, "Notice:"+m.Message)
			case *pgproto3.CommandComplete:
				got = append(got, "Complete:"+string(m.CommandTag))
			default:
				got = append(got, strings.TrimPrefix(fmt.Sprintf("%T", msg), "*pgproto3."))
			}
		}
		wantSeq := []string{"RowDescription", "DataRow", "Notice:between", "DataRow", "Complete:SELECT 10000", "ReadyForQuery"}
		if rows != len(want) || !slices.Equal(got, wantSeq) {
			t.Errorf("format %d: %d rows, messages %v, want %d rows, %v", format, rows, got, len(want), wantSeq)
		}
	}
}

// A row larger than the buffer normally holds grows it while it is sent;
// the connection must not keep that memory afterwards.
func TestWriteRowsKeepsOutputBounded(t *testing.T) {
	s := newEncodeSession(t)
	ctx := context.Background()
	st, err := s.Prepare(ctx, `SELECT i, repeat('x', CASE WHEN i % 2 = 0 THEN 1 << 20 ELSE 10 END) FROM range(5) t(i)`, nil)
	if err != nil {
		t.Fatal(err)
	}
	cols := st.Columns()
	client := &captureConn{}
	c := newConn(&Server{}, client)
	p, err := s.Bind(st, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := p.Execute(ctx, newRowWriter(c, cols, make([]int16, len(cols))), 0); err != nil {
		t.Fatal(err)
	}
	if cap(c.out.buf) > maxStreamingOutput {
		t.Errorf("%d bytes of output buffer kept while streaming", cap(c.out.buf))
	}
	if err := c.flush(); err != nil {
		t.Fatal(err)
	}
	if cap(c.out.buf) > maxIdleOutput {
		t.Errorf("%d bytes of output buffer kept when idle", cap(c.out.buf))
	}
	if want := 3<<20 + 2*10; client.sent.Len() < want {
		t.Errorf("%d bytes sent, want at least %d", client.sent.Len(), want)
	}
}
