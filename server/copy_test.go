package server

import (
	"testing"

	"github.com/lakegate/lakegate/engine"
)

// The expected outputs are PostgreSQL's (CopyAttributeOutText and
// CopyAttributeOutCSV); test/copy_test.go compares whole COPY outputs with
// a real PostgreSQL.
func TestAppendCopyText(t *testing.T) {
	cases := []struct {
		in, want string
		delim    byte
	}{
		{"plain", "plain", '\t'},
		{"a\tb\nc\rd\\e", `a\tb\nc\rd\\e`, '\t'},
		{"\b\f\v", `\b\f\v`, '\t'},
		{"\x01\x1f", "\x01\x1f", '\t'}, // other control characters go as they are
		{"a,b", `a\,b`, ','},
		{"a\tb", `a\tb`, ','},
		{"a|b\x01", "a\\|b\x01", '|'},
		{"\x01x", "\\\x01x", '\x01'}, // a control character that is the delimiter is escaped as itself
		{"日本\\", `日本\\`, '\t'},
		{"", "", '\t'},
	}
	for _, c := range cases {
		if got := string(appendCopyText([]byte("<"), []byte(c.in), c.delim)); got != "<"+c.want {
			t.Errorf("%q (delimiter %q): got %q, want %q", c.in, c.delim, got, "<"+c.want)
		}
	}
}

func TestAppendCSV(t *testing.T) {
	std := &engine.CopyOut{Format: engine.CopyCSV, Delimiter: ',', Quote: '"', Escape: '"'}
	custom := &engine.CopyOut{Format: engine.CopyCSV, Delimiter: ';', Quote: '\'', Escape: '\\', Null: "NULL"}
	cases := []struct {
		opts          *engine.CopyOut
		in, want      string
		force, single bool
	}{
		{std, "plain", "plain", false, false},
		{std, "", `""`, false, false}, // an empty string is not NULL
		{std, "a,b", `"a,b"`, false, false},
		{std, `say "hi"`, `"say ""hi"""`, false, false},
		{std, "two\nlines", "\"two\nlines\"", false, false},
		{std, "cr\r", "\"cr\r\"", false, false},
		{std, "tab\tand\\", "tab\tand\\", false, false},
		{std, "x", `"x"`, true, false},
		{std, `\.`, `"\."`, false, true},
		{std, `\.`, `\.`, false, false},
		{custom, "NULL", "'NULL'", false, false},
		{custom, "it's", `'it\'s'`, false, false},
		{custom, `back\slash`, `back\slash`, false, false},
		{custom, `b\s;x`, `'b\\s;x'`, false, false},
		{custom, "a,b", "a,b", false, false},
	}
	for _, c := range cases {
		if got := string(appendCSV(nil, []byte(c.in), c.opts, c.force, c.single)); got != c.want {
			t.Errorf("%q: got %q, want %q", c.in, got, c.want)
		}
	}
}
