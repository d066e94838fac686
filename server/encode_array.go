package server

import (
	"encoding/binary"

	"github.com/lakegate/lakegate/engine"
)

// DuckDB LIST and ARRAY columns of scalars are announced as one-dimensional
// PostgreSQL arrays (lower bound 1) and encoded as array_out and array_send
// do. Lists of lists and of structs are json (encode_json.go): PostgreSQL
// arrays are rectangular and DuckDB lists are not.

// textArrayEncoder writes array_out's form: {a,b,NULL}, with elements in
// their own text form and double-quoted when array_in would otherwise
// misread them.
func textArrayEncoder(elem engine.Type, s *engine.Shape) columnEncoder {
	enc := textEncoder(elem, s.Child)
	var scratch []byte // an element being quoted; reused across values
	return func(buf []byte, v *engine.Vector, row int) []byte {
		off, n := v.List(row)
		child := v.Child()
		buf = append(buf, '{')
		for j := off; j < off+n; j++ {
			if j > off {
				buf = append(buf, ',')
			}
			if child.IsNull(j) {
				buf = append(buf, "NULL"...)
				continue
			}
			start := len(buf)
			buf = enc(buf, child, j)
			if needsArrayQuotes(buf[start:]) {
				scratch = append(scratch[:0], buf[start:]...)
				buf = appendArrayQuoted(buf[:start], scratch)
			}
		}
		return append(buf, '}')
	}
}

// needsArrayQuotes is array_out's test: empty strings, the word NULL in any
// case, and text holding braces, the delimiter, quotes, backslashes or
// whitespace (as array_isspace defines it) are quoted.
func needsArrayQuotes(b []byte) bool {
	if len(b) == 0 {
		return true
	}
	if len(b) == 4 && b[0]|0x20 == 'n' && b[1]|0x20 == 'u' && b[2]|0x20 == 'l' && b[3]|0x20 == 'l' {
		return true
	}
	for _, c := range b {
		switch c {
		case '{', '}', ',', '"', '\\', ' ', '\t', '\n', '\r', '\v', '\f':
			return true
		}
	}
	return false
}

// appendArrayQuoted appends b in double quotes, backslash-escaping quotes
// and backslashes.
func appendArrayQuoted(buf, b []byte) []byte {
	buf = append(buf, '"')
	for _, c := range b {
		if c == '"' || c == '\\' {
			buf = append(buf, '\\')
		}
		buf = append(buf, c)
	}
	return append(buf, '"')
}

// binaryArrayEncoder writes array_send's form: ndim, has-nulls flag,
// element type, then per dimension its length and lower bound, then each
// element as a length (-1 for NULL) and its binary form. An empty array
// has no dimensions.
func binaryArrayEncoder(t engine.Type, s *engine.Shape) columnEncoder {
	enc := encoderFor(elementType(t), s.Child, binaryFormat)
	elemOID := t.Elem
	return func(buf []byte, v *engine.Vector, row int) []byte {
		off, n := v.List(row)
		child := v.Child()
		if n == 0 {
			buf = binary.BigEndian.AppendUint32(buf, 0)
			buf = binary.BigEndian.AppendUint32(buf, 0)
			return binary.BigEndian.AppendUint32(buf, elemOID)
		}
		var hasNull uint32
		for j := off; j < off+n; j++ {
			if child.IsNull(j) {
				hasNull = 1
				break
			}
		}
		buf = binary.BigEndian.AppendUint32(buf, 1)
		buf = binary.BigEndian.AppendUint32(buf, hasNull)
		buf = binary.BigEndian.AppendUint32(buf, elemOID)
		buf = binary.BigEndian.AppendUint32(buf, uint32(n))
		buf = binary.BigEndian.AppendUint32(buf, 1)
		for j := off; j < off+n; j++ {
			if child.IsNull(j) {
				buf = binary.BigEndian.AppendUint32(buf, 0xFFFFFFFF) // -1
				continue
			}
			at := len(buf)
			buf = append(buf, 0, 0, 0, 0)
			buf = enc(buf, child, j)
			binary.BigEndian.PutUint32(buf[at:], uint32(len(buf)-at-4))
		}
		return buf
	}
}
