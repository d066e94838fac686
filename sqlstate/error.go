package sqlstate

import (
	"errors"
	"fmt"
)

// Severity is the (non-localized) severity PostgreSQL puts in field V.
type Severity string

// Severities used by lakegate.
const (
	SeverityError   Severity = "ERROR"
	SeverityFatal   Severity = "FATAL"
	SeverityWarning Severity = "WARNING"
	SeverityNotice  Severity = "NOTICE"
)

// Error is an error that knows its SQLSTATE and the fields of a PostgreSQL
// ErrorResponse. Position is 1-based in characters of the statement text the
// client sent, or 0 when unknown.
type Error struct {
	Code     Code
	Severity Severity
	Message  string
	Detail   string
	Hint     string
	Position int32
	cause    error
}

func (e *Error) Error() string { return e.Message }

// Unwrap returns the underlying error, if any.
func (e *Error) Unwrap() error { return e.cause }

// Errorf returns an ERROR-severity *Error with the given code.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Severity: SeverityError, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error with the given code and message that keeps cause for
// errors.Is/As and logs.
func Wrap(cause error, code Code, message string) *Error {
	return &Error{Code: code, Severity: SeverityError, Message: message, cause: cause}
}

// WithHint returns e with its hint set.
func (e *Error) WithHint(hint string) *Error { e.Hint = hint; return e }

// WithDetail returns e with its detail set.
func (e *Error) WithDetail(detail string) *Error { e.Detail = detail; return e }

// Fatal returns e with FATAL severity: the server closes the session after
// reporting it.
func (e *Error) Fatal() *Error { e.Severity = SeverityFatal; return e }

// From returns err as an *Error. Errors that carry no SQLSTATE become
// internal errors: they are bugs or unexpected conditions, and saying so is
// more honest than guessing a code from the message.
func From(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Wrap(err, InternalError, err.Error())
}
