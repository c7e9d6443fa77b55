package zendesk

import (
	"encoding/base64"
	"strconv"

	"github.com/google/uuid"

	"layan/internal/apperr"
)

func newJobID() string { return uuid.Must(uuid.NewV7()).String() }

func encodeIDCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("id:" + strconv.FormatInt(id, 10)))
}

func decodeIDCursor(c string) (int64, error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(raw) < 4 || string(raw[:3]) != "id:" {
		return 0, apperr.Invalid("page[after]", "invalid_cursor", "is not a cursor this server gave out")
	}
	n, err := strconv.ParseInt(string(raw[3:]), 10, 64)
	if err != nil || n < 0 {
		return 0, apperr.Invalid("page[after]", "invalid_cursor", "is not a cursor this server gave out")
	}
	return n, nil
}
