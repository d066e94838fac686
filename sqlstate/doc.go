// Package sqlstate is the single table of PostgreSQL error codes lakegate uses
// and the error type that carries one. Every error a client can see is an
// *Error (or is turned into one by the server's single conversion function),
// so SQLSTATEs are chosen where the failure is understood, never by matching
// message text afterwards.
//
// The package is a leaf: it imports nothing from lakegate.
package sqlstate
