package engine

import (
	"context"
	"fmt"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/lakegate/lakegate/sqlstate"
)

// This file answers the session commands lakegate handles itself, with
// PostgreSQL's semantics. Transactions are read-only: BEGIN/COMMIT/ROLLBACK
// track the status byte and savepoints; there is nothing to commit.

func warning(code sqlstate.Code, msg string) *sqlstate.Error {
	return &sqlstate.Error{Code: code, Severity: sqlstate.SeverityWarning, Message: msg}
}

func prepareTransaction(st *Statement, t *pg_query.TransactionStmt) error {
	switch t.Kind {
	case pg_query.TransactionStmtKind_TRANS_STMT_BEGIN, pg_query.TransactionStmtKind_TRANS_STMT_START:
		tag := "BEGIN"
		if t.Kind == pg_query.TransactionStmtKind_TRANS_STMT_START {
			tag = "START TRANSACTION"
		}
		st.command = func(s *Session, w ResultWriter) (string, error) {
			if s.tx != TxIdle {
				if err := w.WriteNotice(warning(sqlstate.ActiveSQLTransaction, "there is already a transaction in progress")); err != nil {
					return "", err
				}
			} else {
				s.tx = TxActive
			}
			return tag, nil
		}
	case pg_query.TransactionStmtKind_TRANS_STMT_COMMIT, pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK:
		tag := "COMMIT"
		if t.Kind == pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK {
			tag = "ROLLBACK"
		}
		st.transactionEnd = true
		st.command = func(s *Session, w ResultWriter) (string, error) {
			result := tag
			switch s.tx {
			case TxIdle:
				if err := w.WriteNotice(warning(sqlstate.NoActiveSQLTransaction, "there is no transaction in progress")); err != nil {
					return "", err
				}
			case TxFailed:
				result = "ROLLBACK" // committing a failed transaction rolls it back
			}
			s.tx, s.savepoints = TxIdle, nil
			return result, nil
		}
	case pg_query.TransactionStmtKind_TRANS_STMT_SAVEPOINT:
		st.command = func(s *Session, _ ResultWriter) (string, error) {
			if s.tx == TxIdle {
				return "", sqlstate.Errorf(sqlstate.NoActiveSQLTransaction, "SAVEPOINT can only be used in transaction blocks")
			}
			s.savepoints = append(s.savepoints, t.SavepointName)
			return "SAVEPOINT", nil
		}
	case pg_query.TransactionStmtKind_TRANS_STMT_RELEASE, pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK_TO:
		rollback := t.Kind == pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK_TO
		st.transactionEnd = rollback
		st.command = func(s *Session, _ ResultWriter) (string, error) {
			verb := "RELEASE SAVEPOINT"
			if rollback {
				verb = "ROLLBACK TO SAVEPOINT"
			}
			if s.tx == TxIdle {
				return "", sqlstate.Errorf(sqlstate.NoActiveSQLTransaction, "%s can only be used in transaction blocks", verb)
			}
			i := len(s.savepoints) - 1
			for i >= 0 && s.savepoints[i] != t.SavepointName {
				i--
			}
			if i < 0 {
				return "", sqlstate.Errorf(sqlstate.InvalidSavepointSpecification, "savepoint %q does not exist", t.SavepointName)
			}
			if rollback {
				s.savepoints = s.savepoints[:i+1]
				s.tx = TxActive
				return "ROLLBACK", nil
			}
			s.savepoints = s.savepoints[:i]
			return "RELEASE", nil
		}
	default: // PREPARE TRANSACTION, COMMIT/ROLLBACK PREPARED
		return sqlstate.Errorf(sqlstate.FeatureNotSupported, "two-phase commit is not supported by lakegate")
	}
	return nil
}

