package ui

import (
	"bytes"
	"io"
	"net/http"
	"path"
	"strings"

	"layan/internal/apperr"
	"layan/internal/kb"
)

// Article images: an agent uploads a PNG, JPEG, GIF or WebP file on the
// editor; the page gives the Markdown line that shows it. The type is read
// from the bytes, not from what the browser claims, and images are served
// only to readers of their article, with nosniff.

type kbImageView struct {
	kb.Image
	URL      string
	Markdown string
}

func (p *Pages) kbImages(r *http.Request, articleID int64) ([]kbImageView, error) {
	imgs, err := p.d.KB.Images(r.Context(), currentActor(r), articleID)
	if err != nil {
		return nil, err
	}
	out := make([]kbImageView, len(imgs))
	for i, img := range imgs {
		u := "/kb/images/" + img.Key
		alt := strings.NewReplacer("[", "", "]", "").Replace(strings.TrimSuffix(img.Name, path.Ext(img.Name)))
		out[i] = kbImageView{Image: img, URL: u, Markdown: "![" + alt + "](" + u + ")"}
	}
	return out, nil
}

// kbUploadImage: POST /agent/kb/articles/{id}/images (multipart, "image").
func (p *Pages) kbUploadImage(w http.ResponseWriter, r *http.Request) {
	if p.d.KB == nil || p.d.Blobs == nil {
		p.notFound(w, r)
		return
	}
	id, ok := p.pathID(w, r, "id")
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, kb.MaxImageBytes+64<<10)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		p.fail(w, r, apperr.Invalid("image", "invalid", "not an upload"))
		return
	}
	file, hdr, err := r.FormFile("image")
	if err != nil {
		p.fail(w, r, apperr.Invalid("image", "required", "is required"))
		return
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, kb.MaxImageBytes+1))
	if err != nil {
		p.fail(w, r, err)
		return
	}
	ctype := http.DetectContentType(data)
	if len(data) > kb.MaxImageBytes {
		p.fail(w, r, apperr.Invalid("image", "too_large", "is too large"))
		return
	}
	a := currentActor(r)
	ctx := r.Context()
	// Check the type and the article before storing anything.
	if _, err := p.d.KB.GetArticle(ctx, a, id, ""); err != nil {
		p.fail(w, r, err)
		return
	}
	okType := false
	for _, t := range kb.ImageTypes {
		okType = okType || t == ctype
	}
	if !okType {
		p.fail(w, r, apperr.Invalid("image", "type", "must be a PNG, JPEG, GIF or WebP image"))
		return
	}
	key, size, err := p.d.Blobs.Put(ctx, bytes.NewReader(data), kb.MaxImageBytes)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	if _, err := p.d.KB.AddImage(ctx, a, id, key, path.Base(hdr.Filename), ctype, size); err != nil {
		p.fail(w, r, err)
		return
	}
	l := kb.NormalizeLocale(r.URL.Query().Get("locale"))
	http.Redirect(w, r, "/agent/kb/articles/"+itoa(id)+"?locale="+l+"&done=image", http.StatusSeeOther)
}

// hcImage: GET /kb/images/{key}.
func (p *Pages) hcImage(w http.ResponseWriter, r *http.Request) {
	if p.d.KB == nil || p.d.Blobs == nil {
		p.notFound(w, r)
		return
	}
	key := r.PathValue("key")
	if len(key) != 64 || strings.Trim(key, "0123456789abcdef") != "" {
		p.notFound(w, r)
		return
	}
	img, err := p.d.KB.ImageByKey(r.Context(), currentActor(r), key)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	rc, err := p.d.Blobs.Open(r.Context(), img.Key)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	defer rc.Close()
	h := w.Header()
	h.Set("Content-Type", img.ContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, max-age=3600")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	_, _ = io.Copy(w, rc)
}
