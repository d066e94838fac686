// Package auth decides who may connect and how they prove it. It is a
// leaf: the wire server hands it a login (user name and a Conn, the small
// interface through which a method runs its exchange of authentication
// messages), so no authentication code touches sockets.
//
//	config.go     the config file's users, hba, tls and limits sections
//	policy.go     Policy: picks the method (hba rules or the user's own),
//	              client certificate check, one refusal message for all
//	hba.go        host-based rules, first match wins
//	method.go     the Authenticator interface each method implements (an
//	              OIDC/JWT method would plug in beside the others)
//	scram.go      SCRAM-SHA-256 with github.com/xdg-go/scram; unknown users
//	              run the exchange against a dummy verifier
//	md5.go        PostgreSQL's md5 challenge
//	password.go   cleartext password, only over TLS
//	verifier.go   stored secrets in PostgreSQL's formats, lakegate passwd
//	throttle.go   per-address backoff after failed logins, bounded memory
//	limits.go     connection and session limits the server enforces
//	grants.go     the roles and access sections: which tables each user
//	              reads, with which row filters and column masks (the
//	              engine applies them; it asks through engine.Access)
//
// Passwords never appear in logs or errors; secrets print as their
// verifiers.
package auth
