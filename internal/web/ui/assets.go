package ui

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"sort"
	"strconv"
)

//go:embed static
var staticFS embed.FS

// assets serves the embedded stylesheet, scripts and icons under
// /static/VERSION/..., where VERSION is a hash of all of them. Scripts import
// each other by relative path, so one version for the whole set keeps those
// imports fingerprinted too, with no import map (which CSP would block).
type assets struct {
	version string
	files   map[string][]byte
}

func loadAssets() *assets {
	a := &assets{files: map[string][]byte{}}
	var names []string
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		name := p[len("static/"):]
		a.files[name] = b
		names = append(names, name)
		return nil
	})
	if err != nil {
		panic("ui: assets: " + err.Error())
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		h.Write([]byte(n))
		h.Write(a.files[n])
	}
	a.version = hex.EncodeToString(h.Sum(nil))[:12]
	return a
}

// URL is the fingerprinted address of a file under static/.
func (a *assets) URL(name string) string { return "/static/" + a.version + "/" + name }

func (a *assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("path")
	b, ok := a.files[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	ct := mime.TypeByExtension(path.Ext(name))
	switch path.Ext(name) {
	case ".js":
		ct = "text/javascript; charset=utf-8"
	case ".css":
		ct = "text/css; charset=utf-8"
	case ".svg":
		ct = "image/svg+xml"
	}
	h.Set("Content-Type", ct)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	h.Set("X-Content-Type-Options", "nosniff")
	if r.PathValue("version") == a.version {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		// An old or future version (a rolling deploy): serve what we have, briefly.
		h.Set("Cache-Control", "public, max-age=60")
	}
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(b)
}

// jsBytes is the size of every script, for the page-weight test.
func (a *assets) jsBytes() int {
	n := 0
	for name, b := range a.files {
		if path.Ext(name) == ".js" {
			n += len(b)
		}
	}
	return n
}
