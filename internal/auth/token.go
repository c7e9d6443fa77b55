package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// NewSecret returns a random 256-bit value, URL-safe encoded. API tokens and
// session ids are such secrets.
func NewSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Digest is what we store instead of a secret: its SHA-256, hex. A 256-bit
// random secret needs no slow hash: guessing it is hopeless, and checking one
// costs microseconds.
func Digest(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
