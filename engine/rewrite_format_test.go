package engine

import "testing"

// TestFormatLeftAlone: formats the rewrite does not handle are left to
// DuckDB (and its error) rather than rewritten to something else.
func TestFormatLeftAlone(t *testing.T) {
	args := parseOne(t, "SELECT f(1, 2)").GetSelectStmt().TargetList[0].GetResTarget().GetVal().GetFuncCall().Args
	for format, ok := range map[string]bool{
		"%s and %s":      true,
		"%2$s %1$I":      true,
		"100%%":          true,
		"%s %s %s":       false, // too few arguments
		"%3$s":           false,
		"%0$s":           false,
		"%10s":           false, // widths
		"%-s":            false, // flags
		"%x":             false,
		"unterminated %": false,
	} {
		if _, got := formatParts(format, args); got != ok {
			t.Errorf("formatParts(%q) ok = %v, want %v", format, got, ok)
		}
	}
}
