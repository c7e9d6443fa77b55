package chat

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/google/uuid"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/blob"
	"layan/internal/db"
	"layan/internal/directory"
)

// Hello identifies a visitor: the one named by a well-signed token, else a
// new anonymous one; a validly signed identity links them to that customer.
func (s *Service) Hello(ctx context.Context, token string, ident *Identity, locale string) (Visitor, error) {
	st, err := s.Settings(ctx)
	if err != nil {
		return Visitor{}, err
	}
	v := Visitor{Locale: normLocale(locale)}
	if id, ok := parseVisitorToken(st.tokenKey, token); ok {
		var uid sql.NullInt64
		err := s.db.R.QueryRowContext(ctx, `SELECT id, user_id FROM chat_visitors WHERE uuid = $1`, id).Scan(&v.ID, &uid)
		if err == nil {
			v.UUID, v.UserID = id, uid.Int64
		} else if !errors.Is(err, sql.ErrNoRows) {
			return Visitor{}, err
		}
	}
	var customer directory.User
	if verifyIdentity(st.IdentitySecret, ident) {
		customer, err = s.dir.FindOrCreateCustomer(ctx, ident.Email, ident.Name, v.Locale)
		if err != nil {
			customer = directory.User{} // a bad email in a signed identity: stay anonymous
		} else {
			v.Customer = true
			if v.ID != 0 && v.UserID != 0 && v.UserID != customer.ID {
				v.ID = 0 // this browser's visitor is someone else: start a fresh one
			}
		}
	}
	if v.ID == 0 {
		v.UUID = newUUID()
		if err := s.db.W.QueryRowContext(ctx, `INSERT INTO chat_visitors (uuid, user_id, created_at) VALUES ($1, $2, $3) RETURNING id`,
			v.UUID, db.NullID(customer.ID), db.Millis(s.now())).Scan(&v.ID); err != nil {
			return Visitor{}, err
		}
		v.UserID = customer.ID
	} else if v.Customer && v.UserID != customer.ID {
		if _, err := s.db.W.ExecContext(ctx, `UPDATE chat_visitors SET user_id = $1 WHERE id = $2`, customer.ID, v.ID); err != nil {
			return Visitor{}, err
		}
		v.UserID = customer.ID
	}
	if v.UserID != 0 {
		_ = s.db.R.QueryRowContext(ctx, `SELECT name, COALESCE(email, '') FROM users WHERE id = $1`, v.UserID).Scan(&v.Name, &v.Email)
	}
	v.Token = signVisitor(st.tokenKey, v.UUID)
	return v, nil
}

// VisitorByToken is Hello without identity, for calls after the first
// (long-poll, uploads): a bad token is ErrUnauthorized, not a new visitor.
func (s *Service) VisitorByToken(ctx context.Context, token string) (Visitor, error) {
	st, err := s.Settings(ctx)
	if err != nil {
		return Visitor{}, err
	}
	id, ok := parseVisitorToken(st.tokenKey, token)
	if !ok {
		return Visitor{}, apperr.ErrUnauthorized
	}
	v := Visitor{UUID: id, Token: token}
	var uid sql.NullInt64
	err = s.db.R.QueryRowContext(ctx, `SELECT id, user_id FROM chat_visitors WHERE uuid = $1`, id).Scan(&v.ID, &uid)
	if errors.Is(err, sql.ErrNoRows) {
		return Visitor{}, apperr.ErrUnauthorized
	}
	v.UserID = uid.Int64
	return v, err
}

// OpenConversation is the visitor's conversation still going on: queued or
// active, or an offline one from the last hour. nil when there is none.
func (s *Service) OpenConversation(ctx context.Context, v Visitor) (*Conversation, error) {
	cs, err := queryConvs(ctx, s.db.R, `WHERE c.visitor_id = $1 AND (c.status IN ('queued', 'active')
		OR (c.status = 'offline' AND c.requested_at > $2)) ORDER BY c.id DESC LIMIT 1`,
		v.ID, db.Millis(s.now().Add(-time.Hour)))
	if err != nil || len(cs) == 0 {
		return nil, err
	}
	return &cs[0], nil
}

