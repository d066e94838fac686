package engine

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	bindings "github.com/duckdb/duckdb-go-bindings"

	"github.com/lakegate/lakegate/sqlstate"
)

// duckdbCodes maps DuckDB's error types to SQLSTATEs. DuckDB reports a type
// with every error; its message text is for people and is never inspected
// to choose a code.
var duckdbCodes = map[bindings.ErrorType]sqlstate.Code{
	bindings.ErrorTypeParser:               sqlstate.SyntaxError,
	bindings.ErrorTypeSyntax:               sqlstate.SyntaxError,
	bindings.ErrorTypeCatalog:              sqlstate.UndefinedTable,
	bindings.ErrorTypeBinder:               sqlstate.UndefinedColumn,
	bindings.ErrorTypeMismatchType:         sqlstate.DatatypeMismatch,
	bindings.ErrorTypeInvalidType:          sqlstate.DatatypeMismatch,
	bindings.ErrorTypeExpression:           sqlstate.DatatypeMismatch,
	bindings.ErrorTypeConversion:           sqlstate.InvalidTextRepresentation,
	bindings.ErrorTypeInvalidInput:         sqlstate.InvalidTextRepresentation,
	bindings.ErrorTypeOutOfRange:           sqlstate.NumericValueOutOfRange,
	bindings.ErrorTypeDecimal:              sqlstate.NumericValueOutOfRange,
	bindings.ErrorTypeDivideByZero:         sqlstate.DivisionByZero,
	bindings.ErrorTypeObjectSize:           sqlstate.ProgramLimitExceeded,
	bindings.ErrorTypeNotImplemented:       sqlstate.FeatureNotSupported,
	bindings.ErrorTypeInterrupt:            sqlstate.QueryCanceled,
	bindings.ErrorTypeOutOfMemory:          sqlstate.OutOfMemory,
	bindings.ErrorTypePermission:           sqlstate.InsufficientPrivilege,
	bindings.ErrorTypeErrorIO:              sqlstate.IOError,
	bindings.ErrorTypeParameterNotResolved: sqlstate.IndeterminateDatatype,
	bindings.ErrorTypeParameterNotAllowed:  sqlstate.UndefinedParameter,
	bindings.ErrorTypeConstraint:           sqlstate.IntegrityConstraintViolation,
	bindings.ErrorTypeSequence:             sqlstate.SequenceGeneratorLimit,
	bindings.ErrorTypeDependency:           sqlstate.DependentObjectsStillExist,
	bindings.ErrorTypeSettings:             sqlstate.InvalidParameterValue,
	bindings.ErrorTypeInvalidConfiguration: sqlstate.InvalidParameterValue,
	bindings.ErrorTypeMissingExtension:     sqlstate.FeatureNotSupported,
	bindings.ErrorTypeAutoload:             sqlstate.FeatureNotSupported,
	bindings.ErrorTypeTransaction:          sqlstate.ActiveSQLTransaction,
	bindings.ErrorTypeHTTP:                 sqlstate.IOError,
	bindings.ErrorTypeNetwork:              sqlstate.IOError,
}

// translateError turns an error from DuckDB or from running a statement into
// a *sqlstate.Error. sql is the statement DuckDB saw and offset the position
// of its first character in the text the client sent, so that positions
// point into what the client wrote.
func translateError(err error, sql string, offset int) *sqlstate.Error {
	var se *sqlstate.Error
	if errors.As(err, &se) {
		return se
	}
	if errors.Is(err, context.Canceled) {
		return sqlstate.Wrap(err, sqlstate.QueryCanceled, "canceling statement due to user request")
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return sqlstate.Wrap(err, sqlstate.QueryCanceled, "canceling statement due to statement timeout")
	}
	var de *duckError
	if !errors.As(err, &de) {
		return sqlstate.Wrap(err, sqlstate.InternalError, err.Error())
	}
	code, ok := duckdbCodes[de.Type]
	if !ok {
		code = sqlstate.InternalError
	}
	if code == sqlstate.QueryCanceled {
		return sqlstate.Wrap(err, code, "canceling statement due to user request")
	}
	message, hint, position := splitDuckDBMessage(de.Msg, sql)
	message = postgresWording(message, sql, position)
	e := sqlstate.Wrap(err, code, message)
	e.Hint = hint
	if position > 0 {
		e.Position = int32(position + offset)
	}
	return e
}

// splitDuckDBMessage separates DuckDB's multi-line message into the first
// line (without its "Binder Error: " style prefix, which the SQLSTATE now
// carries), the remaining explanation (returned as a hint), and the 1-based
// character position DuckDB marked with a caret under "LINE n:".
func splitDuckDBMessage(msg, sql string) (message, hint string, position int) {
	lines := strings.Split(strings.TrimSpace(msg), "\n")
	message = lines[0]
	if kind, rest, ok := strings.Cut(message, " Error: "); ok && !strings.Contains(kind, ":") {
		message = rest
	}
	var extra []string
	for i := 1; i < len(lines); i++ {
		line := lines[i]
		if strings.HasPrefix(line, "LINE ") && i+1 < len(lines) {
			position = caretPosition(line, lines[i+1], sql)
			i++
			continue
		}
		if strings.TrimSpace(line) != "" {
			extra = append(extra, strings.TrimSpace(line))
		}
	}
	return message, strings.Join(extra, "\n"), position
}

// caretPosition finds the character position marked by DuckDB's caret line
// below a "LINE n: <excerpt>" line, by locating the excerpt in sql.
func caretPosition(lineText, caretLine, sql string) int {
	prefixEnd := strings.Index(lineText, ": ")
	caret := strings.IndexByte(caretLine, '^')
	if prefixEnd < 0 || caret < 0 {
		return 0
	}
	excerpt := lineText[prefixEnd+2:]
	column := caret - (prefixEnd + 2)
	if column < 0 || column > len(excerpt) {
		return 0
	}
	truncated := strings.HasPrefix(excerpt, "...")
	if truncated {
		excerpt = excerpt[3:]
		column -= 3
	}
	excerpt = strings.TrimSuffix(excerpt, "...")
	start := strings.Index(sql, excerpt)
	if start < 0 || column < 0 {
		return 0
	}
	return utf8.RuneCountInString(sql[:start]) + column + 1
}
