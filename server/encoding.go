package server

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/lakegate/lakegate/sqlstate"
)

// checkUTF8 refuses text that is not valid UTF-8, the only client encoding
// lakegate speaks, with PostgreSQL's error: it names the bytes of the
// first invalid character.
func checkUTF8[T string | []byte](text T) error {
	s := string(text)
	if utf8.ValidString(s) {
		return nil
	}
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		i += size
	}
	n := min(leadLength(s[i]), len(s)-i)
	bytes := make([]string, n)
	for j := range n {
		bytes[j] = fmt.Sprintf("0x%02x", s[i+j])
	}
	return sqlstate.Errorf(sqlstate.CharacterNotInRepertoire,
		"invalid byte sequence for encoding \"UTF8\": %s", strings.Join(bytes, " "))
}

// leadLength is how many bytes a UTF-8 sequence starting with b claims
// (PostgreSQL's pg_utf_mblen).
func leadLength(b byte) int {
	switch {
	case b&0xe0 == 0xc0:
		return 2
	case b&0xf0 == 0xe0:
		return 3
	case b&0xf8 == 0xf0:
		return 4
	}
	return 1
}
