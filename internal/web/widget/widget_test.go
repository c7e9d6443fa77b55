package widget

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"layan/internal/i18n"
)

// The widget goes on customers' sites: it must stay small.
func TestWidgetIsUnder30KBGzipped(t *testing.T) {
	s := Build()
	if s.Size() > 30*1024 {
		t.Fatalf("widget.js is %d bytes gzipped, the budget is 30 KB", s.Size())
	}
	t.Logf("widget.js: %d bytes, %d gzipped", len(s.plain), s.Size())
}

// Every locale's messages are in the script, with the same keys, and each
// key the script uses exists in the catalogs.
func TestWidgetCarriesEveryLocalesMessages(t *testing.T) {
	var all map[string]map[string]string
	if err := json.Unmarshal(Messages(), &all); err != nil {
		t.Fatal(err)
	}
	for _, l := range i18n.Supported {
		if len(all[l]) == 0 || len(all[l]) != len(all["en"]) {
			t.Errorf("%s has %d widget messages, en %d", l, len(all[l]), len(all["en"]))
		}
	}
	if !strings.Contains(all["fa"]["widget.send"], "ارسال") {
		t.Errorf("fa widget.send = %q", all["fa"]["widget.send"])
	}
	for _, m := range regexp.MustCompile(`'(widget\.[a-z_]+)'`).FindAllStringSubmatch(string(source), -1) {
		if m[1] == "widget.error_" {
			continue // the prefix of error codes
		}
		if _, ok := all["en"][m[1]]; !ok {
			t.Errorf("widget.js uses %s, which no catalog defines", m[1])
		}
	}
	if bytes.Contains(Build().plain, []byte(placeholder)) {
		t.Error("the messages were not spliced in")
	}
}

// Text from visitors and agents never goes through an HTML parser.
func TestWidgetNeverParsesHTML(t *testing.T) {
	for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"} {
		if bytes.Contains(source, []byte(bad)) {
			t.Errorf("widget.js uses %s", bad)
		}
	}
}

func TestServeWidget(t *testing.T) {
	s := Build()
	get := func(h map[string]string) *http.Response {
		r := httptest.NewRequest("GET", "/widget.js", nil)
		for k, v := range h {
			r.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		return w.Result()
	}
	res := get(map[string]string{"Accept-Encoding": "br, gzip"})
	if res.StatusCode != 200 || res.Header.Get("Content-Encoding") != "gzip" ||
		!strings.HasPrefix(res.Header.Get("Content-Type"), "text/javascript") {
		t.Fatalf("gzip: %d %v", res.StatusCode, res.Header)
	}
	zr, err := gzip.NewReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if !bytes.Equal(plain, s.plain) {
		t.Fatal("the gzipped body is not the script")
	}
	res = get(map[string]string{"Accept-Encoding": "gzip;q=0"})
	body, _ := io.ReadAll(res.Body)
	if res.Header.Get("Content-Encoding") != "" || !bytes.Equal(body, s.plain) {
		t.Fatalf("gzip;q=0 got %q encoding", res.Header.Get("Content-Encoding"))
	}
	res = get(map[string]string{"If-None-Match": res.Header.Get("ETag")})
	if res.StatusCode != http.StatusNotModified {
		t.Fatalf("revalidation: %d", res.StatusCode)
	}
}
