package engine

import (
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// rewriteFormat turns PostgreSQL's format(fmt, args...) with a constant
// format string into the concatenation it stands for: %s is the argument
// as text (NULL as nothing), %I the argument quoted as an identifier
// (quote_ident), %L quoted as a literal (quote_nullable: NULL as NULL), %%
// a percent sign; %n$s takes argument n, and a specifier without a
// position takes the argument after the previous one, as in PostgreSQL.
// DuckDB's format is another function (fmt's {} placeholders). A format
// with widths or flags, or a specifier that does not match an argument,
// is left as it is.
func rewriteFormat(_ *rewriteEnv, root *pg_query.Node) bool {
	return walk(root, func(n *pg_query.Node) bool {
		fc := n.GetFuncCall()
		if fc == nil || funcName(fc) != "format" || len(fc.Args) == 0 || fc.AggStar || fc.FuncVariadic {
			return false
		}
		format, ok := constStr(fc.Args[0])
		if !ok {
			return false
		}
		parts, ok := formatParts(format, fc.Args[1:])
		if !ok {
			return false
		}
		if len(parts) == 0 {
			parts = []*pg_query.Node{stringConst("")}
		}
		replace(n, call([]string{"concat"}, parts...))
		return true
	})
}

// formatParts splits a format string into the expressions concat joins.
func formatParts(format string, args []*pg_query.Node) ([]*pg_query.Node, bool) {
	var parts []*pg_query.Node
	var literal strings.Builder
	flush := func() {
		if literal.Len() > 0 {
			parts = append(parts, stringConst(literal.String()))
			literal.Reset()
		}
	}
	next := 0 // the argument a specifier without a position takes
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			literal.WriteByte(format[i])
			continue
		}
		i++
		if i >= len(format) {
			return nil, false // "unterminated format() type specifier"
		}
		if format[i] == '%' {
			literal.WriteByte('%')
			continue
		}
		arg := next
		if j := strings.IndexByte(format[i:], '$'); j > 0 {
			if n, err := strconv.Atoi(format[i : i+j]); err == nil {
				if n < 1 {
					return nil, false
				}
				arg, i = n-1, i+j+1
				if i >= len(format) {
					return nil, false
				}
			}
		}
		if arg >= len(args) {
			return nil, false // "too few arguments for format()"
		}
		next = arg + 1
		var part *pg_query.Node
		switch format[i] {
		case 's':
			part = asText(args[arg])
		case 'I':
			part = call([]string{"quote_ident"}, asText(args[arg]))
		case 'L':
			part = call([]string{"quote_nullable"}, asText(args[arg]))
		default: // flags, widths, unknown types
			return nil, false
		}
		flush()
		parts = append(parts, part)
	}
	flush()
	return parts, true
}

// asText casts an expression to text.
func asText(n *pg_query.Node) *pg_query.Node {
	return &pg_query.Node{Node: &pg_query.Node_TypeCast{TypeCast: &pg_query.TypeCast{
		Arg: n, TypeName: &pg_query.TypeName{Names: strNodes("text"), Typemod: -1}, Location: -1}}}
}