// prepareSet handles SET, SET LOCAL, RESET, RESET ALL, SET TRANSACTION and
// SET SESSION CHARACTERISTICS.
func prepareSet(st *Statement, v *pg_query.VariableSetStmt) error {
	switch v.Kind {
	case pg_query.VariableSetKind_VAR_SET_MULTI: // SET TRANSACTION ..., SET SESSION CHARACTERISTICS ...
		for _, arg := range v.Args {
			def := arg.GetDefElem()
			if def != nil && def.Defname == "transaction_read_only" && constString(def.Arg) == "false" {
				return refuseWrite("SET TRANSACTION READ WRITE")
			}
		}
		st.command = func(*Session, ResultWriter) (string, error) { return "SET", nil }
		return nil
	case pg_query.VariableSetKind_VAR_RESET_ALL:
		st.command = func(s *Session, _ ResultWriter) (string, error) {
			resetAll(s)
			return "RESET", nil
		}
		return nil
	}
	def, err := lookupSetting(v.Name)
	if err != nil {
		return err
	}
	tag := "SET"
	var value func(s *Session) string
	switch v.Kind {
	case pg_query.VariableSetKind_VAR_SET_VALUE:
		parts := make([]string, len(v.Args))
		for i, a := range v.Args {
			parts[i] = constString(a)
		}
		joined := strings.Join(parts, ", ")
		value = func(*Session) string { return joined }
	case pg_query.VariableSetKind_VAR_SET_DEFAULT, pg_query.VariableSetKind_VAR_RESET:
		if v.Kind == pg_query.VariableSetKind_VAR_RESET {
			tag = "RESET"
		}
		value = func(s *Session) string { return s.settings.resetValue(s, *def) }
	default: // SET ... FROM CURRENT
		return sqlstate.Errorf(sqlstate.FeatureNotSupported, "SET ... FROM CURRENT is not supported")
	}
	if def.check == nil {
		return sqlstate.Errorf(sqlstate.CantChangeRuntimeParam, "parameter %q cannot be changed", def.name)
	}
	st.command = func(s *Session, _ ResultWriter) (string, error) {
		return tag, s.settings.set(def.name, value(s))
	}
	return nil
}

func resetAll(s *Session) {
	for _, def := range settingDefs {
		if def.check != nil {
			s.settings.set(def.name, s.settings.resetValue(s, def))
		}
	}
}

// constString renders a SET argument (a string, number or identifier
// constant) as the text PostgreSQL would store.
func constString(n *pg_query.Node) string {
	if n == nil {
		return ""
	}
	if c := n.GetAConst(); c != nil {
		switch {
		case c.GetSval() != nil:
			return c.GetSval().Sval
		case c.GetIval() != nil:
			return fmt.Sprint(c.GetIval().Ival)
		case c.GetFval() != nil:
			return c.GetFval().Fval
		case c.GetBoolval() != nil:
			if c.GetBoolval().Boolval {
				return "true"
			}
			return "false"
		}
		return ""
	}
	if tc := n.GetTypeCast(); tc != nil { // SET TIME ZONE INTERVAL '...'
		return constString(tc.Arg)
	}
	return ""
}

// prepareShow describes SHOW name (one text column named after the
// parameter) and SHOW ALL (name, setting, description). The rows are
// produced by DuckDB from literals built when the portal is bound, so they
// stream through the same path as every other result.
func (s *Session) prepareShow(st *Statement, name string) error {
	st.tag = "SHOW"
	if strings.EqualFold(name, "all") {
		st.query = func(s *Session) (string, error) {
			var rows []string
			for _, n := range sortedSettingNames() {
				def := settingsByName[strings.ToLower(n)]
				rows = append(rows, "("+quoteLiteral(def.name)+", "+quoteLiteral(s.settings.values[def.name])+", "+quoteLiteral(def.description)+")")
			}
			return "SELECT * FROM (VALUES " + strings.Join(rows, ", ") + ") AS t(name, setting, description)", nil
		}
	} else {
		// PostgreSQL accepts SHOW TRANSACTION ISOLATION LEVEL etc. as names.
		name = strings.ReplaceAll(name, " ", "_")
		switch strings.ToLower(name) {
		case "transaction_isolation_level":
			name = "transaction_isolation"
		case "time_zone":
			name = "TimeZone"
		}
		canonical, _, err := s.settings.get(name)
		if err != nil {
			return err
		}
		st.query = func(s *Session) (string, error) {
			_, v, err := s.settings.get(canonical)
			return "SELECT " + quoteLiteral(v) + " AS " + quoteIdent(canonical), err
		}
	}
	q, err := st.query(s)
	if err != nil {
		return err
	}
	saved := st.source.sql
	st.source.sql = q
	err = s.describeQuery(context.Background(), st, nil)
	st.source.sql = saved
	return err
}

func prepareDiscard(st *Statement, d *pg_query.DiscardStmt) error {
	tag := map[pg_query.DiscardMode]string{
		pg_query.DiscardMode_DISCARD_ALL:       "DISCARD ALL",
		pg_query.DiscardMode_DISCARD_PLANS:     "DISCARD PLANS",
		pg_query.DiscardMode_DISCARD_SEQUENCES: "DISCARD SEQUENCES",
		pg_query.DiscardMode_DISCARD_TEMP:      "DISCARD TEMP",
	}[d.Target]
	st.command = func(s *Session, _ ResultWriter) (string, error) {
		if d.Target == pg_query.DiscardMode_DISCARD_ALL {
			if s.tx != TxIdle {
				return "", sqlstate.Errorf(sqlstate.ActiveSQLTransaction, "DISCARD ALL cannot run inside a transaction block")
			}
			resetAll(s)
		}
		return tag, nil
	}
	return nil
}

// quoteIdent quotes s as a SQL identifier.
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
