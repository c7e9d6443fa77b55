package chatapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/blob"
	"layan/internal/channel/chat"
	"layan/internal/web/httpx"
)

// frames is the long-poll send side: the same client frames as the socket,
// in order, answered with the same server frames.
func (a *API) frames(w http.ResponseWriter, r *http.Request) {
	if err := a.Chat.CheckWorkspace(r.Context(), r.URL.Query().Get("workspace")); err != nil {
		a.fail(w, r, err)
		return
	}
	var in struct {
		VisitorToken string            `json:"visitor_token"`
		Frames       []json.RawMessage `json:"frames"`
	}
	if err := httpx.DecodeJSON(w, r, int64(chat.MaxFramesPerReq)*chat.MaxFrameBytes, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	if len(in.Frames) == 0 || len(in.Frames) > chat.MaxFramesPerReq {
		a.fail(w, r, &chat.FrameError{Code: chat.CodeBadFrame, Msg: "send 1 to 20 frames"})
		return
	}
	s := &visitorSession{ip: clientIP(r)} // for this request; the poll delivers the messages
	out := []any{}
	for i, raw := range in.Frames {
		f, err := chat.DecodeVisitorFrame(raw)
		if err != nil {
			var fe *chat.FrameError
			if errors.As(err, &fe) && !fe.Fatal {
				out = append(out, errorFrame(fe.Code, fe.Msg, ""))
				continue
			}
			a.fail(w, r, err)
			return
		}
		if i == 0 && f.Type != "hello" {
			v, err := a.Chat.VisitorByToken(r.Context(), in.VisitorToken)
			if err != nil {
				a.fail(w, r, err)
				return
			}
			s.v, s.hello = v, true
		}
		res, err := a.visitorFrame(r.Context(), s, f)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		out = append(out, res...)
	}
	// Between requests a long-poll visitor has no connection: a queued chat
	// counts as left until the next poll (see poll), so one who closes the
	// page is abandoned as a socket's visitor is.
	if s.conv != nil && s.conv.Status == chat.StatusQueued {
		a.Chat.VisitorLeft(context.WithoutCancel(r.Context()), s.conv.UUID)
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"frames": out})
}

// pollSink collects the notes of one conversation during a long poll.
type pollSink struct {
	ch chan chat.Note
}

func (p *pollSink) Notify(n chat.Note) {
	select {
	case p.ch <- n:
	default: // the poll is answering already; the client polls again
	}
}

// poll is the long-poll receive side: messages with seq > after, waiting up
// to 25 s for one; typing, read and status frames seen meanwhile ride along.
func (a *API) poll(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	if err := a.Chat.CheckWorkspace(ctx, q.Get("workspace")); err != nil {
		a.fail(w, r, err)
		return
	}
	v, err := a.Chat.VisitorByToken(ctx, q.Get("visitor_token"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	after, err := strconv.ParseInt(q.Get("after"), 10, 64)
	if q.Get("after") == "" {
		after, err = 0, nil
	}
	if err != nil || after < 0 {
		a.fail(w, r, &chat.FrameError{Code: chat.CodeBadFrame, Msg: "after must be a sequence number"})
		return
	}
	wait := 25
	if s := q.Get("wait"); s != "" {
		if wait, err = strconv.Atoi(s); err != nil || wait < 0 || wait > 25 {
			a.fail(w, r, &chat.FrameError{Code: chat.CodeBadFrame, Msg: "wait must be 0 to 25 seconds"})
			return
		}
	}
	c, err := a.Chat.VisitorConversation(ctx, v, q.Get("conversation"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	// While a poll waits the visitor is here; when it ends they are gone
	// until the next one. A queued chat whose visitor stops polling is
	// abandoned after the grace period (chat.AbandonLeft).
	if c.Status == chat.StatusQueued {
		a.Chat.VisitorBack(ctx, c.UUID)
		defer a.Chat.VisitorLeft(context.WithoutCancel(ctx), c.UUID)
	}
	sink := &pollSink{ch: make(chan chat.Note, 16)}
	a.Chat.Hub().Watch(c.UUID, sink)
	defer a.Chat.Hub().Unwatch(c.UUID, sink)
	out := []any{}
	deadline := time.NewTimer(time.Duration(wait) * time.Second)
	defer deadline.Stop()
	for {
		ms, err := a.Chat.Messages(ctx, c, after, 200)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		for _, m := range ms {
			out = append(out, m)
		}
		if len(out) > 0 {
			break
		}
		select {
		case n := <-sink.ch:
			if n.Kind != chat.NoteMessage {
				out = append(out, json.RawMessage(n.Frame))
			}
			continue
		case <-deadline.C:
		case <-ctx.Done():
			return
		}
		break
	}
	// The conversation's status as of now, so a poller never misses a change.
	if cur, err := a.Chat.VisitorConversation(context.WithoutCancel(ctx), v, c.UUID); err == nil {
		out = append(out, json.RawMessage(chat.StatusFrame(cur)))
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"frames": out})
}

// upload stores a visitor's file: the raw body, its Content-Type.
func (a *API) upload(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	if err := a.Chat.CheckWorkspace(ctx, q.Get("workspace")); err != nil {
		a.fail(w, r, err)
		return
	}
	v, err := a.Chat.VisitorByToken(ctx, q.Get("visitor_token"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	s := &visitorSession{v: v, ip: clientIP(r)}
	if !a.allowMessage(s) {
		a.fail(w, r, &chat.CodeError{Code: chat.CodeRateLimited, Msg: "too many uploads; wait a few seconds", Kind: apperr.ErrConflict})
		return
	}
	ct := r.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || !chat.AllowedUploadType(mt) {
		httpx.WriteJSON(w, http.StatusUnsupportedMediaType, apiError{Error: chat.CodeInvalidUpload,
			Description: "allowed types: PNG, JPEG, GIF, WebP images, PDF and plain text"})
		return
	}
	if r.ContentLength > chat.MaxUploadBytes {
		httpx.WriteJSON(w, http.StatusRequestEntityTooLarge, apiError{Error: chat.CodeTooLarge, Description: "at most 5 MiB"})
		return
	}
	f, err := a.Chat.Upload(ctx, v, q.Get("filename"), ct, http.MaxBytesReader(w, r.Body, chat.MaxUploadBytes+1))
	var mbe *http.MaxBytesError
	if errors.Is(err, blob.ErrTooLarge) || errors.As(err, &mbe) || chat.ErrorCode(err) == chat.CodeTooLarge {
		httpx.WriteJSON(w, http.StatusRequestEntityTooLarge, apiError{Error: chat.CodeTooLarge, Description: "at most 5 MiB"})
		return
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, f)
}

// file serves an uploaded file as a download, never as active content.
func (a *API) file(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var vp *chat.Visitor
	if tok := r.URL.Query().Get("visitor_token"); tok != "" {
		if v, err := a.Chat.VisitorByToken(ctx, tok); err == nil {
			vp = &v
		}
	}
	var ap *auth.Actor
	if actor, ok := httpx.ActorFrom(ctx); ok {
		ap = &actor
	}
	f, rc, err := a.Chat.OpenFile(ctx, vp, ap, r.PathValue("token"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	defer rc.Close()
	h := w.Header()
	h.Set("Content-Type", f.Type)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Content-Length", strconv.FormatInt(f.Size, 10))
	_, _ = io.Copy(w, rc)
}
