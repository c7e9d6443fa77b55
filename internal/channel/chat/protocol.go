package chat

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Limits of the protocol (docs/chat-protocol.md, "Errors and limits").
const (
	MaxFrameBytes   = 16 << 10
	MaxTextRunes    = 4000
	MaxRefLen       = 64
	MaxFieldRunes   = 200
	MaxAttachments  = 5
	MaxFramesPerReq = 20
)

// Error codes sent in error frames and JSON errors.
const (
	CodeBadFrame          = "bad_frame"
	CodeTooLarge          = "too_large"
	CodeRateLimited       = "rate_limited"
	CodeNoConversation    = "no_conversation"
	CodeConversationEnded = "conversation_ended"
	CodeEmailRequired     = "email_required"
	CodeInvalidUpload     = "invalid_upload"
	CodeHelloRequired     = "hello_required"
	CodeForbidden         = "forbidden"
	CodeNotFound          = "not_found"
	CodeLimitReached      = "limit_reached"
	CodeNotQueued         = "not_queued"
)

// FrameError is a refused frame. Fatal ones close the connection.
type FrameError struct {
	Code  string
	Msg   string
	Fatal bool
}

func (e *FrameError) Error() string { return e.Code + ": " + e.Msg }

func badFrame(msg string) *FrameError { return &FrameError{Code: CodeBadFrame, Msg: msg, Fatal: true} }

// Identity is a logged-in customer passed by the embedding site, signed with
// the workspace's identity secret.
type Identity struct {
	UserID    string `json:"user_id"`
	Email     string `json:"email"`
	Name      string `json:"name"`
	Signature string `json:"signature"`
}

// ClientFrame is any frame a visitor or an agent sends; Type says which
// fields matter.
type ClientFrame struct {
	Type         string    `json:"type"`
	Ref          string    `json:"ref"`
	Text         string    `json:"text"`
	Name         string    `json:"name"`
	Email        string    `json:"email"`
	Topic        string    `json:"topic"`
	Attachments  []string  `json:"attachments"`
	On           bool      `json:"on"`
	Seq          int64     `json:"seq"`
	Score        int       `json:"score"`
	Comment      string    `json:"comment"`
	Status       string    `json:"status"`
	Conversation string    `json:"conversation"`
	After        int64     `json:"after"`
	LastSeq      int64     `json:"last_seq"`
	VisitorToken string    `json:"visitor_token"`
	Identity     *Identity `json:"identity"`
	Locale       string    `json:"locale"`
}

// Frame types each side may send.
var (
	visitorTypes = map[string]bool{"hello": true, "start": true, "send": true, "typing": true, "read": true,
		"end": true, "transcript": true, "rate": true, "ping": true}
	agentTypes = map[string]bool{"subscribe": true, "unsubscribe": true, "send": true, "typing": true,
		"read": true, "presence": true, "ping": true}
)

// DecodeVisitorFrame parses and checks one frame from a visitor.
func DecodeVisitorFrame(data []byte) (ClientFrame, error) { return decodeFrame(data, visitorTypes) }

// DecodeAgentFrame parses and checks one frame from an agent.
func DecodeAgentFrame(data []byte) (ClientFrame, error) { return decodeFrame(data, agentTypes) }

func decodeFrame(data []byte, types map[string]bool) (ClientFrame, error) {
	var f ClientFrame
	if len(data) > MaxFrameBytes {
		return f, &FrameError{Code: CodeTooLarge, Msg: "frame larger than 16 KiB", Fatal: true}
	}
	if !utf8.Valid(data) {
		return f, badFrame("frame is not UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&f); err != nil {
		return ClientFrame{}, badFrame("frame is not a JSON object of the protocol")
	}
	if dec.More() {
		return ClientFrame{}, badFrame("one JSON object per frame")
	}
	if !types[f.Type] {
		return ClientFrame{}, badFrame("unknown frame type")
	}
	if err := f.check(); err != nil {
		return ClientFrame{}, err
	}
	return f, nil
}

// check validates the fields; oversize text is refused but not fatal.
func (f *ClientFrame) check() error {
	if len(f.Ref) > MaxRefLen {
		return badFrame("ref longer than 64 characters")
	}
	if (f.Type == "send" || f.Type == "start") && strings.TrimSpace(f.Text) == "" && len(f.Attachments) == 0 {
		return &FrameError{Code: CodeBadFrame, Msg: "text is required"}
	}
	if utf8.RuneCountInString(f.Text) > MaxTextRunes || utf8.RuneCountInString(f.Comment) > MaxTextRunes {
		return &FrameError{Code: CodeTooLarge, Msg: "text longer than 4000 characters"}
	}
	for _, s := range []string{f.Name, f.Email, f.Topic, f.Status, f.Locale, f.VisitorToken} {
		if utf8.RuneCountInString(s) > MaxFieldRunes {
			return badFrame("field longer than 200 characters")
		}
	}
	if id := f.Identity; id != nil {
		for _, s := range []string{id.UserID, id.Email, id.Name, id.Signature} {
			if utf8.RuneCountInString(s) > MaxFieldRunes {
				return badFrame("identity field longer than 200 characters")
			}
		}
	}
	if len(f.Attachments) > MaxAttachments {
		return &FrameError{Code: CodeInvalidUpload, Msg: "at most 5 attachments"}
	}
	for _, a := range f.Attachments {
		if len(a) > MaxRefLen {
			return badFrame("attachment token too long")
		}
	}
	if f.Seq < 0 || f.After < 0 || f.LastSeq < 0 {
		return badFrame("sequence numbers are never negative")
	}
	if f.Conversation != "" {
		if _, err := uuid.Parse(f.Conversation); err != nil {
			return badFrame("conversation is not a UUID")
		}
	}
	switch f.Type {
	case "rate":
		if f.Score < 1 || f.Score > 5 {
			return &FrameError{Code: CodeBadFrame, Msg: "score must be 1 to 5"}
		}
	case "presence":
		if f.Status != "online" && f.Status != "away" && f.Status != "offline" {
			return &FrameError{Code: CodeBadFrame, Msg: "status must be online, away or offline"}
		}
	case "subscribe", "unsubscribe":
		if f.Conversation == "" {
			return &FrameError{Code: CodeBadFrame, Msg: "conversation is required"}
		}
	}
	if f.Locale != "" && f.Locale != "en" && f.Locale != "id" && f.Locale != "fa" {
		f.Locale = "en"
	}
	return nil
}

// CodeError is a refused call with its protocol code; Kind is the apperr
// kind (ErrNotFound, ErrConflict, ...) that sets the HTTP status.
type CodeError struct {
	Code string
	Msg  string
	Kind error
}

func (e *CodeError) Error() string { return e.Code + ": " + e.Msg }
func (e *CodeError) Unwrap() error { return e.Kind }

func refuse(code string, kind error, msg string) error {
	return &CodeError{Code: code, Msg: msg, Kind: kind}
}

// ErrorCode is the protocol code of err ("" when it has none).
func ErrorCode(err error) string {
	var ce *CodeError
	var fe *FrameError
	switch {
	case errors.As(err, &ce):
		return ce.Code
	case errors.As(err, &fe):
		return fe.Code
	}
	return ""
}