// VisitorConversation reads a conversation of this visitor (any status).
func (s *Service) VisitorConversation(ctx context.Context, v Visitor, id string) (Conversation, error) {
	c, err := conversationByUUID(ctx, s.db.R, id)
	if err != nil {
		return c, err
	}
	if c.VisitorID != v.ID {
		return Conversation{}, refuse(CodeNotFound, apperr.ErrNotFound, "no such conversation")
	}
	return c, nil
}

// Messages reads up to limit messages with seq > after.
func (s *Service) Messages(ctx context.Context, c Conversation, after int64, limit int) ([]Message, error) {
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	return messagesAfter(ctx, s.db.R, c.ID, c.UUID, after, 0, limit)
}

// MessagesBetween reads the messages with seq in (after, upto]: how a
// socket fills a gap before a later seq.
func (s *Service) MessagesBetween(ctx context.Context, convUUID string, after, upto int64) ([]Message, error) {
	var id int64
	if err := s.db.R.QueryRowContext(ctx, `SELECT id FROM chat_conversations WHERE uuid = $1`, convUUID).Scan(&id); err != nil {
		return nil, err
	}
	return messagesAfter(ctx, s.db.R, id, convUUID, after, upto, int(upto-after))
}

// Upload limits and allowed types for visitor files.
const MaxUploadBytes = 5 << 20

var uploadTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true,
	"application/pdf": true, "text/plain": true}

// AllowedUploadType reports whether visitors may send files of this type.
func AllowedUploadType(ct string) bool { return uploadTypes[ct] }

// Upload stores a visitor's file and returns a token for a send frame.
func (s *Service) Upload(ctx context.Context, v Visitor, name, contentType string, r io.Reader) (FileRef, error) {
	ct, _, _ := strings.Cut(contentType, ";")
	ct = strings.ToLower(strings.TrimSpace(ct))
	if !uploadTypes[ct] {
		return FileRef{}, refuse(CodeInvalidUpload, apperr.Invalid("file", "type", "type not allowed"), "this file type is not allowed")
	}
	name = cleanFileName(name)
	key, size, err := s.blobs.Put(ctx, r, MaxUploadBytes)
	if errors.Is(err, blob.ErrTooLarge) {
		return FileRef{}, refuse(CodeTooLarge, apperr.Invalid("file", "too_large", "larger than 5 MiB"), "the file is larger than 5 MiB")
	}
	if err != nil {
		return FileRef{}, err
	}
	f := FileRef{Token: newUUID(), Name: name, Type: ct, Size: size}
	f.URL = "/api/layan/v1/chat/files/" + f.Token
	_, err = s.db.W.ExecContext(ctx, `INSERT INTO chat_uploads (token, visitor_id, blob_key, file_name, content_type, size, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, f.Token, v.ID, key, f.Name, f.Type, f.Size, db.Millis(s.now()))
	if err != nil {
		_ = s.blobs.Delete(ctx, key)
		return FileRef{}, err
	}
	return f, nil
}

// OpenFile opens an uploaded file for its visitor (v.ID) or for staff.
func (s *Service) OpenFile(ctx context.Context, v *Visitor, a *auth.Actor, token string) (FileRef, io.ReadCloser, error) {
	var f FileRef
	var key string
	var owner int64
	err := s.db.R.QueryRowContext(ctx, `SELECT blob_key, file_name, content_type, size, visitor_id FROM chat_uploads WHERE token = $1`,
		token).Scan(&key, &f.Name, &f.Type, &f.Size, &owner)
	if err != nil || !((v != nil && v.ID == owner) || (a != nil && a.IsStaff())) {
		return FileRef{}, nil, refuse(CodeNotFound, apperr.ErrNotFound, "no such file")
	}
	rc, err := s.blobs.Open(ctx, key)
	return f, rc, err
}

func cleanFileName(n string) string {
	n = strings.Map(func(r rune) rune {
		if r < 32 || r == '/' || r == '\\' || r == '"' || r == 127 {
			return '_'
		}
		return r
	}, n)
	if len([]rune(n)) > 120 {
		n = string([]rune(n)[:120])
	}
	if strings.TrimSpace(n) == "" {
		n = "file"
	}
	return n
}

func normLocale(l string) string {
	switch l {
	case "id", "fa":
		return l
	}
	return "en"
}

func newUUID() string {
	u, err := uuid.NewV7()
	if err != nil {
		return uuid.NewString()
	}
	return u.String()
}
