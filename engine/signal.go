package engine

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgtype"
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/lakegate/lakegate/sqlstate"
)

// pg_cancel_backend(pid) and pg_terminate_backend(pid) act on another
// session, which DuckDB cannot do from SQL: the engine answers
// SELECT pg_cancel_backend(<pid or $n>) itself, acting when the portal
// executes. An admin (SetAdmins) may signal any session, a user only the
// sessions of the same user, as PostgreSQL allows a role's members.

var signalFunctions = map[string]bool{"pg_cancel_backend": false, "pg_terminate_backend": true}

// prepareSignal handles a SELECT of one signal function call. ok reports
// that the statement was one (or mentions one in a form lakegate cannot
// run), whatever err says.
func (s *Session) prepareSignal(st *Statement, sel *pg_query.SelectStmt) (ok bool, err error) {
	lower := strings.ToLower(st.source.sql)
	if !strings.Contains(lower, "pg_cancel_backend") && !strings.Contains(lower, "pg_terminate_backend") {
		return false, nil
	}
	name, terminate, arg, column, matched := signalCall(sel)
	if !matched {
		return true, sqlstate.Errorf(sqlstate.FeatureNotSupported,
			"lakegate runs pg_cancel_backend and pg_terminate_backend only as SELECT %s(pid)", name).
			WithHint("Look the process ID up in pg_stat_activity first, then signal it in a statement of its own.")
	}
	st.tag = "SELECT"
	st.columns = []Column{{Name: column, Type: typeBool}}
	if ref := arg.GetParamRef(); ref != nil {
		if ref.Number != 1 {
			return true, sqlstate.Errorf(sqlstate.UndefinedParameter, "there is no parameter $%d", ref.Number)
		}
		st.paramOIDs = []uint32{pgtype.Int4OID}
	}
	st.run = func(ctx context.Context, p *Portal, w ResultWriter) (string, error) {
		pid, err := signalTarget(arg, p.args)
		if err != nil {
			return "", err
		}
		signalled, err := p.session.signal(pid, terminate, w)
		if err != nil {
			return "", err
		}
		p.sql = "SELECT " + strconv.FormatBool(signalled) + " AS " + quoteIdent(column)
		p.args = nil
		done, err := p.run(ctx, w, 0)
		return done.Tag, err
	}
	return true, nil
}

// signalCall matches SELECT [pg_catalog.]pg_cancel_backend(arg) [AS x] with
// no other clause; name is the function named, for the error otherwise.
func signalCall(sel *pg_query.SelectStmt) (name string, terminate bool, arg *pg_query.Node, column string, ok bool) {
	name = "pg_cancel_backend"
	targets := sel.GetTargetList()
	if len(targets) != 1 || len(sel.GetFromClause()) > 0 || sel.GetWhereClause() != nil || sel.GetOp() != pg_query.SetOperation_SETOP_NONE {
		return name, false, nil, "", false
	}
	rt := targets[0].GetResTarget()
	fc := rt.GetVal().GetFuncCall()
	if fc == nil {
		return name, false, nil, "", false
	}
	parts := fc.GetFuncname()
	last := strings.ToLower(parts[len(parts)-1].GetString_().GetSval())
	terminate, known := signalFunctions[last]
	if !known || (len(parts) == 2 && strings.ToLower(parts[0].GetString_().GetSval()) != "pg_catalog") || len(parts) > 2 {
		return name, false, nil, "", false
	}
	name = last
	// pg_terminate_backend(pid, timeout): the timeout (waiting for the
	// process to exit) is accepted and not needed, since lakegate's
	// termination is immediate.
	args := fc.GetArgs()
	if len(args) != 1 && !(terminate && len(args) == 2) {
		return name, false, nil, "", false
	}
	arg = args[0]
	for arg.GetTypeCast() != nil {
		arg = arg.GetTypeCast().GetArg()
	}
	if arg.GetParamRef() == nil && arg.GetAConst().GetIval() == nil {
		return name, false, nil, "", false
	}
	column = name
	if rt.GetName() != "" {
		column = rt.GetName()
	}
	return name, terminate, arg, column, true
}

// signalTarget is the process ID a signal call names, from its constant
// or its bound parameter.
func signalTarget(arg *pg_query.Node, args []any) (int64, error) {
	if c := arg.GetAConst().GetIval(); c != nil {
		return int64(c.Ival), nil
	}
	if len(args) != 1 || args[0] == nil {
		return 0, sqlstate.Errorf(sqlstate.InvalidParameterValue, "process ID must not be null")
	}
	switch v := args[0].(type) {
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 32)
		if err != nil {
			return 0, sqlstate.Errorf(sqlstate.InvalidTextRepresentation, "invalid input syntax for type integer: %q", v)
		}
		return n, nil
	case int16:
		return int64(v), nil
	case int32:
		return int64(v), nil
	case int64:
		return v, nil
	}
	return 0, sqlstate.Errorf(sqlstate.InvalidParameterValue, "process ID must be an integer, not %T", args[0])
}

// signal cancels the running statement of the session pid, or terminates
// it. Like PostgreSQL, an unknown pid is a warning and false.
func (s *Session) signal(pid int64, terminate bool, w ResultWriter) (bool, error) {
	var target *Session
	if pid > 0 && pid <= 1<<32-1 {
		target = s.engine.ops.registry.find(uint32(pid))
	}
	if target == nil {
		return false, w.WriteNotice(&sqlstate.Error{Code: sqlstate.Warning, Severity: sqlstate.SeverityWarning,
			Message: fmt.Sprintf("PID %d is not a PostgreSQL backend process", pid)})
	}
	if target.user != s.user && !s.engine.isAdmin(s.user) {
		what, action := "cancel query", "cancel this query"
		if terminate {
			what, action = "terminate process", "terminate this backend"
		}
		return false, sqlstate.Errorf(sqlstate.InsufficientPrivilege, "permission denied to %s", what).
			WithDetail(fmt.Sprintf("Only lakegate admins (--admins) and the role whose session it is may %s.", action))
	}
	if !terminate {
		target.Cancel()
		return true, nil
	}
	target.activity.mu.Lock()
	end := target.activity.backend.Terminate
	target.activity.mu.Unlock()
	if end == nil {
		return false, nil
	}
	end()
	return true, nil
}
