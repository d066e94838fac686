package server

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/lakegate/lakegate/auth"
	"github.com/lakegate/lakegate/sqlstate"
)

// Startup packet codes (PostgreSQL's pqcomm.h).
const (
	codeCancelRequest = 80877102
	codeSSLRequest    = 80877103
	codeGSSENCRequest = 80877104

	maxStartupPacket = 10_000 // PostgreSQL's MAX_STARTUP_PACKET_LENGTH
)

// readStartupPacket reads one untyped startup-phase packet. pgproto3's
// ReceiveStartupMessage rejects protocol minor versions other than 3.0 and
// 3.2, which PostgreSQL instead negotiates down, so the length prefix is
// read here and the body handed to pgproto3's decoders.
func readStartupPacket(r io.Reader) (code uint32, body []byte, err error) {
	var header [4]byte
	if _, err := io.ReadFull(r, header[:]); err != nil {
		return 0, nil, err
	}
	n := int(int32(binary.BigEndian.Uint32(header[:]))) - 4
	if n < 4 || n > maxStartupPacket {
		return 0, nil, sqlstate.Errorf(sqlstate.ProtocolViolation, "invalid length of startup packet").Fatal()
	}
	body = make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return 0, nil, err
	}
	return binary.BigEndian.Uint32(body), body, nil
}

// startup runs the startup phase, bounded by the authentication timeout
// so that a client that never finishes cannot hold its connection. It
// returns false when the connection is done (a CancelRequest, a refusal,
// or a client that went away).
func (c *conn) startup() bool {
	c.netConn.SetDeadline(time.Now().Add(c.authenticationTimeout()))
	defer func() { c.netConn.SetDeadline(time.Time{}) }()
	if c.sec.TLS != nil && c.startsWithTLS() && !c.handshakeTLS(true) {
		return false
	}
	for {
		code, body, err := readStartupPacket(c.reader)
		if err != nil {
			c.fatal(err)
			return false
		}
		switch code {
		case codeSSLRequest:
			if !c.answerSSLRequest() {
				return false
			}
			continue
		case codeGSSENCRequest:
			// No GSSAPI encryption: 'N' tells the client to continue
			// without it (or give up, if it requires it).
			if _, err := c.netConn.Write([]byte{'N'}); err != nil {
				return false
			}
			continue
		case codeCancelRequest:
			var req pgproto3.CancelRequest
			if req.Decode(body) == nil {
				c.server.cancels.cancel(req.ProcessID, req.SecretKey)
			}
			return false
		}
		if c.sec.RequireTLS && c.tlsState() == nil {
			c.fatal(sqlstate.Errorf(sqlstate.InvalidAuthorizationSpecification,
				"this server requires an encrypted connection").WithHint("Connect with sslmode=require.").Fatal())
			return false
		}
		return c.startSession(code, body)
	}
}

