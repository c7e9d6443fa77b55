package ui_test

import (
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"layan/internal/i18n"
	"layan/internal/web/ui"
)

// The agent workspace ships at most 60 KB of script, all of it our own.
func TestAgentJavaScriptBudget(t *testing.T) {
	e := newEnv(t)
	n := e.pages.JSBytes()
	t.Logf("JavaScript shipped: %d bytes", n)
	if n > 60*1024 {
		t.Fatalf("%d bytes of JavaScript, budget 61440", n)
	}
	if n == 0 {
		t.Fatal("no JavaScript found")
	}
}

func TestAssetsAreFingerprintedAndCachedForever(t *testing.T) {
	e := newEnv(t)
	page := e.get(anonymous, "/login").Body.String()
	m := regexp.MustCompile(`href="(/static/[0-9a-f]{12}/app\.css)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no fingerprinted stylesheet link")
	}
	rec := e.get(anonymous, m[1])
	wantStatus(t, rec, http.StatusOK)
	if cc := rec.Header().Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
		t.Fatalf("Cache-Control %q", cc)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
		t.Fatalf("Content-Type %q", ct)
	}
	js := e.get(anonymous, "/static/"+e.pages.AssetVersion()+"/js/ticket.js")
	wantStatus(t, js, http.StatusOK)
	if ct := js.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
		t.Fatalf("script Content-Type %q", ct)
	}
	wantStatus(t, e.get(anonymous, "/static/"+e.pages.AssetVersion()+"/nope.js"), http.StatusNotFound)
	if !strings.Contains(page, `<script type="module" src="/static/`) {
		t.Fatal("the page does not load its module")
	}
}

// Logical properties only, so right-to-left pages mirror without a second stylesheet.
func TestStylesheetUsesLogicalPropertiesOnly(t *testing.T) {
	css := string(ui.StaticFile("app.css"))
	// Comments may name the physical properties they avoid.
	css = regexp.MustCompile(`(?s)/\*.*?\*/`).ReplaceAllStringFunc(css, func(c string) string {
		return strings.Repeat("\n", strings.Count(c, "\n"))
	})
	physical := regexp.MustCompile(`(?m)(^|[\s;{])(margin|padding|border)-(left|right)\b|` +
		`(^|[\s;{])(left|right)\s*:|(float|clear|text-align)\s*:\s*(left|right)\b|border-(top|bottom)-(left|right)-radius`)
	for i, line := range strings.Split(css, "\n") {
		if physical.MatchString(line) {
			t.Errorf("app.css:%d uses a physical direction: %s", i+1, strings.TrimSpace(line))
		}
	}
}

// No inline scripts, handlers or styles: the CSP would block them anyway.
func TestTemplatesHaveNoInlineScriptOrStyle(t *testing.T) {
	bad := regexp.MustCompile(`<script>|<script [^>]*>[^<]|\son[a-z]+=|\sstyle=|<style|javascript:`)
	walk(t, "templates", func(path, text string) {
		if m := bad.FindString(text); m != "" {
			t.Errorf("%s: %q", path, m)
		}
	})
}

// Every key a template or handler asks for exists in every catalog.
func TestEveryUsedCatalogKeyExists(t *testing.T) {
	keyRE := regexp.MustCompile(`\bt "([a-z_]+(?:\.[a-z_]+)+)"|\.T\("([a-z_]+(?:\.[a-z_]+)+)"|i18n\.T\([a-z]+, "([a-z_]+(?:\.[a-z_]+)+)"`)
	used := map[string]string{}
	for _, dir := range []string{"templates", "."} {
		walk(t, dir, func(path, text string) {
			if strings.HasSuffix(path, "_test.go") {
				return
			}
			for _, m := range keyRE.FindAllStringSubmatch(text, -1) {
				used[m[1]+m[2]+m[3]] = path
			}
		})
	}
	if len(used) < 50 {
		t.Fatalf("found only %d keys; is the pattern right?", len(used))
	}
	for _, l := range i18n.Supported {
		keys := map[string]bool{}
		for _, k := range i18n.Keys(l) {
			keys[k] = true
		}
		for k, where := range used {
			if !keys[k] && !keys[k+".one"] {
				t.Errorf("%s: key %q (used in %s) is missing", l, k, where)
			}
		}
	}
}

func walk(t *testing.T, root string, fn func(path, text string)) {
	t.Helper()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && root == "." {
				return fs.SkipDir // Go files of this package only
			}
			return nil
		}
		if !strings.HasSuffix(path, ".html") && !strings.HasSuffix(path, ".go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fn(path, string(b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
