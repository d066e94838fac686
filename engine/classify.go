package engine

import (
	"fmt"
	"strings"

	bindings "github.com/duckdb/duckdb-go-bindings"
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/lakegate/lakegate/sqlstate"
)

// readOnlyHint is attached to every refusal of a statement that would write.
const readOnlyHint = "lakegate is a read-only gateway to the lake: only queries and session commands are allowed."

// refuseWrite is the error for a statement that would change something.
func refuseWrite(what string) *sqlstate.Error {
	return sqlstate.Errorf(sqlstate.ReadOnlySQLTransaction,
		"cannot execute %s in a read-only transaction", what).WithHint(readOnlyHint)
}

// writeTags names, for the refusal message, the statements PostgreSQL
// clients send most often that lakegate refuses.
var writeTags = map[string]string{
	"InsertStmt":          "INSERT",
	"UpdateStmt":          "UPDATE",
	"DeleteStmt":          "DELETE",
	"MergeStmt":           "MERGE",
	"CreateStmt":          "CREATE TABLE",
	"CreateTableAsStmt":   "CREATE TABLE AS",
	"ViewStmt":            "CREATE VIEW",
	"CreateSchemaStmt":    "CREATE SCHEMA",
	"CreateFunctionStmt":  "CREATE FUNCTION",
	"CreateSeqStmt":       "CREATE SEQUENCE",
	"CreateExtensionStmt": "CREATE EXTENSION",
	"CreatedbStmt":        "CREATE DATABASE",
	"IndexStmt":           "CREATE INDEX",
	"DropStmt":            "DROP",
	"DropdbStmt":          "DROP DATABASE",
	"AlterTableStmt":      "ALTER TABLE",
	"RenameStmt":          "ALTER",
	"TruncateStmt":        "TRUNCATE",
	"CopyStmt":            "COPY FROM",
	"GrantStmt":           "GRANT",
	"CommentStmt":         "COMMENT",
	"VacuumStmt":          "VACUUM",
	"LoadStmt":            "LOAD",
	"LockStmt":            "LOCK TABLE",
	"CallStmt":            "CALL",
	"DoStmt":              "DO",
	"AlterSystemStmt":     "ALTER SYSTEM",
}

// nodeName is the protobuf name of a statement node, e.g. "InsertStmt".
func nodeName(n *pg_query.Node) string {
	name := fmt.Sprintf("%T", n.GetNode())
	name = strings.TrimPrefix(name, "*pg_query.Node_")
	return strings.ReplaceAll(name, "_", "")
}

// checkReadOnlyQuery refuses the ways a query can write: SELECT INTO,
// row locking clauses, and data-modifying statements in WITH.
func checkReadOnlyQuery(n *pg_query.Node) *sqlstate.Error {
	sel := n.GetSelectStmt()
	if sel == nil {
		return nil
	}
	if sel.IntoClause != nil {
		return refuseWrite("SELECT INTO")
	}
	if len(sel.LockingClause) > 0 {
		return refuseWrite("SELECT FOR UPDATE/SHARE")
	}
	if sel.WithClause != nil {
		for _, cte := range sel.WithClause.Ctes {
			if q := cte.GetCommonTableExpr().GetCtequery(); q != nil {
				if q.GetSelectStmt() == nil {
					return refuseWrite(writeTag(q))
				}
				if err := checkReadOnlyQuery(q); err != nil {
					return err
				}
			}
		}
	}
	for _, arm := range []*pg_query.SelectStmt{sel.Larg, sel.Rarg} {
		if arm != nil {
			if err := checkReadOnlyQuery(&pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: arm}}); err != nil {
				return err
			}
		}
	}
	return nil
}

func writeTag(n *pg_query.Node) string {
	if tag, ok := writeTags[nodeName(n)]; ok {
		return tag
	}
	return "this statement"
}

// duckdbReadTypes are DuckDB statement types that only read. Statements
// pg_query cannot parse run only if DuckDB says they are one of these.
var duckdbReadTypes = map[bindings.StatementType]string{
	bindings.StatementTypeSelect:  "SELECT",
	bindings.StatementTypeExplain: "EXPLAIN",
}

// duckdbTypeNames names DuckDB statement types in refusals.
var duckdbTypeNames = map[bindings.StatementType]string{
	bindings.StatementTypeInsert:      "INSERT",
	bindings.StatementTypeUpdate:      "UPDATE",
	bindings.StatementTypeDelete:      "DELETE",
	bindings.StatementTypeCreate:      "CREATE",
	bindings.StatementTypeDrop:        "DROP",
	bindings.StatementTypeAlter:       "ALTER",
	bindings.StatementTypeCopy:        "COPY",
	bindings.StatementTypeAttach:      "ATTACH",
	bindings.StatementTypeDetach:      "DETACH",
	bindings.StatementTypeLoad:        "LOAD",
	bindings.StatementTypeExtension:   "INSTALL",
	bindings.StatementTypeExport:      "EXPORT DATABASE",
	bindings.StatementTypeVacuum:      "VACUUM",
	bindings.StatementTypeCreateFunc:  "CREATE MACRO",
	bindings.StatementTypePragma:      "PRAGMA",
	bindings.StatementTypeSet:         "SET",
	bindings.StatementTypeVariableSet: "SET VARIABLE",
	bindings.StatementTypeCall:        "CALL",
	bindings.StatementTypeAnalyze:     "ANALYZE",
	bindings.StatementTypeTransaction: "a DuckDB transaction statement",
	bindings.StatementTypePrepare:     "PREPARE",
	bindings.StatementTypeExecute:     "EXECUTE",
	bindings.StatementTypeMulti:       "several statements",
}

// refuseDuckDBStatement is the error for a DuckDB-only statement that does
// not only read.
func refuseDuckDBStatement(t bindings.StatementType) *sqlstate.Error {
	name, ok := duckdbTypeNames[t]
	if !ok {
		name = "this statement"
	}
	switch t {
	case bindings.StatementTypePragma, bindings.StatementTypeSet, bindings.StatementTypeVariableSet,
		bindings.StatementTypeLoad, bindings.StatementTypeExtension, bindings.StatementTypeAttach,
		bindings.StatementTypeDetach, bindings.StatementTypeTransaction, bindings.StatementTypePrepare,
		bindings.StatementTypeExecute, bindings.StatementTypeMulti:
		return sqlstate.Errorf(sqlstate.InsufficientPrivilege, "%s is not allowed through lakegate", name).WithHint(readOnlyHint)
	}
	return refuseWrite(name)
}
