package engine

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// PostgreSQL's wording of the errors clients and people meet most. DuckDB
// words them its own way; psql users, and programs that show or log the
// message, expect PostgreSQL's. The SQLSTATE never depends on this: it
// comes from DuckDB's error type (errors.go), and a message no pattern
// matches is passed on as DuckDB wrote it.
var (
	duckMissingTable  = regexp.MustCompile(`^Table with name "?([^"]+?)"? does not exist(?:!| because schema "[^"]*" does not exist\.)$`)
	duckMissingColumn = regexp.MustCompile(`^Referenced column "([^"]+)" not found in FROM clause!$`)
	duckBadInput      = regexp.MustCompile(`^Could not convert string '(.*)' to (INT16|INT32|INT64|DOUBLE|FLOAT|BOOL|DECIMAL\(\d+,\d+\))$`)
)

// postgresTypeNames names DuckDB's types of conversion errors as
// PostgreSQL's input functions do.
var postgresTypeNames = map[string]string{
	"INT16":  "smallint",
	"INT32":  "integer",
	"INT64":  "bigint",
	"DOUBLE": "double precision",
	"FLOAT":  "real",
	"BOOL":   "boolean",
}

// postgresWording rewords DuckDB's message the way PostgreSQL words the
// same error. sql is the statement and position the 1-based character
// position DuckDB marked (0 when none).
func postgresWording(message, sql string, position int) string {
	if m := duckMissingTable.FindStringSubmatch(message); m != nil {
		// PostgreSQL names the relation as the statement wrote it,
		// qualified or not; DuckDB names only the table.
		return `relation "` + nameAt(sql, position, m[1]) + `" does not exist`
	}
	if m := duckMissingColumn.FindStringSubmatch(message); m != nil {
		return `column "` + m[1] + `" does not exist`
	}
	if m := duckBadInput.FindStringSubmatch(message); m != nil {
		typ, ok := postgresTypeNames[m[2]]
		if !ok {
			typ = "numeric"
		}
		return `invalid input syntax for type ` + typ + `: "` + m[1] + `"`
	}
	return message
}

// nameAt returns the possibly qualified name written at the 1-based
// character position of sql, as PostgreSQL prints a relation it cannot
// find (identifiers folded to lower case unless quoted, the quotes
// dropped), when it ends with name; otherwise name.
func nameAt(sql string, position int, name string) string {
	if position <= 0 || position > utf8.RuneCountInString(sql) {
		return name
	}
	rest := string([]rune(sql)[position-1:])
	var parts []string
	for {
		part, n := identifierPrefix(rest)
		if n == 0 {
			break
		}
		parts = append(parts, part)
		rest = rest[n:]
		if !strings.HasPrefix(rest, ".") {
			break
		}
		rest = rest[1:]
	}
	written := strings.Join(parts, ".")
	if len(parts) == 0 || !strings.EqualFold(parts[len(parts)-1], name[strings.LastIndexByte(name, '.')+1:]) {
		return name
	}
	return written
}

// identifierPrefix reads one SQL identifier at the start of s: a quoted
// one (its "" an escaped quote) as written, an unquoted one folded to
// lower case. n is the number of bytes read, 0 when s starts with none.
func identifierPrefix(s string) (ident string, n int) {
	if strings.HasPrefix(s, `"`) {
		var b strings.Builder
		for i := 1; i < len(s); i++ {
			if s[i] != '"' {
				b.WriteByte(s[i])
				continue
			}
			if i+1 < len(s) && s[i+1] == '"' {
				b.WriteByte('"')
				i++
				continue
			}
			return b.String(), i + 1
		}
		return "", 0
	}
	end := 0
	for i, r := range s {
		if r == '_' || r == '$' && i > 0 || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' && i > 0 || r >= utf8.RuneSelf {
			end = i + utf8.RuneLen(r)
			continue
		}
		break
	}
	return strings.ToLower(s[:end]), end
}
