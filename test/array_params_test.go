package test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// TestArrayParameters binds arrays as parameters, in PostgreSQL's text
// form (with its quoting, escapes and NULL) and in binary (through pgx),
// and uses them as lists: `= any($1)`, `$1::int4[]`. Every answer is
// PostgreSQL's (checked against a real PostgreSQL unless -short).
func TestArrayParameters(t *testing.T) {
	type server struct{ name, url string }
	servers := []server{{"lakegate", startLakegate(t).url("lakegate")}}
	if !testing.Short() {
		servers = append(servers, server{"postgres", startPostgres(t).URL("postgres")})
	}
	// Sent in text format with the parameter's type declared in Parse.
	texts := []struct {
		sql   string
		oid   uint32
		value string
		want  string
	}{
		{"select 2 = any($1), 5 = any($1), $1::int4[]", pgtype.Int4ArrayOID, "{1,2,3}", "t|f|{1,2,3}"},
		{"select $1::int4[]", pgtype.Int4ArrayOID, "{ 1 , -2,NULL}", "{1,-2,NULL}"},
		{"select 3 = any($1), $1::int2[]", pgtype.Int2ArrayOID, "{1,2,3}", "t|{1,2,3}"},
		{"select 3 = any($1), $1::int8[]", pgtype.Int8ArrayOID, "{9000000000,3}", "t|{9000000000,3}"},
		{"select 'a,b' = any($1), 'c\"d' = any($1), 'NULL' = any($1), $1::text[]", pgtype.TextArrayOID, `{"a,b","c\"d",NULL,"NULL",e}`, `t|t|t|{"a,b","c\"d",NULL,"NULL",e}`},
		{"select 'x' = any($1)", pgtype.VarcharArrayOID, `{x,y}`, "t"},
		{"select 2.25 = any($1), 2.5 = any($1)", pgtype.NumericArrayOID, "{1.5,2.25}", "t|f"},
		{"select 0.5::float8 = any($1)", pgtype.Float8ArrayOID, "{0.5,1e300}", "t"},
		{"select date '2024-03-02' = any($1), $1::date[]", pgtype.DateArrayOID, "{2024-03-01,2024-03-02}", "t|{2024-03-01,2024-03-02}"},
		{"select true = any($1)", pgtype.BoolArrayOID, "{f,t}", "t"},
		{"select 1 = any($1), $1::int4[]", pgtype.Int4ArrayOID, "{}", "f|{}"},
		{"select count(*) from generate_series(1, 10) t(i) where i = any($1)", pgtype.Int4ArrayOID, "{2,4,6,NULL}", "3"},
	}
	// Sent by pgx, in binary.
	binaries := []struct {
		sql  string
		arg  any
		want string
	}{
		{"select 2 = any($1), $1::int4[]", []int32{1, 2, 3}, "t|{1,2,3}"},
		{"select count(*) from generate_series(1, 10) t(i) where i = any($1)", []int64{2, 4, 6}, "3"},
		{"select 'b' = any($1), $1::text[]", []string{"a", "b", "c,d"}, `t|{a,b,"c,d"}`},
		{"select $1::int4[]", []*int32{nil, new(int32)}, "{NULL,0}"},
	}
	ctx := context.Background()
	for _, srv := range servers {
		conn, err := pgx.Connect(ctx, srv.url)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		for _, c := range texts {
			res := conn.PgConn().ExecParams(ctx, c.sql, [][]byte{[]byte(c.value)}, []uint32{c.oid}, []int16{0}, []int16{0}).Read()
			if got := arrayParamRows(res.Rows, res.Err); got != c.want {
				t.Errorf("%s: %s with %s: got %s, want %s", srv.name, c.sql, c.value, got, c.want)
			}
		}
		for _, c := range binaries {
			rows, _ := conn.Query(ctx, c.sql, c.arg)
			var got [][][]byte
			for rows.Next() {
				var row [][]byte
				for _, v := range rows.RawValues() {
					row = append(row, append([]byte(nil), v...))
				}
				got = append(got, row)
			}
			// pgx reads results in binary: compare through text.
			text := arrayParamRows(nil, rows.Err())
			if rows.Err() == nil {
				text = arrayParamBinaryRows(conn, rows.FieldDescriptions(), got)
			}
			if text != c.want {
				t.Errorf("%s: %s with %v: got %s, want %s", srv.name, c.sql, c.arg, text, c.want)
			}
		}
		// An element that is not a value of the element type.
		res := conn.PgConn().ExecParams(ctx, "select $1::int4[]", [][]byte{[]byte("{1,x}")}, []uint32{pgtype.Int4ArrayOID}, []int16{0}, []int16{0}).Read()
		if res.Err == nil || !strings.Contains(res.Err.Error(), "22P02") {
			t.Errorf("%s: bad element: %v", srv.name, res.Err)
		}
		// A malformed array is refused as PostgreSQL refuses it.
		res = conn.PgConn().ExecParams(ctx, "select $1::int4[]", [][]byte{[]byte("{1,2")}, []uint32{pgtype.Int4ArrayOID}, []int16{0}, []int16{0}).Read()
		if res.Err == nil || !strings.Contains(res.Err.Error(), "22P02") {
			t.Errorf("%s: malformed array: %v", srv.name, res.Err)
		}
	}
}

// arrayParamRows prints text result rows, values separated by |.
func arrayParamRows(rows [][][]byte, err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	var lines []string
	for _, r := range rows {
		vals := make([]string, len(r))
		for i, v := range r {
			vals[i] = string(v)
		}
		lines = append(lines, strings.Join(vals, "|"))
	}
	return strings.Join(lines, "\n")
}

// arrayParamBinaryRows decodes binary result values and prints them in
// PostgreSQL's text form.
func arrayParamBinaryRows(conn *pgx.Conn, fields []pgconn.FieldDescription, rows [][][]byte) string {
	m := conn.TypeMap()
	var lines []string
	for _, r := range rows {
		vals := make([]string, len(r))
		for i, v := range r {
			f := fields[i]
			t, ok := m.TypeForOID(f.DataTypeOID)
			if !ok {
				vals[i] = fmt.Sprintf("?oid %d", f.DataTypeOID)
				continue
			}
			x, err := t.Codec.DecodeValue(m, f.DataTypeOID, f.Format, v)
			if err != nil {
				vals[i] = "error: " + err.Error()
				continue
			}
			text, err := m.Encode(f.DataTypeOID, pgtype.TextFormatCode, x, nil)
			if err != nil {
				vals[i] = "error: " + err.Error()
				continue
			}
			vals[i] = string(text)
		}
		lines = append(lines, strings.Join(vals, "|"))
	}
	return strings.Join(lines, "\n")
}
