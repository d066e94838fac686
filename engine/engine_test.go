package engine

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/lakegate/lakegate/sqlstate"
)

// captureWriter records rows as text using a minimal formatter, enough to
// check the engine's behaviour without the wire encoders.
type captureWriter struct {
	rows    [][]string
	notices []*sqlstate.Error
}

func (w *captureWriter) WriteRows(c *Chunk, from, to int) error {
	for r := from; r < to; r++ {
		var row []string
		for i := range c.Columns {
			v := &c.Columns[i]
			switch {
			case v.IsNull(r):
				row = append(row, "NULL")
			case v.Shape.Kind == KindVarchar || v.Shape.Kind == KindEnum:
				row = append(row, string(v.Bytes(r)))
			case v.Shape.Kind <= KindUint32 && v.Shape.Kind >= KindInt8:
				row = append(row, fmt.Sprint(v.Int(r)))
			case v.Shape.Kind == KindBool:
				row = append(row, fmt.Sprint(v.Bool(r)))
			default:
				row = append(row, "?")
			}
		}
		w.rows = append(w.rows, row)
	}
	return nil
}

func (w *captureWriter) WriteNotice(n *sqlstate.Error) error {
	w.notices = append(w.notices, n)
	return nil
}

func openTestEngine(t testing.TB) *Engine {
	t.Helper()
	e, err := Open(context.Background(), Config{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// run executes every statement of text and returns the rows and tags.
func run(t *testing.T, s *Session, text string) (*captureWriter, []string, error) {
	t.Helper()
	w := &captureWriter{}
	var tags []string
	for _, src := range SplitQuery(text) {
		st, err := s.PrepareSource(context.Background(), src)
		if err != nil {
			s.FailTransaction()
			return w, tags, err
		}
		p, err := s.Bind(st, nil)
		if err != nil {
			return w, tags, err
		}
		c, err := p.Execute(context.Background(), w, 0)
		p.Close()
		if err != nil {
			return w, tags, err
		}
		tags = append(tags, c.Tag)
	}
	return w, tags, nil
}

func TestStatements(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession("alice", "lake")
	defer s.Close()

	cases := []struct {
		sql  string
		rows string
		tags string
		code sqlstate.Code
	}{
		{sql: "select 1 as a, 'x' as b", rows: "[[1 x]]", tags: "SELECT 1"},
		{sql: "select * from range(3) t(i) where i > 0; select 'two'", rows: "[[1] [2] [two]]", tags: "SELECT 2,SELECT 1"},
		{sql: "FROM range(2)", rows: "?", tags: "SELECT 2"},
		{sql: "insert into t values (1)", code: sqlstate.ReadOnlySQLTransaction},
		{sql: "create table t (a int)", code: sqlstate.ReadOnlySQLTransaction},
		{sql: "with x as (delete from t returning *) select * from x", code: sqlstate.ReadOnlySQLTransaction},
		{sql: "select 1 into t2", code: sqlstate.ReadOnlySQLTransaction},
		{sql: "create table t as from range(3)", code: sqlstate.ReadOnlySQLTransaction},
		{sql: "pragma threads=1", code: sqlstate.InsufficientPrivilege},
		{sql: "attach 'x.db'", code: sqlstate.InsufficientPrivilege},
		{sql: "select * from nosuch", code: sqlstate.UndefinedTable},
		{sql: "select nosuch from range(1)", code: sqlstate.UndefinedColumn},
		{sql: "selec 1", code: sqlstate.SyntaxError},
		{sql: "select 'abc'::int", code: sqlstate.InvalidTextRepresentation},
		{sql: "show DateStyle", rows: "[[ISO, MDY]]", tags: "SHOW"},
		{sql: "set application_name = 'psql'; show application_name", rows: "[[psql]]", tags: "SET,SHOW"},
		{sql: "set threads = 1", code: sqlstate.UndefinedObject},
		{sql: "select * from read_csv('/etc/passwd')", code: sqlstate.InsufficientPrivilege},
	}
	for _, c := range cases {
		t.Run(c.sql, func(t *testing.T) {
			w, tags, err := run(t, s, c.sql)
			if c.code != "" {
				if err == nil || sqlstate.From(err).Code != c.code {
					t.Fatalf("want SQLSTATE %s, got %v", c.code, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprint(w.rows); c.rows != "?" && got != c.rows {
				t.Errorf("rows = %s, want %s", got, c.rows)
			}
			if got := strings.Join(tags, ","); got != c.tags {
				t.Errorf("tags = %s, want %s", got, c.tags)
			}
		})
	}
}

func TestTransactionStatus(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession("alice", "lake")
	defer s.Close()
	steps := []struct {
		sql    string
		status TxStatus
		fails  bool
	}{
		{"begin", TxActive, false},
		{"select 1", TxActive, false},
		{"select * from nosuch", TxFailed, true},
		{"select 1", TxFailed, true},
		{"commit", TxIdle, false},
		{"begin; savepoint a", TxActive, false},
		{"select 1/'x'", TxFailed, true},
		{"rollback to savepoint a", TxActive, false},
		{"rollback", TxIdle, false},
	}
	for _, st := range steps {
		_, _, err := run(t, s, st.sql)
		if (err != nil) != st.fails {
			t.Fatalf("%s: err = %v", st.sql, err)
		}
		if s.TxStatus() != st.status {
			t.Fatalf("%s: status %c, want %c", st.sql, s.TxStatus(), st.status)
		}
	}
}
