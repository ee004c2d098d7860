package tunnel

import (
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
)

// Key is a Curve25519 key as WireGuard uses it: a private key, a public key
// or a preshared key. Its text form is standard base64 (44 characters), as
// wg(8) and wg-quick files write it.
type Key [32]byte

// GenerateKey makes a new private key, clamped as wg genkey does.
func GenerateKey() (Key, error) {
	var k Key
	if _, err := rand.Read(k[:]); err != nil {
		return Key{}, fmt.Errorf("generate key: %w", err)
	}
	k.clamp()
	return k, nil
}

// ParseKey reads a key in the base64 form wg genkey prints.
func ParseKey(s string) (Key, error) {
	var k Key
	if len(s) != 44 || s[43] != '=' {
		return Key{}, fmt.Errorf("key must be 44 characters of base64 ending in '=', got %d characters", len(s))
	}
	// Strict decoding refuses non-zero padding bits, so every key has exactly
	// one spelling, as in wg's own decoder.
	n, err := base64.StdEncoding.Strict().Decode(k[:], []byte(s))
	if err != nil || n != len(k) {
		return Key{}, fmt.Errorf("key is not valid base64 of 32 bytes")
	}
	return k, nil
}

// parseHexKey reads a key in the hex form of the UAPI (IpcGet).
func parseHexKey(s string) (Key, error) {
	var k Key
	if len(s) != 2*len(k) {
		return Key{}, fmt.Errorf("hex key must be 64 characters, got %d", len(s))
	}
	if _, err := hex.Decode(k[:], []byte(s)); err != nil {
		return Key{}, fmt.Errorf("hex key: %w", err)
	}
	return k, nil
}

// Public derives the public key from a private key. The private key is
// clamped first, as wg pubkey does, so unclamped keys give the same answer as
// there.
func (k Key) Public() Key {
	priv := k
	priv.clamp()
	sk, err := ecdh.X25519().NewPrivateKey(priv[:])
	if err != nil {
		// Only a wrong length fails, and a Key is always 32 bytes.
		panic("tunnel: X25519 private key: " + err.Error())
	}
	var pub Key
	copy(pub[:], sk.PublicKey().Bytes())
	return pub
}

// String returns the base64 form.
func (k Key) String() string { return base64.StdEncoding.EncodeToString(k[:]) }

// Hex returns the lowercase hex form the WireGuard UAPI uses.
func (k Key) Hex() string { return hex.EncodeToString(k[:]) }

// IsZero reports whether the key is all zeros, which WireGuard reads as "no
// key" (an unset preshared key is 32 zero bytes on the wire).
func (k Key) IsZero() bool { return k == Key{} }

func (k *Key) clamp() {
	k[0] &= 248
	k[31] = (k[31] & 127) | 64
}
