package test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"
)

// receivePortalMessages is receiveUntil("Ready...") with the contents that
// matter here: row values, column types and formats, tags, error codes.
func (rc *rawClient) receivePortalMessages() string {
	rc.t.Helper()
	var out []string
	for {
		msg, err := rc.fe.Receive()
		if err != nil {
			rc.t.Fatalf("receive after %v: %v", out, err)
		}
		switch m := msg.(type) {
		case *pgproto3.DataRow:
			vals := make([]string, len(m.Values))
			for i, v := range m.Values {
				vals[i] = string(v)
			}
			out = append(out, "D("+strings.Join(vals, ",")+")")
		case *pgproto3.RowDescription:
			fields := make([]string, len(m.Fields))
			for i, f := range m.Fields {
				fields[i] = fmt.Sprintf("%s:%d:%d", f.Name, f.DataTypeOID, f.Format)
			}
			out = append(out, "RowDescription("+strings.Join(fields, ",")+")")
		case *pgproto3.CommandComplete:
			out = append(out, "CommandComplete("+string(m.CommandTag)+")")
		case *pgproto3.ErrorResponse:
			out = append(out, "Error("+m.Code+")")
		case *pgproto3.ReadyForQuery:
			return strings.Join(append(out, typeName(m)), " ")
		default:
			out = append(out, typeName(m))
		}
	}
}

