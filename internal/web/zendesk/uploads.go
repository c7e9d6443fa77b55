package zendesk

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/blob"
	"layan/internal/web/httpx"
)

// Upload: POST /api/v2/uploads?filename=NAME with the raw file as body. The
// returned token goes into a comment's "uploads".
func (api *API) Upload(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	name := strings.TrimSpace(filepath.Base(r.URL.Query().Get("filename")))
	if name == "" || name == "." || name == "/" || !utf8.ValidString(name) || len(name) > 255 {
		return 0, nil, apperr.Invalid("filename", "required", "give the file name in ?filename=")
	}
	ct := r.Header.Get("Content-Type")
	if _, _, err := mime.ParseMediaType(ct); err != nil || ct == "" {
		ct = "application/octet-stream"
	}
	if r.ContentLength > api.MaxUpload {
		return 0, nil, &httpx.TooLarge{Limit: api.MaxUpload}
	}
	key, size, err := api.Blobs.Put(r.Context(), http.MaxBytesReader(w, r.Body, api.MaxUpload+1), api.MaxUpload)
	var mbe *http.MaxBytesError
	if errors.Is(err, blob.ErrTooLarge) || errors.As(err, &mbe) {
		return 0, nil, &httpx.TooLarge{Limit: api.MaxUpload}
	}
	if err != nil {
		return 0, nil, err
	}
	token := uuid.Must(uuid.NewV7()).String()
	at, err := api.Tickets.NewUpload(r.Context(), a, token, name, ct, key, size)
	if err != nil {
		return 0, nil, err
	}
	j := toAttachmentJSON(r, at)
	return http.StatusCreated, map[string]any{"upload": map[string]any{"token": token, "attachment": j,
		"attachments": []attachmentJSON{j}}}, nil
}

// DownloadAttachment: GET /attachments/token/{token}/. Always served as a
// download with nosniff, so uploaded HTML or SVG never runs on our origin.
func (api *API) DownloadAttachment(w http.ResponseWriter, r *http.Request) {
	a, ok := httpx.ActorFrom(r.Context())
	if !ok {
		httpx.Fail(w, r, apperr.NotFound("attachment"))
		return
	}
	at, err := api.Tickets.AttachmentByToken(r.Context(), a, r.PathValue("token"))
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	f, err := api.Blobs.Open(r.Context(), at.BlobKey)
	if err != nil {
		httpx.Fail(w, r, apperr.NotFound("attachment"))
		return
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", at.ContentType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": at.FileName}))
	h.Set("Content-Length", strconv.FormatInt(at.Size, 10))
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, max-age=3600")
	_, _ = io.Copy(w, f)
}
