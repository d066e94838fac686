package engine

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/lakegate/lakegate/sqlstate"
)

// Version is lakegate's version, set by the build.
var Version = "0.1.0"

// PostgreSQLVersion is the PostgreSQL release lakegate presents itself as.
const (
	PostgreSQLVersion    = "16.4"
	PostgreSQLVersionNum = "160004"
)

// ServerVersion is the server_version lakegate reports, e.g.
// "16.4 (lakegate 0.1.0)".
func ServerVersion() string { return PostgreSQLVersion + " (lakegate " + Version + ")" }

// settingDef describes a PostgreSQL run-time parameter lakegate knows.
type settingDef struct {
	name        string // canonical spelling, as SHOW prints its header
	description string
	// reported parameters are sent to the client in ParameterStatus when
	// they change (PostgreSQL's GUC_REPORT).
	reported bool
	// check validates and normalizes a new value; nil means read-only.
	check func(string) (string, error)
	// initial returns the value at session start.
	initial func(s *Session) string
}

func fixed(v string) func(*Session) string { return func(*Session) string { return v } }

func anyValue(v string) (string, error) { return v, nil }

func oneOf(allowed ...string) func(string) (string, error) {
	return func(v string) (string, error) {
		for _, a := range allowed {
			if strings.EqualFold(strings.TrimSpace(v), a) {
				return a, nil
			}
		}
		return "", sqlstate.Errorf(sqlstate.FeatureNotSupported,
			"lakegate does not support this value: %q", v).WithHint("Supported values: " + strings.Join(allowed, ", ") + ".")
	}
}

func integerIn(lo, hi int) func(string) (string, error) {
	return func(v string) (string, error) {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < lo || n > hi {
			return "", sqlstate.Errorf(sqlstate.InvalidParameterValue, "%q is outside the valid range (%d .. %d)", v, lo, hi)
		}
		return strconv.Itoa(n), nil
	}
}

func onOff(v string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "on", "true", "yes", "1":
		return "on", nil
	case "off", "false", "no", "0":
		return "off", nil
	}
	return "", sqlstate.Errorf(sqlstate.InvalidParameterValue, "parameter requires a Boolean value")
}

// durationMillis accepts PostgreSQL's duration syntax for timeouts ("0",
// "500", "5s", "2min", "1h") and stores milliseconds.
func durationMillis(v string) (string, error) {
	v = strings.TrimSpace(strings.ToLower(v))
	units := []struct {
		suffix string
		ms     int64
	}{{"ms", 1}, {"s", 1000}, {"min", 60000}, {"h", 3600000}, {"d", 86400000}}
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(v, u.suffix) {
			v, mult = strings.TrimSpace(strings.TrimSuffix(v, u.suffix)), u.ms
			break
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return "", sqlstate.Errorf(sqlstate.InvalidParameterValue, "invalid value for a timeout: %q", v)
	}
	return strconv.FormatInt(n*mult, 10), nil
}

