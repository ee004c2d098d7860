package platform

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// argonParams are the cost settings of a new hash. A stored hash carries its
// own settings, so raising them later leaves old hashes valid.
type argonParams struct {
	memory  uint32 // KiB
	time    uint32
	threads uint8
	saltLen int
	keyLen  uint32
}

// hashParams follow RFC 9106's second recommended option (64 MiB, t=3).
// Tests lower them to keep runs short.
var hashParams = argonParams{memory: 64 * 1024, time: 3, threads: 2, saltLen: 16, keyLen: 32}

// Limits on a stored hash's settings, so that a tampered row cannot make a
// login allocate gigabytes.
const (
	maxArgonMemory = 1 << 20 // 1 GiB in KiB
	maxArgonTime   = 16
)

// minPasswordLen is the shortest password accepted, in characters.
const minPasswordLen = 8

var b64 = base64.RawStdEncoding

func hashPassword(password string) (string, error) {
	p := hashParams
	salt := make([]byte, p.saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.time, p.memory, p.threads, p.keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.memory, p.time, p.threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

var errBadHash = errors.New("malformed argon2id hash")

// checkPassword reports whether password matches the PHC string phc.
func checkPassword(phc, password string) (bool, error) {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false, errBadHash
	}
	if m == 0 || m > maxArgonMemory || t == 0 || t > maxArgonTime || p == 0 {
		return false, errBadHash
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) == 0 {
		return false, errBadHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, errBadHash
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is checked against when the login does not exist, so that an
// unknown login takes as long to refuse as a wrong password.
var dummyHash = sync.OnceValue(func() string {
	h, _ := hashPassword("unused password for unknown logins")
	return h
})

// checkPasswordStrength refuses an empty or short password, or one equal to
// the login.
func checkPasswordStrength(login, password string) error {
	trimmed := strings.TrimSpace(password)
	switch {
	case trimmed == "":
		return fmt.Errorf("%w: empty", ErrWeakPassword)
	case utf8.RuneCountInString(trimmed) < minPasswordLen:
		return fmt.Errorf("%w: shorter than %d characters", ErrWeakPassword, minPasswordLen)
	case strings.EqualFold(trimmed, login):
		return fmt.Errorf("%w: same as the login", ErrWeakPassword)
	}
	return nil
}
