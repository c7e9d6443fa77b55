package chat

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"

	"github.com/google/uuid"
)

// A visitor token is "v1.<uuid>.<mac>": the visitor's id signed with the
// workspace's token key, so a visitor cannot take another visitor's id.
func signVisitor(key, id string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte("visitor:" + id))
	return "v1." + id + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// parseVisitorToken returns the visitor uuid of a well-signed token.
func parseVisitorToken(key, tok string) (string, bool) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || parts[0] != "v1" {
		return "", false
	}
	if _, err := uuid.Parse(parts[1]); err != nil {
		return "", false
	}
	want := signVisitor(key, parts[1])
	if !hmac.Equal([]byte(want), []byte(tok)) {
		return "", false
	}
	return parts[1], true
}

// SignIdentity is what an embedding site computes on its server:
// hex(HMAC-SHA256(secret, user_id + "\n" + lower(email))).
func SignIdentity(secret, userID, email string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(userID + "\n" + strings.ToLower(strings.TrimSpace(email))))
	return hex.EncodeToString(m.Sum(nil))
}

// verifyIdentity reports whether id carries a valid signature.
func verifyIdentity(secret string, id *Identity) bool {
	if id == nil || id.UserID == "" || id.Email == "" || id.Signature == "" || secret == "" {
		return false
	}
	want := SignIdentity(secret, id.UserID, id.Email)
	return hmac.Equal([]byte(want), []byte(strings.ToLower(id.Signature)))
}

func randomSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