var settingDefs = []settingDef{
	{name: "application_name", reported: true, check: anyValue, initial: fixed(""), description: "Sets the application name to be reported in statistics and logs."},
	{name: "bytea_output", check: oneOf("hex"), initial: fixed("hex"), description: "Sets the output format for bytea."},
	{name: "client_encoding", reported: true, check: clientEncoding, initial: fixed("UTF8"), description: "Sets the client's character set encoding."},
	{name: "client_min_messages", check: oneOf("debug5", "debug4", "debug3", "debug2", "debug1", "log", "notice", "warning", "error"), initial: fixed("notice"), description: "Sets the message levels that are sent to the client."},
	{name: "DateStyle", reported: true, check: dateStyle, initial: fixed("ISO, MDY"), description: "Sets the display format for date and time values."},
	{name: "default_transaction_isolation", check: anyValue, initial: fixed("read committed"), description: "Sets the transaction isolation level of each new transaction."},
	{name: "default_transaction_read_only", reported: true, initial: fixed("on"), description: "Sets the default read-only status of new transactions."},
	{name: "extra_float_digits", check: integerIn(-15, 3), initial: fixed("1"), description: "Sets the number of digits displayed for floating-point values."},
	{name: "idle_in_transaction_session_timeout", check: durationMillis, initial: fixed("0"), description: "Sets the maximum allowed idle time between queries, when in a transaction."},
	{name: "in_hot_standby", reported: true, initial: fixed("off"), description: "Shows whether hot standby is currently active."},
	{name: "integer_datetimes", reported: true, initial: fixed("on"), description: "Shows whether datetimes are integer based."},
	{name: "IntervalStyle", reported: true, check: oneOf("postgres"), initial: fixed("postgres"), description: "Sets the display format for interval values."},
	{name: "is_superuser", reported: true, initial: fixed("off"), description: "Shows whether the current user is a superuser."},
	{name: "lc_messages", check: anyValue, initial: fixed("C"), description: "Sets the language in which messages are displayed."},
	{name: "lc_monetary", check: anyValue, initial: fixed("C"), description: "Sets the locale for formatting monetary amounts."},
	{name: "lc_numeric", check: anyValue, initial: fixed("C"), description: "Sets the locale for formatting numbers."},
	{name: "lc_time", check: anyValue, initial: fixed("C"), description: "Sets the locale for formatting date and time values."},
	{name: "lock_timeout", check: durationMillis, initial: fixed("0"), description: "Sets the maximum allowed duration of any wait for a lock."},
	{name: "max_function_args", initial: fixed("100"), description: "Shows the maximum number of function arguments."},
	{name: "max_identifier_length", initial: fixed("63"), description: "Shows the maximum identifier length."},
	{name: "max_index_keys", initial: fixed("32"), description: "Shows the maximum number of index keys."},
	{name: "search_path", check: anyValue, initial: fixed(`"$user", public`), description: "Sets the schema search order for names that are not schema-qualified."},
	{name: "server_encoding", reported: true, initial: fixed("UTF8"), description: "Shows the server (database) character set encoding."},
	{name: "server_version", reported: true, initial: func(*Session) string { return ServerVersion() }, description: "Shows the server version."},
	{name: "server_version_num", initial: fixed(PostgreSQLVersionNum), description: "Shows the server version as an integer."},
	{name: "session_authorization", reported: true, initial: func(s *Session) string { return s.user }, description: "Sets the session user name."},
	{name: "standard_conforming_strings", reported: true, check: oneOf("on"), initial: fixed("on"), description: "Causes '...' strings to treat backslashes literally."},
	{name: "statement_timeout", check: durationMillis, initial: fixed("0"), description: "Sets the maximum allowed duration of any statement."},
	{name: "TimeZone", reported: true, check: timeZone, initial: fixed("UTC"), description: "Sets the time zone for displaying and interpreting time stamps."},
	{name: "transaction_isolation", check: anyValue, initial: fixed("read committed"), description: "Sets the current transaction's isolation level."},
	{name: "transaction_read_only", check: oneOf("on"), initial: fixed("on"), description: "Sets the current transaction's read-only status."},
}

var settingsByName = func() map[string]*settingDef {
	m := make(map[string]*settingDef, len(settingDefs))
	for i := range settingDefs {
		m[strings.ToLower(settingDefs[i].name)] = &settingDefs[i]
	}
	return m
}()

func lookupSetting(name string) (*settingDef, error) {
	def, ok := settingsByName[strings.ToLower(name)]
	if !ok {
		return nil, sqlstate.Errorf(sqlstate.UndefinedObject, "unrecognized configuration parameter %q", name)
	}
	return def, nil
}

func clientEncoding(v string) (string, error) {
	switch strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(v), "-", "")) {
	case "UTF8", "UNICODE":
		return "UTF8", nil
	}
	return "", sqlstate.Errorf(sqlstate.FeatureNotSupported, "lakegate only supports the UTF8 client encoding, not %q", v)
}

