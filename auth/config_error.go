package auth

import (
	"fmt"
	"strings"
)

// ConfigError is a problem in the users, hba, tls or limits section of the
// config file, with the line it is on: file:line: field: message, as the
// catalog reports its own sections.
type ConfigError struct {
	File  string
	Line  int
	Field string // dotted path, e.g. users.alice.password
	Err   error
}

func (e *ConfigError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Field != "" {
		b.WriteString(": " + e.Field)
	}
	b.WriteString(": " + e.Err.Error())
	return b.String()
}

func (e *ConfigError) Unwrap() error { return e.Err }
