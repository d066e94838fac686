package server

import (
	"reflect"
	"testing"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/lakegate/lakegate/engine"
)

func TestDecodeArrayParams(t *testing.T) {
	m := pgtype.NewMap()
	int4Binary, err := m.Encode(pgtype.Int4ArrayOID, pgtype.BinaryFormatCode, []int32{1, -2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		oid    uint32
		format int16
		value  []byte
		want   engine.ArrayParam
	}{
		{pgtype.Int4ArrayOID, pgtype.TextFormatCode, []byte("{ 1 , -2,NULL}"), engine.ArrayParam{Elem: pgtype.Int4OID, Values: []any{"1", "-2", nil}}},
		{pgtype.TextArrayOID, pgtype.TextFormatCode, []byte(`{"a,b","c\"d",NULL,"NULL"," x "}`), engine.ArrayParam{Elem: pgtype.TextOID, Values: []any{"a,b", `c"d`, nil, "NULL", " x "}}},
		{pgtype.Int4ArrayOID, pgtype.TextFormatCode, []byte("{}"), engine.ArrayParam{Elem: pgtype.Int4OID, Values: []any{}}},
		{pgtype.Int8ArrayOID, pgtype.TextFormatCode, []byte("{{1,2},{3,4}}"), engine.ArrayParam{Elem: pgtype.Int8OID, Values: []any{
			engine.ArrayParam{Elem: pgtype.Int8OID, Values: []any{"1", "2"}},
			engine.ArrayParam{Elem: pgtype.Int8OID, Values: []any{"3", "4"}}}}},
		{pgtype.Int4ArrayOID, pgtype.BinaryFormatCode, int4Binary, engine.ArrayParam{Elem: pgtype.Int4OID, Values: []any{int32(1), int32(-2)}}},
	} {
		args, err := decodeParams([]uint32{c.oid}, []int16{c.format}, [][]byte{c.value})
		if err != nil {
			t.Errorf("%s: %v", c.value, err)
			continue
		}
		if !reflect.DeepEqual(args[0], c.want) {
			t.Errorf("%q: got %#v, want %#v", c.value, args[0], c.want)
		}
	}
	for _, bad := range []string{"{1,2", "1,2", "{{1},{2,3}}"} {
		if _, err := decodeParams([]uint32{pgtype.Int4ArrayOID}, []int16{pgtype.TextFormatCode}, [][]byte{[]byte(bad)}); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
