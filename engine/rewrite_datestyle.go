package engine

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// dayMonthYear is a date written with its fields in DateStyle's order,
// 03/04/2024, 3.4.2024 or 03-04-2024, maybe followed by a time.
var dayMonthYear = regexp.MustCompile(`^\s*(\d{1,2})([/.-])(\d{1,2})([/.-])(\d{4})((?:\s+|T)\S.*)?\s*$`)

// dateTypes are the types whose input reads DateStyle's field order.
var dateTypes = map[string]bool{"date": true, "timestamp": true, "timestamptz": true}

// rewriteDateStyle rewrites date and timestamp literals written with the
// day and month in DateStyle's order (PostgreSQL reads 03/04/2024 as March
// 4 under MDY, the default, and as April 3 under DMY) to ISO, which is the
// only form DuckDB reads: '03/04/2024'::date, date '03/04/2024',
// '3.4.2024 10:00'::timestamp. Other literals are left to DuckDB.
func rewriteDateStyle(env *rewriteEnv, root *pg_query.Node) bool {
	// DateStyle is read only for a literal it could change, so that other
	// statements do not depend on the session's settings.
	dmy := func() bool {
		style, ok := env.setting("DateStyle")
		return ok && strings.HasSuffix(strings.ToUpper(style), "DMY")
	}
	return walk(root, func(n *pg_query.Node) bool {
		tc := n.GetTypeCast()
		if tc == nil || tc.TypeName == nil || len(tc.TypeName.ArrayBounds) > 0 || !dateTypes[typeName(tc.TypeName)] {
			return false
		}
		text, ok := constStr(tc.Arg)
		if !ok {
			return false
		}
		if !dayMonthYear.MatchString(text) {
			return false
		}
		iso, ok := isoDate(text, dmy())
		if !ok {
			return false
		}
		tc.Arg = stringConst(iso)
		return true
	})
}

// isoDate rewrites a day-month-year (dmy) or month-day-year date, with
// the same separator twice, to YYYY-MM-DD, keeping what follows it.
func isoDate(text string, dmy bool) (string, bool) {
	m := dayMonthYear.FindStringSubmatch(text)
	if m == nil || m[2] != m[4] {
		return "", false
	}
	first, _ := strconv.Atoi(m[1])
	second, _ := strconv.Atoi(m[3])
	month, day := first, second
	if dmy {
		month, day = second, first
	}
	if month < 1 || month > 12 || day < 1 || day > 31 {
		return "", false
	}
	rest := strings.TrimPrefix(strings.TrimSpace(m[6]), "T")
	iso := fmt.Sprintf("%s-%02d-%02d", m[5], month, day)
	if rest != "" {
		iso += " " + rest
	}
	return iso, true
}
