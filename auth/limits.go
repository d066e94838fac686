package auth

import "time"

// Limits are the per-server and per-connection bounds of the config
// file's limits section. The wire server enforces them; zero values mean
// "no limit" except where a default is named.
type Limits struct {
	// MaxConnections bounds concurrent sessions (default 100); beyond it a
	// login gets 53300 "sorry, too many clients already".
	MaxConnections int
	// StatementTimeout is every session's initial statement_timeout,
	// unless the user has their own.
	StatementTimeout time.Duration
	// IdleSessionTimeout closes a session idle outside a transaction
	// (FATAL 57P05).
	IdleSessionTimeout time.Duration
	// IdleInTransactionSessionTimeout is every session's initial
	// idle_in_transaction_session_timeout (FATAL 25P03).
	IdleInTransactionSessionTimeout time.Duration
	// AuthenticationTimeout bounds the startup phase: TLS, startup
	// message and password exchange (default 60s).
	AuthenticationTimeout time.Duration
	// MaxMessageSize bounds one protocol message (default 64 MiB).
	MaxMessageSize int64
	// MaxQueryLength bounds a statement's SQL text (54000); 0 leaves only
	// MaxMessageSize.
	MaxQueryLength int64
}

// DefaultLimits are the limits without a limits section.
func DefaultLimits() Limits {
	return Limits{
		MaxConnections:        100,
		AuthenticationTimeout: 60 * time.Second,
		MaxMessageSize:        64 << 20,
	}
}
