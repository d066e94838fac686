package engine

import (
	"context"
	"errors"
	"testing"

	"github.com/lakegate/lakegate/sqlstate"
)

// The errors and SQLSTATEs of COPY options are PostgreSQL's
// (ProcessCopyOptions), checked against PostgreSQL 15/16.
func TestCopyOptionErrors(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession("u", "d")
	defer s.Close()
	cases := []struct {
		sql  string
		code sqlstate.Code
		msg  string
	}{
		{"copy (select 1) to stdout (format xml)", sqlstate.InvalidParameterValue, `COPY format "xml" not recognized`},
		{"copy (select 1) to stdout (format csv, format text)", sqlstate.SyntaxError, "conflicting or redundant options"},
		{"copy (select 1) to stdout (format binary, delimiter ',')", sqlstate.SyntaxError, "cannot specify DELIMITER in BINARY mode"},
		{"copy (select 1) to stdout (format binary, null 'x')", sqlstate.SyntaxError, "cannot specify NULL in BINARY mode"},
		{"copy (select 1) to stdout (format binary, header)", sqlstate.FeatureNotSupported, "cannot specify HEADER in BINARY mode"},
		{"copy (select 1) to stdout (delimiter ',,')", sqlstate.FeatureNotSupported, "COPY delimiter must be a single one-byte character"},
		{`copy (select 1) to stdout (delimiter '\')`, sqlstate.InvalidParameterValue, `COPY delimiter cannot be "\\"`},
		{"copy (select 1) to stdout (delimiter E'\\n')", sqlstate.InvalidParameterValue, "COPY delimiter cannot be newline or carriage return"},
		{"copy (select 1) to stdout (null E'\\r')", sqlstate.InvalidParameterValue, "COPY null representation cannot use newline or carriage return"},
		{`copy (select 1) to stdout (format csv, delimiter '"')`, sqlstate.InvalidParameterValue, "COPY delimiter and quote must be different"},
		{`copy (select 1) to stdout (quote '"')`, sqlstate.FeatureNotSupported, "COPY quote available only in CSV mode"},
		{"copy (select 1) to stdout (format csv, quote 'ab')", sqlstate.FeatureNotSupported, "COPY quote must be a single one-byte character"},
		{"copy (select 1) to stdout (escape 'a')", sqlstate.FeatureNotSupported, "COPY escape available only in CSV mode"},
		{"copy (select 1) to stdout (force_quote *)", sqlstate.FeatureNotSupported, "COPY force quote available only in CSV mode"},
		{"copy (select 1 a) to stdout (format csv, force_quote (b))", sqlstate.UndefinedColumn, `column "b" does not exist`},
		{"copy (select 1 a) to stdout (format csv, force_not_null (a))", sqlstate.FeatureNotSupported, "COPY force not null only available using COPY FROM"},
		{"copy (select 1 a) to stdout (format csv, force_null (a))", sqlstate.FeatureNotSupported, "COPY force null only available using COPY FROM"},
		{"copy (select 1 a) to stdout (format csv, header match)", sqlstate.FeatureNotSupported, `cannot use "match" with HEADER in COPY TO`},
		{"copy (select 1 a) to stdout (header 'foo')", sqlstate.SyntaxError, `header requires a Boolean value or "match"`},
		{"copy (select 1 a) to stdout (foo 1)", sqlstate.SyntaxError, `option "foo" not recognized`},
		{"copy (select 1 a) to stdout (default 'x')", sqlstate.FeatureNotSupported, "COPY DEFAULT only available using COPY FROM"},
		{"copy (select 1 a) to stdout (format csv, delimiter 'a', null 'xay')", sqlstate.FeatureNotSupported, "COPY delimiter must not appear in the NULL specification"},
		{"copy (select 1 a) to stdout (format csv, null 'x\"')", sqlstate.FeatureNotSupported, "CSV quote character must not appear in the NULL specification"},
		{"copy (select 1 a) to stdout (delimiter 'r')", sqlstate.InvalidParameterValue, `COPY delimiter cannot be "r"`},
		{"copy (select $1) to stdout", sqlstate.UndefinedParameter, "there is no parameter $1"},
		{"copy t from stdin", sqlstate.ReadOnlySQLTransaction, "cannot execute COPY FROM in a read-only transaction"},
		{"copy (select 1) to '/tmp/x'", sqlstate.InsufficientPrivilege, "COPY to a file or program is not allowed"},
		{"copy (delete from t returning *) to stdout", sqlstate.ReadOnlySQLTransaction, "cannot execute DELETE in a read-only transaction"},
	}
	for _, c := range cases {
		_, err := s.Prepare(context.Background(), c.sql, nil)
		var se *sqlstate.Error
		if !errors.As(err, &se) || se.Code != c.code || se.Message != c.msg {
			t.Errorf("%s:\n got %v (%v)\nwant %s %s", c.sql, err, code(err), c.code, c.msg)
		}
	}
}

func code(err error) sqlstate.Code {
	var se *sqlstate.Error
	if errors.As(err, &se) {
		return se.Code
	}
	return ""
}

func TestCopyDescribe(t *testing.T) {
	e := openTestEngine(t)
	s := e.NewSession("u", "d")
	defer s.Close()
	st, err := s.Prepare(context.Background(), `COPY (select 1 as a, 'x' as "B") TO STDOUT WITH CSV HEADER DELIMITER ';' FORCE QUOTE "B"`, nil)
	if err != nil {
		t.Fatal(err)
	}
	cp := st.CopyOut()
	if cp == nil || st.Columns() != nil {
		t.Fatalf("copy %+v columns %v: a COPY describes no rows (NoData) and has CopyOut", cp, st.Columns())
	}
	if cp.Format != CopyCSV || !cp.Header || cp.Delimiter != ';' || cp.Null != "" || cp.Quote != '"' || cp.Escape != '"' ||
		len(cp.Columns) != 2 || cp.Columns[1].Name != "B" || cp.ForceQuote[0] || !cp.ForceQuote[1] {
		t.Errorf("copy options %+v", cp)
	}
	st, err = s.Prepare(context.Background(), `copy (values (1)) to stdout`, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cp := st.CopyOut(); cp.Format != CopyText || cp.Delimiter != '\t' || cp.Null != `\N` || cp.ForceQuote != nil {
		t.Errorf("defaults %+v", cp)
	}
	p, err := s.Bind(st, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	w := &captureWriter{}
	done, err := p.Execute(context.Background(), w, 0)
	if err != nil || done.Tag != "COPY 1" || len(w.rows) != 1 {
		t.Errorf("execute: %v %q %v", err, done.Tag, w.rows)
	}
}
