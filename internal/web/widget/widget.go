// Package widget serves the embeddable chat widget script, /widget.js: one
// hand-written file (widget.js) with the widget.* messages of every locale
// spliced in from the i18n catalogs, so translators edit one place.
package widget

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"layan/internal/i18n"
)

//go:embed widget.js
var source []byte

// placeholder is where the messages go in widget.js.
const placeholder = "/*STRINGS*/ {}"

// Script is the widget ready to serve: plain and gzipped, with its ETag.
type Script struct {
	plain, gz []byte
	etag      string
}

// Build splices the catalogs into the source and compresses it once.
func Build() *Script {
	js := bytes.Replace(source, []byte(placeholder), Messages(), 1)
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(js)
	_ = zw.Close()
	sum := sha256.Sum256(js)
	return &Script{plain: js, gz: buf.Bytes(), etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
}

// Messages is the JSON object {"en":{"widget.open":"..."},"id":{...},"fa":{...}}.
func Messages() []byte {
	all := map[string]map[string]string{}
	for _, l := range i18n.Supported {
		m := map[string]string{}
		for _, k := range i18n.Keys(l) {
			if strings.HasPrefix(k, "widget.") {
				m[k] = i18n.T(l, k)
			}
		}
		all[l] = m
	}
	b, _ := json.Marshal(all) // maps of strings always marshal
	return b
}

// Size is the number of bytes sent to a browser that accepts gzip.
func (s *Script) Size() int { return len(s.gz) }

// ServeHTTP answers GET /widget.js. The URL is not fingerprinted (customers
// paste it into their sites once), so caches keep it briefly and revalidate
// by ETag; it is loaded cross-origin by design.
func (s *Script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("ETag", s.etag)
	h.Set("Vary", "Accept-Encoding")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cross-Origin-Resource-Policy", "cross-origin")
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, s.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := s.plain
	if acceptsGzip(r.Header.Get("Accept-Encoding")) {
		body = s.gz
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(body)
}

// acceptsGzip reads Accept-Encoding: gzip listed without q=0.
func acceptsGzip(ae string) bool {
	for _, part := range strings.Split(ae, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
			continue
		}
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			q, err := strconv.ParseFloat(v, 64)
			return err == nil && q > 0
		}
		return true
	}
	return false
}
