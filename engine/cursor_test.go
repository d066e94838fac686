package engine

import (
	"errors"
	"strings"
	"testing"

	"github.com/lakegate/lakegate/sqlstate"
)

// step is one statement of a session script and what PostgreSQL 16
// answers: a tag with the rows it returns ("FETCH 2: 0,1"), or an error
// SQLSTATE.
type step struct {
	sql  string
	want string // "TAG" or "TAG: row;row" (values comma-separated)
	code sqlstate.Code
}

// runScript runs the steps in one session, each as a simple-protocol
// statement, checking every answer.
func runScript(t *testing.T, s *Session, steps []step) {
	t.Helper()
	for _, st := range steps {
		w, tags, err := run(t, s, st.sql)
		if st.code != "" {
			var se *sqlstate.Error
			if !errors.As(err, &se) || se.Code != st.code {
				t.Fatalf("%s: err %v, want SQLSTATE %s", st.sql, err, st.code)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", st.sql, err)
		}
		got := strings.Join(tags, " / ")
		if len(w.rows) > 0 {
			rows := make([]string, len(w.rows))
			for i, r := range w.rows {
				rows[i] = strings.Join(r, ",")
			}
			got += ": " + strings.Join(rows, ";")
		}
		if got != st.want {
			t.Fatalf("%s: got %q, want %q", st.sql, got, st.want)
		}
	}
}

func TestCursorFetchMoveClose(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession("u", "d")
	defer s.Close()
	const ten = "select i::int as i from range(10) t(i)"
	runScript(t, s, []step{
		{sql: "declare c cursor for " + ten, code: sqlstate.NoActiveSQLTransaction},
		{sql: "begin", want: "BEGIN"},
		{sql: "declare c cursor for " + ten, want: "DECLARE CURSOR"},
		{sql: "declare c cursor for select 1", code: sqlstate.DuplicateCursor},
		{sql: "rollback", want: "ROLLBACK"},
		{sql: "fetch c", code: sqlstate.InvalidCursorName}, // gone with its transaction
		{sql: "begin", want: "BEGIN"},
		{sql: "declare c no scroll cursor for " + ten, want: "DECLARE CURSOR"},
		{sql: "fetch 2 from c", want: "FETCH 2: 0;1"},
		{sql: "fetch c", want: "FETCH 1: 2"},
		{sql: "fetch next in c", want: "FETCH 1: 3"},
		{sql: "move 2 c", want: "MOVE 2"},
		{sql: "fetch forward 2 c", want: "FETCH 2: 6;7"},
		{sql: "fetch absolute 10 c", want: "FETCH 1: 9"},
		{sql: "fetch all c", want: "FETCH 0"},
		{sql: "move relative 0 c", want: "MOVE 0"},
		{sql: "close c", want: "CLOSE CURSOR"},
		{sql: "close c", code: sqlstate.InvalidCursorName},
		{sql: "rollback", want: "ROLLBACK"},
		{sql: "begin", want: "BEGIN"},
		{sql: "declare c cursor for " + ten, want: "DECLARE CURSOR"},
		{sql: "fetch absolute 3 c", want: "FETCH 1: 2"},
		{sql: "fetch absolute 6 c", want: "FETCH 1: 5"},
		{sql: "move all c", want: "MOVE 4"},
		{sql: "fetch c", want: "FETCH 0"},
		{sql: "commit", want: "COMMIT"},
		{sql: "fetch c", code: sqlstate.InvalidCursorName}, // closed at COMMIT
		{sql: "begin", want: "BEGIN"},
		{sql: "declare c cursor for " + ten, want: "DECLARE CURSOR"},
		{sql: "fetch first c", want: "FETCH 1: 0"}, // a cursor that has not moved may "rewind"
		{sql: "fetch prior c", code: sqlstate.ObjectNotInPrerequisiteState},
		{sql: "rollback", want: "ROLLBACK"},
		{sql: "begin", want: "BEGIN"},
		{sql: "declare c cursor for " + ten, want: "DECLARE CURSOR"},
		{sql: "fetch 2 c", want: "FETCH 2: 0;1"},
		{sql: "fetch backward 1 c", code: sqlstate.ObjectNotInPrerequisiteState},
		{sql: "rollback", want: "ROLLBACK"},
		{sql: "begin", want: "BEGIN"},
		{sql: "declare c scroll cursor for " + ten, code: sqlstate.FeatureNotSupported},
		{sql: "rollback", want: "ROLLBACK"},
		{sql: "begin", want: "BEGIN"},
		{sql: "declare c cursor for insert into x values (1)", code: sqlstate.SyntaxError}, // not a SELECT in PostgreSQL's grammar
		{sql: "rollback", want: "ROLLBACK"},
		{sql: "fetch 1 from nope", code: sqlstate.InvalidCursorName},
		{sql: "close all", want: "CLOSE CURSOR ALL"},
	})
}

func TestCursorWithHold(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession("u", "d")
	defer s.Close()
	const five = "select i::int as i from range(5) t(i)"
	runScript(t, s, []step{
		{sql: "declare h cursor with hold for " + five, want: "DECLARE CURSOR"},
		{sql: "fetch 2 h", want: "FETCH 2: 0;1"},
		{sql: "select 42", want: "SELECT 1: 42"}, // other statements run while the cursor holds a connection
		{sql: "begin", want: "BEGIN"},
		{sql: "declare c cursor with hold for select 1", want: "DECLARE CURSOR"},
		{sql: "declare d cursor for select 1", want: "DECLARE CURSOR"},
		{sql: "fetch 1 h", want: "FETCH 1: 2"},
		{sql: "commit", want: "COMMIT"},
		{sql: "fetch d", code: sqlstate.InvalidCursorName},
		{sql: "fetch c", want: "FETCH 1: 1"}, // WITH HOLD survives COMMIT
		{sql: "begin", want: "BEGIN"},
		{sql: "declare r cursor with hold for select 1", want: "DECLARE CURSOR"},
		{sql: "rollback", want: "ROLLBACK"},
		{sql: "fetch r", code: sqlstate.InvalidCursorName}, // declared by a rolled back transaction
		{sql: "fetch all h", want: "FETCH 2: 3;4"},         // held from before survives the rollback
		{sql: "discard all", want: "DISCARD ALL"},
		{sql: "fetch h", code: sqlstate.InvalidCursorName},
	})
}

func TestCursorErrorFailsTransaction(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession("u", "d")
	defer s.Close()
	runScript(t, s, []step{
		{sql: "begin", want: "BEGIN"},
		{sql: "declare c cursor for select (case when i = 2 then 'x' else '1' end)::int as x from range(5) t(i)", want: "DECLARE CURSOR"},
		{sql: "fetch all c", code: sqlstate.InvalidTextRepresentation},
		{sql: "fetch c", code: sqlstate.InFailedSQLTransaction},
		{sql: "rollback", want: "ROLLBACK"},
		{sql: "fetch c", code: sqlstate.InvalidCursorName},
	})
}

func TestSQLPrepareExecute(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession("u", "d")
	defer s.Close()
	runScript(t, s, []step{
		{sql: "prepare p as select 1 as one", want: "PREPARE"},
		{sql: "prepare p as select 2", code: sqlstate.DuplicatePreparedStatement},
		{sql: "execute p", want: "SELECT 1: 1"},
		{sql: "execute q", code: sqlstate.InvalidSQLStatementName},
		{sql: "deallocate q", code: sqlstate.InvalidSQLStatementName},
		{sql: "deallocate p", want: "DEALLOCATE"},
		{sql: "execute p", code: sqlstate.InvalidSQLStatementName},
		{sql: "prepare p2(int, text) as select $1 + 1 as n, $2 as s", want: "PREPARE"},
		{sql: "execute p2(41, 'x')", want: "SELECT 1: 42,x"},
		{sql: "execute p2(1 + 1, upper('y'))", want: "SELECT 1: 3,Y"},
		{sql: "execute p2(-5, null)", want: "SELECT 1: -4,NULL"},
		{sql: "execute p2(1)", code: sqlstate.SyntaxError},
		{sql: "prepare w as insert into t values (1)", code: sqlstate.ReadOnlySQLTransaction},
		{sql: "prepare t(nosuchtype) as select $1", code: sqlstate.UndefinedObject},
		{sql: "prepare r as select i::int from range(3) t(i) where i >= $1", want: "PREPARE"},
		{sql: "execute r(1)", want: "SELECT 2: 1;2"},
		{sql: "begin", want: "BEGIN"},
		{sql: "declare c cursor for select 1 as x", want: "DECLARE CURSOR"},
		{sql: "commit", want: "COMMIT"},
		{sql: "deallocate all", want: "DEALLOCATE ALL"},
		{sql: "execute r(1)", code: sqlstate.InvalidSQLStatementName},
		{sql: "prepare d as select 1", want: "PREPARE"},
		{sql: "discard all", want: "DISCARD ALL"},
		{sql: "execute d", code: sqlstate.InvalidSQLStatementName},
	})
}

// The statements of one simple Query message run in an implicit
// transaction block: DECLARE without HOLD works there, and its cursor
// closes with the message.
func TestCursorImplicitBlock(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession("u", "d")
	defer s.Close()
	runScript(t, s, []step{
		{sql: "declare c cursor for select 7 as x; declare h cursor with hold for select 8 as y; fetch c", want: "DECLARE CURSOR / DECLARE CURSOR / FETCH 1: 7"},
	})
	s.EndQueryMessage()
	runScript(t, s, []step{
		{sql: "fetch c", code: sqlstate.InvalidCursorName},
		{sql: "fetch h", want: "FETCH 1: 8"},
		{sql: "declare d cursor for select 1", code: sqlstate.NoActiveSQLTransaction},
	})
}