// TestCursorAsProtocolPortal checks a SQL cursor used as a protocol
// portal, which is how psycopg 3 reads its server-side cursors (DECLARE,
// then Describe of the portal by the cursor's name): Describe and Execute
// with a row limit of the cursor itself (text results, the cursor's portal
// having no result formats), Close, and the namespace cursors and portals
// share. And Execute with a row limit of a FETCH, which sends the FETCH's
// rows a batch at a time. Every answer is PostgreSQL's (checked against a
// real PostgreSQL unless -short).
func TestCursorAsProtocolPortal(t *testing.T) {
	type server struct{ addr, user string }
	servers := []server{{startLakegate(t).addr, "lakegate"}}
	if !testing.Short() {
		servers = append(servers, server{fmt.Sprintf("127.0.0.1:%d", startPostgres(t).Port), "postgres"})
	}
	const query = "select i::int4 as i, 'x' || i as s from generate_series(1, 5) t(i)"
	type step struct {
		msgs []pgproto3.FrontendMessage
		want string
	}
	declare := func(name, query string) []pgproto3.FrontendMessage {
		return []pgproto3.FrontendMessage{
			&pgproto3.Parse{Query: "declare " + name + " cursor for " + query},
			&pgproto3.Bind{ResultFormatCodes: []int16{1}}, // the DECLARE's: no effect on the cursor
			&pgproto3.Execute{},
		}
	}
	execute := func(portal string, maxRows uint32) *pgproto3.Execute {
		return &pgproto3.Execute{Portal: portal, MaxRows: maxRows}
	}
	unnamed := func(sql string, maxRows uint32) []pgproto3.FrontendMessage {
		return []pgproto3.FrontendMessage{&pgproto3.Parse{Query: sql}, &pgproto3.Bind{}, execute("", maxRows)}
	}
	msgs := func(m ...pgproto3.FrontendMessage) []pgproto3.FrontendMessage { return m }
	query1 := func(sql string) []pgproto3.FrontendMessage { return msgs(&pgproto3.Query{String: sql}) }
	steps := []step{
		{query1("begin"), "CommandComplete(BEGIN) ReadyT"},
		{append(declare("c", query), &pgproto3.Describe{ObjectType: 'P', Name: "c"}, execute("c", 2)),
			"ParseComplete BindComplete CommandComplete(DECLARE CURSOR) RowDescription(i:23:0,s:25:0) D(1,x1) D(2,x2) PortalSuspended ReadyT"},
		{msgs(execute("c", 2)), "D(3,x3) D(4,x4) PortalSuspended ReadyT"},
		// The last row fills the limit: suspended, then SELECT 0.
		{msgs(execute("c", 1)), "D(5,x5) PortalSuspended ReadyT"},
		{msgs(execute("c", 2)), "CommandComplete(SELECT 0) ReadyT"},
		{msgs(execute("c", 0)), "CommandComplete(SELECT 0) ReadyT"},
		{unnamed("fetch 1 from c", 0), "ParseComplete BindComplete CommandComplete(FETCH 0) ReadyT"},
		{msgs(&pgproto3.Close{ObjectType: 'P', Name: "c"}), "CloseComplete ReadyT"},
		{unnamed("fetch 1 from c", 0), "ParseComplete BindComplete Error(34000) ReadyE"},
		{query1("rollback"), "CommandComplete(ROLLBACK) ReadyI"},

		// Execute, then FETCH where Execute left off, then Execute
		// without a limit.
		{query1("begin"), "CommandComplete(BEGIN) ReadyT"},
		{append(declare("c", query), execute("c", 3)),
			"ParseComplete BindComplete CommandComplete(DECLARE CURSOR) D(1,x1) D(2,x2) D(3,x3) PortalSuspended ReadyT"},
		{unnamed("fetch 1 from c", 0), "ParseComplete BindComplete D(4,x4) CommandComplete(FETCH 1) ReadyT"},
		{msgs(execute("c", 0)), "D(5,x5) CommandComplete(SELECT 1) ReadyT"},
		// A portal cannot take a cursor's name.
		{msgs(&pgproto3.Parse{Name: "one", Query: "select 1"}, &pgproto3.Bind{PreparedStatement: "one", DestinationPortal: "c"}),
			"ParseComplete Error(42P03) ReadyE"},
		{query1("rollback"), "CommandComplete(ROLLBACK) ReadyI"},

		// FETCH with a row limit: its rows a batch at a time; the tag
		// counts the rows of the last Execute.
		{query1("begin"), "CommandComplete(BEGIN) ReadyT"},
		{append(declare("d", "select i::int4 as i from generate_series(1, 10) t(i)"),
			&pgproto3.Parse{Name: "f", Query: "fetch 5 from d"},
			&pgproto3.Bind{PreparedStatement: "f", DestinationPortal: "fp"},
			&pgproto3.Describe{ObjectType: 'P', Name: "fp"},
			execute("fp", 2)),
			"ParseComplete BindComplete CommandComplete(DECLARE CURSOR) ParseComplete BindComplete RowDescription(i:23:0) D(1) D(2) PortalSuspended ReadyT"},
		{msgs(execute("fp", 2)), "D(3) D(4) PortalSuspended ReadyT"},
		{msgs(execute("fp", 2)), "D(5) CommandComplete(FETCH 1) ReadyT"},
		{msgs(execute("fp", 2)), "CommandComplete(FETCH 0) ReadyT"},
		{unnamed("fetch 2 from d", 2), "ParseComplete BindComplete D(6) D(7) PortalSuspended ReadyT"},
		{unnamed("move 2 in d", 1), "ParseComplete BindComplete CommandComplete(MOVE 2) ReadyT"},
		{unnamed("fetch all from d", 1), "ParseComplete BindComplete D(10) PortalSuspended ReadyT"},
		{msgs(execute("", 1)), "CommandComplete(FETCH 0) ReadyT"},
		{query1("rollback"), "CommandComplete(ROLLBACK) ReadyI"},
	}
	for _, srv := range servers {
		rc := dialRaw(t, srv.addr)
		rc.startup(map[string]string{"user": srv.user})
		for i, st := range steps {
			m := st.msgs
			if _, simple := m[0].(*pgproto3.Query); !simple {
				m = append(m, &pgproto3.Sync{})
			}
			rc.send(m...)
			if got := rc.receivePortalMessages(); got != st.want {
				t.Errorf("%s, step %d:\n got %s\nwant %s", srv.user, i, got, st.want)
			}
		}
	}
}