// dateStyle accepts the ISO output style (the only one lakegate writes)
// with any field order for input, which date literals follow
// (rewrite_datestyle.go).
func dateStyle(v string) (string, error) {
	order := "MDY"
	for _, part := range strings.Split(v, ",") {
		switch p := strings.ToUpper(strings.TrimSpace(part)); p {
		case "ISO":
		case "MDY", "DMY", "YMD":
			order = p
		case "US", "NONEURO", "NONEUROPEAN":
			order = "MDY"
		case "EURO", "EUROPEAN":
			order = "DMY"
		default:
			return "", sqlstate.Errorf(sqlstate.FeatureNotSupported, "lakegate only supports the ISO DateStyle, not %q", v)
		}
	}
	return "ISO, " + order, nil
}

func timeZone(v string) (string, error) {
	switch strings.ToUpper(strings.TrimSpace(v)) {
	case "UTC", "GMT", "ETC/UTC", "ZULU", "Z", "UCT", "ETC/GMT", "+00", "00:00", "+00:00", "0":
		return "UTC", nil
	}
	return "", sqlstate.Errorf(sqlstate.FeatureNotSupported, "lakegate presents times in UTC; time zone %q is not supported yet", v)
}

// settings is a session's parameter values.
type settings struct {
	values  map[string]string // by canonical name
	changed map[string]bool   // reported parameters changed since the last drain
	// startup are the values the session started with (the startup
	// packet's, the user's and the server's defaults): what RESET, RESET
	// ALL and DISCARD ALL go back to, as PostgreSQL's reset_val.
	startup map[string]string
}

func newSettings(s *Session) settings {
	st := settings{values: make(map[string]string, len(settingDefs)), changed: map[string]bool{}}
	for _, def := range settingDefs {
		st.values[def.name] = def.initial(s)
	}
	return st
}

func (st *settings) set(name, value string) error {
	def, err := lookupSetting(name)
	if err != nil {
		return err
	}
	if def.check == nil {
		return sqlstate.Errorf(sqlstate.CantChangeRuntimeParam, "parameter %q cannot be changed", def.name)
	}
	v, err := def.check(value)
	if err != nil {
		if se, ok := err.(*sqlstate.Error); ok && se.Code == sqlstate.InvalidParameterValue {
			se.Message = fmt.Sprintf("invalid value for parameter %q: %s", def.name, se.Message)
		}
		return err
	}
	if st.values[def.name] != v && def.reported {
		st.changed[def.name] = true
	}
	st.values[def.name] = v
	return nil
}

// resetValue is the value RESET gives the parameter: the session's
// startup value, or the parameter's default.
func (st *settings) resetValue(s *Session, def settingDef) string {
	if v, ok := st.startup[def.name]; ok {
		return v
	}
	return def.initial(s)
}

func (st *settings) get(name string) (string, string, error) {
	def, err := lookupSetting(name)
	if err != nil {
		return "", "", err
	}
	return def.name, st.values[def.name], nil
}

// Reported returns the parameters PostgreSQL reports to a client at startup.
func (st *settings) reported() map[string]string {
	out := map[string]string{}
	for _, def := range settingDefs {
		if def.reported {
			out[def.name] = st.values[def.name]
		}
	}
	return out
}

// drainChanged returns and forgets the reported parameters changed since the
// last call.
func (st *settings) drainChanged() map[string]string {
	if len(st.changed) == 0 {
		return nil
	}
	out := make(map[string]string, len(st.changed))
	for name := range st.changed {
		out[name] = st.values[name]
	}
	clear(st.changed)
	return out
}

func sortedSettingNames() []string {
	names := make([]string, len(settingDefs))
	for i, d := range settingDefs {
		names[i] = d.name
	}
	sort.Slice(names, func(i, j int) bool { return strings.ToLower(names[i]) < strings.ToLower(names[j]) })
	return names
}
