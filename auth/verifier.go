package auth

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/xdg-go/scram"
)

// ScramIterations is the iteration count of verifiers lakegate makes,
// PostgreSQL's default (scram_iterations).
const ScramIterations = 4096

// A Secret is what lakegate stores for a password: a SCRAM-SHA-256 verifier
// or an md5 hash, in PostgreSQL's pg_authid.rolpassword formats. Neither
// holds the password itself.
type Secret interface {
	// String is the stored form, safe to print.
	String() string
}

// ScramSecret is a SCRAM-SHA-256 verifier,
// SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>.
type ScramSecret struct {
	Salt       []byte
	Iterations int
	StoredKey  []byte
	ServerKey  []byte
}

func (s *ScramSecret) String() string {
	b64 := base64.StdEncoding.EncodeToString
	return fmt.Sprintf("SCRAM-SHA-256$%d:%s$%s:%s", s.Iterations, b64(s.Salt), b64(s.StoredKey), b64(s.ServerKey))
}

func (s *ScramSecret) credentials() scram.StoredCredentials {
	return scram.StoredCredentials{
		KeyFactors: scram.KeyFactors{Salt: string(s.Salt), Iters: s.Iterations},
		StoredKey:  s.StoredKey,
		ServerKey:  s.ServerKey,
	}
}

// MD5Secret is PostgreSQL's md5 password hash: "md5" followed by the hex
// md5 of the password and the user name.
type MD5Secret struct {
	Hash string // 32 lower-case hex digits
}

func (s *MD5Secret) String() string { return "md5" + s.Hash }

// matches reports, in constant time, whether response is the client's
// answer to an md5 challenge with salt.
func (s *MD5Secret) matches(salt [4]byte, response []byte) bool {
	sum := md5.Sum(append([]byte(s.Hash), salt[:]...))
	want := "md5" + hex.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(want), response) == 1
}

// ParseSecret reads a stored secret: a SCRAM-SHA-256 verifier or an md5
// hash. The error never repeats the input, which may be a mistyped
// password.
func ParseSecret(s string) (Secret, error) {
	switch {
	case strings.HasPrefix(s, "SCRAM-SHA-256$"):
		return parseScram(s)
	case strings.HasPrefix(s, "md5") && len(s) == 35:
		h := strings.ToLower(s[3:])
		if _, err := hex.DecodeString(h); err != nil {
			return nil, errors.New("an md5 password hash is md5 followed by 32 hex digits")
		}
		return &MD5Secret{Hash: h}, nil
	}
	return nil, errors.New("not a SCRAM-SHA-256$... verifier or md5 hash")
}

func parseScram(s string) (*ScramSecret, error) {
	bad := errors.New("a SCRAM verifier has the form SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey> (see lakegate passwd)")
	parts := strings.Split(strings.TrimPrefix(s, "SCRAM-SHA-256$"), "$")
	if len(parts) != 2 {
		return nil, bad
	}
	iterText, saltText, ok := strings.Cut(parts[0], ":")
	if !ok {
		return nil, bad
	}
	storedText, serverText, ok := strings.Cut(parts[1], ":")
	if !ok {
		return nil, bad
	}
	iter, err := strconv.Atoi(iterText)
	if err != nil || iter < 1 {
		return nil, bad
	}
	dec := base64.StdEncoding.DecodeString
	salt, err1 := dec(saltText)
	stored, err2 := dec(storedText)
	server, err3 := dec(serverText)
	if err1 != nil || err2 != nil || err3 != nil || len(salt) == 0 || len(stored) != 32 || len(server) != 32 {
		return nil, bad
	}
	return &ScramSecret{Salt: salt, Iterations: iter, StoredKey: stored, ServerKey: server}, nil
}

// NewScramSecret derives a SCRAM-SHA-256 verifier for password with a
// random salt. The password is SASLprep-normalized as clients do; one that
// SASLprep rejects is used as raw bytes, as libpq does.
func NewScramSecret(password string, iterations int) (*ScramSecret, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	return scramSecretWithSalt(password, salt, iterations)
}

func scramSecretWithSalt(password string, salt []byte, iterations int) (*ScramSecret, error) {
	client, err := scram.SHA256.NewClient("", password, "")
	if err != nil {
		if client, err = scram.SHA256.NewClientUnprepped("", password, ""); err != nil {
			return nil, err
		}
	}
	cred := client.GetStoredCredentials(scram.KeyFactors{Salt: string(salt), Iters: iterations})
	return &ScramSecret{Salt: salt, Iterations: iterations, StoredKey: cred.StoredKey, ServerKey: cred.ServerKey}, nil
}

// NewMD5Secret is PostgreSQL's md5 hash of user's password.
func NewMD5Secret(user, password string) *MD5Secret {
	sum := md5.Sum([]byte(password + user))
	return &MD5Secret{Hash: hex.EncodeToString(sum[:])}
}

// VerifyPassword reports whether password matches secret for user, in
// constant time with respect to the secret (cleartext password method).
func VerifyPassword(secret Secret, user, password string) bool {
	switch s := secret.(type) {
	case *ScramSecret:
		other, err := scramSecretWithSalt(password, s.Salt, s.Iterations)
		if err != nil {
			return false
		}
		return subtle.ConstantTimeCompare(other.StoredKey, s.StoredKey) == 1
	case *MD5Secret:
		return subtle.ConstantTimeCompare([]byte(NewMD5Secret(user, password).Hash), []byte(s.Hash)) == 1
	}
	return false
}
