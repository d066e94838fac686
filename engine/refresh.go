package engine

import (
	"context"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/lakegate/lakegate/sqlstate"
)

// prepareCall handles CALL lakegate.refresh() and
// CALL lakegate.refresh('schema.table'): rebuild the file index of every
// lake table, or of one, reading only new or changed files. Queries see the
// lake as of the last refresh (automatic every refresh interval); this is
// how to see a change at once.
func (s *Session) prepareCall(st *Statement, call *pg_query.CallStmt) error {
	fc := call.GetFunccall()
	var name []string
	for _, n := range fc.GetFuncname() {
		name = append(name, strings.ToLower(n.GetString_().GetSval()))
	}
	if strings.Join(name, ".") != "lakegate.refresh" {
		return sqlstate.Errorf(sqlstate.UndefinedFunction, "procedure %s does not exist", strings.Join(name, ".")).
			WithHint("lakegate has one procedure: CALL lakegate.refresh() or CALL lakegate.refresh('schema.table').")
	}
	var schema, table string
	switch args := fc.GetArgs(); len(args) {
	case 0:
	case 1:
		arg := args[0].GetAConst().GetSval()
		if arg == nil {
			return sqlstate.Errorf(sqlstate.InvalidParameterValue, "lakegate.refresh takes a table name as a string literal, e.g. 'schema.table'")
		}
		var ok bool
		if schema, table, ok = strings.Cut(arg.GetSval(), "."); !ok || schema == "" || table == "" {
			return sqlstate.Errorf(sqlstate.InvalidParameterValue, "%q is not a schema-qualified table name", arg.GetSval())
		}
	default:
		return sqlstate.Errorf(sqlstate.UndefinedFunction, "lakegate.refresh takes at most one argument")
	}
	st.command = func(s *Session, _ ResultWriter) (string, error) {
		lake := s.engine.lake.Load().lake
		if lake == nil {
			return "CALL", nil
		}
		if t := lake.Table(schema, table); t != nil && table != "" {
			if err := s.checkGranted(t); err != nil { // a table the user may not read is not theirs to refresh
				return "", err
			}
		}
		if err := lake.Refresh(context.Background(), schema, table); err != nil {
			return "", sqlstate.Wrap(err, sqlstate.IOError, err.Error())
		}
		return "CALL", nil
	}
	return nil
}
