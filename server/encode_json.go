package server

import (
	"github.com/lakegate/lakegate/engine"
)

// DuckDB values PostgreSQL has no type for (STRUCT, MAP, UNION, lists of
// lists or of structs) are announced as json and written as PostgreSQL's
// to_json would write the equivalent value: compact, numbers as JSON
// numbers (but NaN and infinities as strings), dates and timestamps in
// ISO 8601 with a T, everything else as a JSON string of its text form.
// Binary json is the same text (json_send), so one encoder serves both
// formats. DuckDB's JSON type is already JSON text and passes through.

// jsonEncoder builds the encoder of a value of shape s as json.
func jsonEncoder(s *engine.Shape) columnEncoder {
	switch s.Kind {
	case engine.KindBool:
		return jsonBool
	case engine.KindFloat32, engine.KindFloat64:
		return jsonNumberOrString(textEncoder(engine.Type{}, s))
	case engine.KindVarchar:
		if s.JSON {
			return textBytes
		}
		return jsonBytes
	case engine.KindEnum:
		return jsonBytes
	case engine.KindBlob:
		return jsonEscaped(textBytea)
	case engine.KindTimestamp:
		return jsonTimestamp
	case engine.KindTimestampTZ:
		return jsonTimestampTZ
	case engine.KindList, engine.KindArray:
		return jsonList(s)
	case engine.KindStruct:
		return jsonStruct(s)
	case engine.KindMap:
		return jsonMap(s)
	case engine.KindUnion:
		return jsonUnion(s)
	case engine.KindBit, engine.KindDate, engine.KindTime, engine.KindTimeNS,
		engine.KindTimeTZ, engine.KindInterval, engine.KindUUID:
		// Their text never holds a character JSON escapes.
		return jsonQuoted(textEncoder(engine.Type{}, s))
	}
	// Integers and numerics are JSON numbers as they print.
	return textEncoder(engine.Type{}, s)
}

func jsonBool(buf []byte, v *engine.Vector, row int) []byte {
	if v.Bool(row) {
		return append(buf, "true"...)
	}
	return append(buf, "false"...)
}

func jsonBytes(buf []byte, v *engine.Vector, row int) []byte {
	return appendJSONString(buf, v.Bytes(row))
}

func jsonTimestamp(buf []byte, v *engine.Vector, row int) []byte {
	buf = append(buf, '"')
	buf = appendTimestamp(buf, v.Micros(row), 'T', false)
	return append(buf, '"')
}

func jsonTimestampTZ(buf []byte, v *engine.Vector, row int) []byte {
	buf = append(buf, '"')
	buf = appendTimestamp(buf, v.Micros(row), 'T', true)
	return append(buf, '"')
}

// jsonNumberOrString keeps a float's text as a JSON number unless it is
// not one (NaN, Infinity, -Infinity), as to_json does for numeric types.
func jsonNumberOrString(enc columnEncoder) columnEncoder {
	return func(buf []byte, v *engine.Vector, row int) []byte {
		start := len(buf)
		buf = enc(buf, v, row)
		c := buf[start]
		if c == '-' && len(buf) > start+1 {
			c = buf[start+1]
		}
		if c >= '0' && c <= '9' {
			return buf
		}
		buf = append(buf, 0, 0)
		copy(buf[start+1:], buf[start:len(buf)-2])
		buf[start] = '"'
		buf[len(buf)-1] = '"'
		return buf
	}
}

// jsonQuoted wraps text that needs no escaping in quotes.
func jsonQuoted(enc columnEncoder) columnEncoder {
	return func(buf []byte, v *engine.Vector, row int) []byte {
		buf = append(buf, '"')
		buf = enc(buf, v, row)
		return append(buf, '"')
	}
}

// jsonEscaped writes the text enc produces as a JSON string.
func jsonEscaped(enc columnEncoder) columnEncoder {
	var scratch []byte
	return func(buf []byte, v *engine.Vector, row int) []byte {
		start := len(buf)
		buf = enc(buf, v, row)
		scratch = append(scratch[:0], buf[start:]...)
		return appendJSONString(buf[:start], scratch)
	}
}

