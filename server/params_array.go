package server

import (
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/lakegate/lakegate/engine"
	"github.com/lakegate/lakegate/sqlstate"
)

// Array parameters (int4[], text[], ...: psycopg's and asyncpg's Python
// lists, pgjdbc's setArray, `x = any($1)`) are bound as DuckDB LISTs: their
// text form ({1,2,NULL}, with array_in's quoting) or binary form is decoded
// with pgtype, not handed to DuckDB as a string it cannot cast.

// decodeArrayParamError is the error PostgreSQL gives for a malformed
// array parameter.
func decodeArrayParamError(i int, format int16, v []byte, err error) error {
	if format == pgtype.BinaryFormatCode {
		return sqlstate.Errorf(sqlstate.InvalidBinaryRepresentation,
			"incorrect binary data format in bind parameter %d", i+1).WithDetail(err.Error())
	}
	return sqlstate.Errorf(sqlstate.InvalidTextRepresentation,
		"malformed array literal: %q", string(v)).WithDetail(err.Error())
}

// arrayParamElems maps the array types whose parameters are bound as
// DuckDB lists to their element types: those pgtype decodes, in text and
// binary.
var arrayParamElems = map[uint32]uint32{
	pgtype.BoolArrayOID:        pgtype.BoolOID,
	pgtype.ByteaArrayOID:       pgtype.ByteaOID,
	pgtype.NameArrayOID:        pgtype.NameOID,
	pgtype.Int2ArrayOID:        pgtype.Int2OID,
	pgtype.Int4ArrayOID:        pgtype.Int4OID,
	pgtype.Int8ArrayOID:        pgtype.Int8OID,
	pgtype.TextArrayOID:        pgtype.TextOID,
	pgtype.BPCharArrayOID:      pgtype.BPCharOID,
	pgtype.VarcharArrayOID:     pgtype.VarcharOID,
	pgtype.OIDArrayOID:         pgtype.OIDOID,
	pgtype.Float4ArrayOID:      pgtype.Float4OID,
	pgtype.Float8ArrayOID:      pgtype.Float8OID,
	pgtype.NumericArrayOID:     pgtype.NumericOID,
	pgtype.DateArrayOID:        pgtype.DateOID,
	pgtype.TimeArrayOID:        pgtype.TimeOID,
	pgtype.TimestampArrayOID:   pgtype.TimestampOID,
	pgtype.TimestamptzArrayOID: pgtype.TimestamptzOID,
	pgtype.IntervalArrayOID:    pgtype.IntervalOID,
	pgtype.UUIDArrayOID:        pgtype.UUIDOID,
	pgtype.JSONArrayOID:        pgtype.JSONOID,
	pgtype.JSONBArrayOID:       pgtype.JSONBOID,
}

// decodeArrayParam decodes an array parameter, in PostgreSQL's text form
// ({1,2,NULL}, with its quoting and escapes) or binary format, with pgtype,
// into the list the engine binds. Elements keep the Go type the engine
// binds directly, or become their PostgreSQL text form, which DuckDB casts
// to the element type.
func decodeArrayParam(m *pgtype.Map, oid uint32, format int16, v []byte) (engine.ArrayParam, error) {
	elem := arrayParamElems[oid]
	if format == pgtype.TextFormatCode && elem != pgtype.ByteaOID {
		return decodeTextArrayParam(m, elem, v)
	}
	var arr pgtype.Array[any]
	if err := m.Scan(oid, format, v, &arr); err != nil {
		return engine.ArrayParam{}, err
	}
	values := make([]any, len(arr.Elements))
	for i, e := range arr.Elements {
		x, err := arrayParamElement(m, elem, e)
		if err != nil {
			return engine.ArrayParam{}, err
		}
		values[i] = x
	}
	return nestArrayParam(elem, values, arr.Dims), nil
}

// arrayParamElement converts an element as pgtype decoded it.
func arrayParamElement(m *pgtype.Map, oid uint32, e any) (any, error) {
	switch x := e.(type) {
	case nil, string, []byte, bool, int16, int32, int64, float32, float64:
		return x, nil
	case uint32: // oid
		return int64(x), nil
	case pgtype.Interval:
		return fmt.Sprintf("%d months %d days %d microseconds", x.Months, x.Days, x.Microseconds), nil
	}
	// Numeric, dates and times, uuid, json: their PostgreSQL text form.
	text, err := m.Encode(oid, pgtype.TextFormatCode, e, nil)
	if err != nil {
		return nil, err
	}
	return string(text), nil
}

// nestArrayParam splits the elements of a multidimensional array, which
// pgtype returns flat, into a list per dimension.
func nestArrayParam(elem uint32, values []any, dims []pgtype.ArrayDimension) engine.ArrayParam {
	if len(dims) <= 1 || dims[0].Length <= 0 {
		return engine.ArrayParam{Elem: elem, Values: values}
	}
	n := int(dims[0].Length)
	size := len(values) / n
	out := make([]any, n)
	for i := range n {
		out[i] = nestArrayParam(elem, values[i*size:(i+1)*size], dims[1:])
	}
	return engine.ArrayParam{Elem: elem, Values: out}
}

// decodeTextArrayParam reads array_in's text form with pgtype's parser
// (braces, quoting, escapes, NULL, dimensions) and keeps the elements as
// text, which DuckDB casts to the element type as it casts a string
// literal: pgtype's element parsers are stricter than PostgreSQL's input
// functions (" 1 " is 1 to array_in, which drops the white space around
// unquoted elements; pgtype's int parser refuses it).
func decodeTextArrayParam(m *pgtype.Map, elem uint32, v []byte) (engine.ArrayParam, error) {
	var arr pgtype.Array[*string]
	if err := m.Scan(pgtype.TextArrayOID, pgtype.TextFormatCode, v, &arr); err != nil {
		return engine.ArrayParam{}, err
	}
	values := make([]any, len(arr.Elements))
	for i, e := range arr.Elements {
		switch {
		case e == nil:
		case isTextElem(elem):
			values[i] = *e
		default:
			values[i] = strings.TrimSpace(*e)
		}
	}
	return nestArrayParam(elem, values, arr.Dims), nil
}

// isTextElem reports whether an element type is a string type, whose
// values keep their white space.
func isTextElem(oid uint32) bool {
	switch oid {
	case pgtype.TextOID, pgtype.VarcharOID, pgtype.BPCharOID, pgtype.NameOID, pgtype.JSONOID, pgtype.JSONBOID:
		return true
	}
	return false
}