// startSession handles a StartupMessage: version negotiation, parameters,
// authentication and the session's first ReadyForQuery.
func (c *conn) startSession(version uint32, body []byte) bool {
	major, minor := version>>16, version&0xFFFF
	if major != 3 {
		c.fatal(sqlstate.Errorf(sqlstate.FeatureNotSupported,
			"unsupported frontend protocol %d.%d: server supports 3.0 to 3.0", major, minor).Fatal())
		return false
	}
	// Decode as 3.0; minor versions are negotiated below.
	patched := append([]byte(nil), body...)
	binary.BigEndian.PutUint32(patched, pgproto3.ProtocolVersion30)
	var msg pgproto3.StartupMessage
	if err := msg.Decode(patched); err != nil {
		c.fatal(sqlstate.Errorf(sqlstate.ProtocolViolation, "invalid startup packet layout: %v", err).Fatal())
		return false
	}
	var unrecognized []string
	for name := range msg.Parameters {
		if strings.HasPrefix(name, "_pq_.") {
			unrecognized = append(unrecognized, name)
		}
	}
	if minor > 0 || len(unrecognized) > 0 {
		c.backend.Send(&pgproto3.NegotiateProtocolVersion{NewestMinorProtocol: 0, UnrecognizedOptions: unrecognized})
	}

	user := msg.Parameters["user"]
	if user == "" {
		c.fatal(sqlstate.Errorf(sqlstate.InvalidAuthorizationSpecification, "no PostgreSQL user name specified in startup packet").Fatal())
		return false
	}
	database := msg.Parameters["database"]
	if database == "" {
		database = user
	}
	account, ok := c.authenticate(user)
	if !ok {
		return false
	}
	c.session = c.server.Engine.NewSession(user, database)
	c.backend.Send(&pgproto3.AuthenticationOk{})
	if err := c.applySessionDefaults(account); err != nil {
		c.fatal(sqlstate.From(err).Fatal())
		return false
	}
	var notices []*sqlstate.Error
	for name, value := range startupSettings(msg.Parameters) {
		if err := c.session.SetStartupParameter(name, value); err != nil {
			se := sqlstate.From(err)
			if se.Code == sqlstate.UndefinedObject {
				c.fatal(se.Fatal())
				return false
			}
			// A value lakegate cannot honour yet (a TimeZone sent by a
			// JVM, say) must not stop the login: keep the default, warn.
			notices = append(notices, &sqlstate.Error{Code: se.Code, Severity: sqlstate.SeverityWarning,
				Message: fmt.Sprintf("ignoring startup parameter %s=%q: %s", name, value, se.Message)})
		}
	}
	for name, value := range c.session.ReportedParameters() {
		c.backend.Send(&pgproto3.ParameterStatus{Name: name, Value: value})
	}
	var secret [4]byte
	c.pid, secret = c.server.cancels.register(c.session.Cancel)
	c.attach() // listed in pg_stat_activity before the client can ask
	c.backend.Send(&pgproto3.BackendKeyData{ProcessID: c.pid, SecretKey: secret[:]})
	for _, n := range notices {
		c.backend.Send(noticeResponse(n))
	}
	c.backend.Send(&pgproto3.ReadyForQuery{TxStatus: byte(c.session.TxStatus())})
	if err := c.flush(); err != nil {
		return false
	}
	c.server.logger().Debug("session started", "pid", c.pid, "user", user, "database", database,
		"application_name", msg.Parameters["application_name"], "remote", c.netConn.RemoteAddr().String())
	return true
}

// startupSettings returns the run-time parameters of a startup message:
// everything but user, database and replication, plus "-c name=value"
// pairs from options.
func startupSettings(params map[string]string) map[string]string {
	out := map[string]string{}
	for name, value := range params {
		switch {
		case name == "user", name == "database", name == "replication", strings.HasPrefix(name, "_pq_."):
		case name == "options":
			for name, value := range parseOptions(value) {
				out[name] = value
			}
		default:
			out[name] = value
		}
	}
	return out
}

// parseOptions reads the "-c name=value" and "--name=value" settings of a
// startup options string (backslash escapes a space).
func parseOptions(options string) map[string]string {
	var words []string
	var word strings.Builder
	escaped := false
	for _, r := range options {
		switch {
		case escaped:
			word.WriteRune(r)
			escaped = false
		case r == '\\':
			escaped = true
		case r == ' ' || r == '\t':
			if word.Len() > 0 {
				words = append(words, word.String())
				word.Reset()
			}
		default:
			word.WriteRune(r)
		}
	}
	if word.Len() > 0 {
		words = append(words, word.String())
	}
	out := map[string]string{}
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch {
		case w == "-c" && i+1 < len(words):
			i++
			w = words[i]
		case strings.HasPrefix(w, "-c"):
			w = w[2:]
		case strings.HasPrefix(w, "--"):
			w = w[2:]
		default:
			continue
		}
		if name, value, ok := strings.Cut(w, "="); ok {
			out[strings.ReplaceAll(name, "-", "_")] = value
		}
	}
	return out
}

// authenticate takes a session slot and runs the login's authentication,
// then counts the session against the user's connection limit. It returns
// the user's account, or false after telling the client why not.
func (c *conn) authenticate(user string) (*auth.User, bool) {
	if err := c.server.slots.acquire(c, c.sec.Limits.MaxConnections); err != nil {
		c.server.logger().Warn("connection refused: max_connections reached", "remote", c.netConn.RemoteAddr().String())
		c.fatal(err)
		return nil, false
	}
	account, err := c.sec.Auth.Authenticate(c.ctx, authExchange{c}, user)
	if err != nil {
		if code := sqlstate.From(err).Code; code == sqlstate.InvalidPassword || code == sqlstate.InvalidAuthorizationSpecification {
			c.server.Metrics.authFailed()
		}
		c.fatal(err)
		return nil, false
	}
	if account != nil {
		if err := c.server.slots.acquireUser(c, user, account.ConnectionLimit); err != nil {
			c.server.logger().Info("connection refused: the user's connection_limit is reached", "user", user)
			c.fatal(err)
			return nil, false
		}
	}
	return account, true
}

var errClientGone = errors.New("client closed the connection")
