package engine

import (
	"context"

	bindings "github.com/duckdb/duckdb-go-bindings"
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/lakegate/lakegate/sqlstate"
)

// set_config(name, value, is_local) is PostgreSQL's function form of SET,
// which clients and tools send as a query (pg_dump's
// `SELECT pg_catalog.set_config('search_path', '', false)`, ORMs setting
// application_name or search_path). A SELECT whose only target is a call
// of it, with constant arguments and nothing else (no FROM, WHERE...), sets
// the session's parameter when it runs, as SET does (and reports it with
// ParameterStatus if PostgreSQL does), and returns the new value in one
// row of one text column named set_config. is_local true acts as SET LOCAL
// does in lakegate: like SET.

// setConfigCall returns the arguments of such a SELECT, or ok false when
// the statement is not one.
func setConfigCall(sel *pg_query.SelectStmt) (column, name, value string, ok bool) {
	if sel == nil || len(sel.TargetList) != 1 || len(sel.FromClause) > 0 || sel.WhereClause != nil ||
		len(sel.GroupClause) > 0 || sel.HavingClause != nil || len(sel.ValuesLists) > 0 ||
		sel.Op > pg_query.SetOperation_SETOP_NONE || len(sel.SortClause) > 0 ||
		sel.LimitCount != nil || sel.WithClause != nil || len(sel.DistinctClause) > 0 {
		return "", "", "", false
	}
	target := sel.TargetList[0].GetResTarget()
	fc := target.GetVal().GetFuncCall()
	if fc == nil || len(fc.Args) != 3 {
		return "", "", "", false
	}
	fn := names(fc.Funcname)
	if !(len(fn) == 1 && fn[0] == "set_config" || len(fn) == 2 && fn[0] == "pg_catalog" && fn[1] == "set_config") {
		return "", "", "", false
	}
	nameArg, nameOK := constStr(fc.Args[0])
	valueArg, valueOK := constStr(fc.Args[1])
	if !nameOK || !valueOK || fc.Args[2].GetAConst() == nil {
		return "", "", "", false
	}
	column = target.GetName()
	if column == "" {
		column = "set_config"
	}
	return column, nameArg, valueArg, true
}

// prepareSetConfig makes st run set_config(name, value, ...).
func prepareSetConfig(st *Statement, column, name, value string) error {
	def, err := lookupSetting(name)
	if err != nil {
		return err
	}
	if def.check == nil {
		return sqlstate.Errorf(sqlstate.CantChangeRuntimeParam, "parameter %q cannot be changed", def.name)
	}
	st.tag = "SELECT"
	st.columns = []Column{{Name: column, Type: typeText}}
	st.run = func(_ context.Context, p *Portal, w ResultWriter) (string, error) {
		s := p.session
		if err := s.settings.set(def.name, value); err != nil {
			return "", err
		}
		_, now, _ := s.settings.get(def.name)
		if err := writeTextRow(w, now); err != nil {
			return "", err
		}
		return "SELECT 1", nil
	}
	return nil
}

// writeTextRow sends one row of one text value through w, in a DuckDB
// data chunk as the writers expect.
func writeTextRow(w ResultWriter, value string) error {
	lt := bindings.CreateLogicalType(bindings.TypeVarchar)
	defer bindings.DestroyLogicalType(&lt)
	chunk := bindings.CreateDataChunk([]bindings.LogicalType{lt})
	defer bindings.DestroyDataChunk(&chunk)
	vec := bindings.DataChunkGetVector(chunk, 0)
	bindings.VectorAssignStringElement(vec, 0, value)
	bindings.DataChunkSetSize(chunk, 1)
	shape := newShape(lt)
	c := Chunk{Len: 1, Columns: []Vector{newVector(vec, shape)}}
	return w.WriteRows(&c, 0, 1)
}