// appendJSONString writes b as a JSON string, escaping as PostgreSQL's
// escape_json does.
func appendJSONString(buf, b []byte) []byte {
	const hexDigits = "0123456789abcdef"
	buf = append(buf, '"')
	for _, c := range b {
		switch c {
		case '"', '\\':
			buf = append(buf, '\\', c)
		case '\b':
			buf = append(buf, '\\', 'b')
		case '\f':
			buf = append(buf, '\\', 'f')
		case '\n':
			buf = append(buf, '\\', 'n')
		case '\r':
			buf = append(buf, '\\', 'r')
		case '\t':
			buf = append(buf, '\\', 't')
		default:
			if c < ' ' {
				buf = append(buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
			} else {
				buf = append(buf, c)
			}
		}
	}
	return append(buf, '"')
}

func jsonList(s *engine.Shape) columnEncoder {
	elem := jsonEncoder(s.Child)
	return func(buf []byte, v *engine.Vector, row int) []byte {
		off, n := v.List(row)
		child := v.Child()
		buf = append(buf, '[')
		for j := off; j < off+n; j++ {
			if j > off {
				buf = append(buf, ',')
			}
			if child.IsNull(j) {
				buf = append(buf, "null"...)
			} else {
				buf = elem(buf, child, j)
			}
		}
		return append(buf, ']')
	}
}

func jsonStruct(s *engine.Shape) columnEncoder {
	keys := make([][]byte, len(s.Fields))
	fields := make([]columnEncoder, len(s.Fields))
	for j, f := range s.Fields {
		keys[j] = append(appendJSONString(nil, []byte(s.FieldNames[j])), ':')
		fields[j] = jsonEncoder(f)
	}
	return func(buf []byte, v *engine.Vector, row int) []byte {
		buf = append(buf, '{')
		for j, enc := range fields {
			if j > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, keys[j]...)
			if f := v.Field(j); f.IsNull(row) {
				buf = append(buf, "null"...)
			} else {
				buf = enc(buf, f, row)
			}
		}
		return append(buf, '}')
	}
}

// jsonMap writes a MAP as an object keyed by each key's text form.
func jsonMap(s *engine.Shape) columnEncoder {
	key := jsonEscaped(textEncoder(engine.Type{}, s.Child.Fields[0]))
	if k := s.Child.Fields[0].Kind; k == engine.KindVarchar || k == engine.KindEnum {
		key = jsonBytes
	}
	value := jsonEncoder(s.Child.Fields[1])
	return func(buf []byte, v *engine.Vector, row int) []byte {
		off, n := v.List(row)
		entries := v.Child()
		keys, values := entries.Field(0), entries.Field(1)
		buf = append(buf, '{')
		for j := off; j < off+n; j++ {
			if j > off {
				buf = append(buf, ',')
			}
			if keys.IsNull(j) { // DuckDB forbids NULL keys; be safe anyway
				buf = append(buf, `""`...)
			} else {
				buf = key(buf, keys, j)
			}
			buf = append(buf, ':')
			if values.IsNull(j) {
				buf = append(buf, "null"...)
			} else {
				buf = value(buf, values, j)
			}
		}
		return append(buf, '}')
	}
}

// jsonUnion writes the value of a UNION's current member, as DuckDB's own
// cast of a UNION to JSON does.
func jsonUnion(s *engine.Shape) columnEncoder {
	members := make([]columnEncoder, len(s.Fields)-1)
	for j := range members {
		members[j] = jsonEncoder(s.Fields[1+j])
	}
	return func(buf []byte, v *engine.Vector, row int) []byte {
		tag := int(v.Field(0).Int(row))
		if tag < 0 || tag >= len(members) {
			return append(buf, "null"...)
		}
		m := v.Field(1 + tag)
		if m.IsNull(row) {
			return append(buf, "null"...)
		}
		return members[tag](buf, m, row)
	}
}
