package email_test

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"layan/internal/auth"
	"layan/internal/channel/email"
	"layan/internal/db"
	"layan/internal/testkit"
)

// corpusCase says what must become of a corpus message.
type corpusCase struct {
	status string
	check  func(t *testing.T, e *env, r email.Result)
}

func (e *env) lastComment(t *testing.T, r email.Result) (subject, body, html string, atts []string) {
	t.Helper()
	tk := e.ticket(t, r.TicketID)
	cs := e.comments(t, r.TicketID)
	c := cs[len(cs)-1]
	for _, a := range c.Attachments {
		atts = append(atts, a.FileName+"|"+a.ContentType)
	}
	return tk.Subject, c.Body, c.HTMLBody, atts
}

var corpus = map[string]corpusCase{
	"01-plain.eml": {email.StatusIngested, func(t *testing.T, e *env, r email.Result) {
		s, b, _, _ := e.lastComment(t, r)
		if s != "Pesanan saya belum sampai" || !strings.Contains(b, "#12345") {
			t.Errorf("plain: %q %q", s, b)
		}
	}},
	"02-alternative.eml": {email.StatusIngested, func(t *testing.T, e *env, r email.Result) {
		_, b, h, _ := e.lastComment(t, r)
		if !strings.Contains(h, "<b>refund</b>") || strings.Contains(h, "script") || strings.Contains(h, "onerror") || !strings.Contains(b, "refund") {
			t.Errorf("alternative: html %q", h)
		}
	}},
	"03-windows-1256.eml": {email.StatusIngested, func(t *testing.T, e *env, r email.Result) {
		s, b, _, _ := e.lastComment(t, r)
		if s != "سفارش نرسيده" || !strings.Contains(b, "سفارش من هنوز نرسيده است") {
			t.Errorf("windows-1256: %q %q", s, b)
		}
		u, _ := e.Dir.UserByEmail(e.ctx, auth.SystemActor(), "reza@example.ir")
		if u.Name != "رضا احمدي" {
			t.Errorf("windows-1256 name %q", u.Name)
		}
	}},
	"04-iso-8859-6.eml": {email.StatusIngested, func(t *testing.T, e *env, r email.Result) {
		s, b, _, _ := e.lastComment(t, r)
		if s != "طلب" || !strings.Contains(b, "لم يصل طلبي بعد") {
			t.Errorf("iso-8859-6: %q %q", s, b)
		}
	}},
	"05-related-cid-attachments.eml": {email.StatusIngested, func(t *testing.T, e *env, r email.Result) {
		_, _, h, atts := e.lastComment(t, r)
		want := []string{"shot.png|image/png", "فاکتور.pdf|application/pdf", "notes.txt|text/plain"}
		for _, w := range want {
			found := false
			for _, a := range atts {
				found = found || a == w
			}
			if !found {
				t.Errorf("cid: attachment %q missing from %v", w, atts)
			}
		}
		if !strings.Contains(h, `src="/attachments/token/`) || strings.Contains(h, "cid:") {
			t.Errorf("cid: inline image not linked: %q", h)
		}
	}},
	"06-no-message-id.eml":    {email.StatusIngested, nil},
	"07-broken-headers.eml":   {email.StatusIngested, nil},
	"08-no-from.eml":          {email.StatusFailed, nil},
	"09-bad-charset-8bit.eml": {email.StatusIngested, nil},
	"10-reply-with-quote.eml": {email.StatusIngested, func(t *testing.T, e *env, r email.Result) {
		_, b, _, _ := e.lastComment(t, r)
		if b != "Sudah sampai, terima kasih!" {
			t.Errorf("quote not stripped: %q", b)
		}
		m, _ := e.svc.GetMessage(e.ctx, e.Admin, r.ID)
		if m.Status != email.StatusIngested {
			t.Errorf("message %+v", m)
		}
	}},
	"11-html-only-gmail-quote.eml": {email.StatusIngested, func(t *testing.T, e *env, r email.Result) {
		_, b, h, _ := e.lastComment(t, r)
		if strings.Contains(h, "Please try again") || !strings.Contains(h, "Thanks, that fixed it.") || !strings.Contains(b, "Thanks") {
			t.Errorf("gmail quote: %q / %q", h, b)
		}
	}},
	"12-base64-utf8-body.eml": {email.StatusIngested, func(t *testing.T, e *env, r email.Result) {
		s, b, _, _ := e.lastComment(t, r)
		if s != "Pertanyaan tentang faktur — مهم" || !strings.Contains(b, "می‌توانم") {
			t.Errorf("base64: %q %q", s, b)
		}
	}},
}

func TestCorpus(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, email.Config{})
		files, _ := filepath.Glob("testdata/corpus/*.eml")
		if len(files) != len(corpus) {
			t.Fatalf("%d corpus files, %d expectations", len(files), len(corpus))
		}
		for _, f := range files {
			name := filepath.Base(f)
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			c := corpus[name]
			r := e.ingest(t, raw)
			if r.Status != c.status {
				t.Errorf("%s: status %s (%s), want %s", name, r.Status, r.Reason, c.status)
				continue
			}
			if r.Status == email.StatusFailed && r.Reason == "" {
				t.Errorf("%s: failed without a reason", name)
			}
			if c.check != nil {
				c.check(t, e, r)
			}
		}
		// Every failed message is listed for agents, with its raw copy.
		failed, err := e.svc.ListMessages(e.ctx, e.Agent, email.MessageFilter{Status: email.StatusFailed})
		if err != nil || len(failed) != 1 || !failed[0].HasRaw || !strings.Contains(failed[0].Reason, "From") {
			t.Fatalf("failed list %+v %v", failed, err)
		}
		if _, err := e.svc.ListMessages(e.ctx, e.Alice, email.MessageFilter{}); err == nil {
			t.Fatal("a customer listed email messages")
		}
		m, rc, err := e.svc.RawMessage(e.ctx, e.Agent, failed[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		rc.Close()
		if r, err := e.svc.Retry(e.ctx, e.Agent, m.ID); err != nil || r.Status != email.StatusFailed {
			t.Fatalf("retry of an unparseable message: %+v %v", r, err)
		}
	})
}

// Pathological messages generated at run time: each is ingested or refused
// with a reason, none crashes or hangs.
func TestHostileMessages(t *testing.T) {
	e := newEnv(t, testkit.NewDB(t, db.SQLite), email.Config{})
	rng := rand.New(rand.NewPCG(1, 2))
	hdr := func(subject string) []string {
		return []string{"From: fuzz@example.test", "To: support@layan.test", "Subject: " + subject, "Message-ID: " + msgID()}
	}
	// 50 levels of nested multiparts.
	var nested strings.Builder
	for i := range 50 {
		fmt.Fprintf(&nested, "--b%d\r\nContent-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n", i, i+1)
	}
	nested.WriteString("--b50\r\nContent-Type: text/plain\r\n\r\ndeep inside\r\n--b50--\r\n")
	for i := 49; i >= 0; i-- {
		fmt.Fprintf(&nested, "--b%d--\r\n", i)
	}
	// A zip bomb: 20 MB of zeros compressed into a few KB.
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	fw, _ := zw.Create("zeros.bin")
	zeros := make([]byte, 1<<20)
	for range 20 {
		_, _ = fw.Write(zeros)
	}
	_ = zw.Close()
	zipMail := "--z\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--z\r\nContent-Type: application/zip\r\nContent-Disposition: attachment; filename=\"bomb.zip\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		base64.StdEncoding.EncodeToString(zb.Bytes()) + "\r\n--z--\r\n"
	// 30 MB of attachment.
	pattern := make([]byte, 4096)
	for i := range pattern {
		pattern[i] = byte(rng.UintN(256))
	}
	blob := bytes.Repeat(pattern, (22<<20)/len(pattern))
	b64 := base64.StdEncoding.EncodeToString(blob)
	var big strings.Builder
	big.WriteString("--x\r\nContent-Type: text/plain\r\n\r\nbig one\r\n--x\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"big.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	for i := 0; i < len(b64); i += 76 {
		big.WriteString(b64[i:min(i+76, len(b64))] + "\r\n")
	}
	big.WriteString("--x--\r\n")
	// Huge headers: 2,000 lines of 400 bytes (800 KB), and one 200 KB line.
	var hh []string
	for i := range 2000 {
		hh = append(hh, fmt.Sprintf("X-Filler-%d: %s", i, strings.Repeat("h", 400)))
	}
	// Two thousand sibling parts.
	var many strings.Builder
	for range 2000 {
		many.WriteString("--m\r\nContent-Type: text/plain\r\n\r\npart\r\n")
	}
	many.WriteString("--m--\r\n")

	cases := []struct {
		name   string
		raw    []byte
		status string
		reason string
	}{
		{"50-level nesting", rawMail(nested.String(), append(hdr("nested"), `Content-Type: multipart/mixed; boundary="b0"`)...), email.StatusIngested, ""},
		{"zip bomb attachment", rawMail(zipMail, append(hdr("zip"), `Content-Type: multipart/mixed; boundary="z"`)...), email.StatusIngested, ""},
		{"30 MB message", rawMail(big.String(), append(hdr("big"), `Content-Type: multipart/mixed; boundary="x"`)...), email.StatusFailed, "too large"},
		{"huge header block", rawMail("body", append(hdr("headers"), hh...)...), email.StatusFailed, "header block"},
		{"one huge header line", rawMail("body", append(hdr("line"), "X-Long: "+strings.Repeat("y", 200<<10))...), email.StatusIngested, ""},
		{"2000 parts", rawMail(many.String(), append(hdr("many"), `Content-Type: multipart/mixed; boundary="m"`)...), email.StatusFailed, "parts"},
		{"binary garbage", func() []byte {
			b := make([]byte, 100<<10)
			for i := range b {
				b[i] = byte(rng.UintN(256))
			}
			return b
		}(), email.StatusFailed, ""},
		{"empty", []byte{}, email.StatusFailed, ""},
	}
	if len(cases[2].raw) < 30<<20 {
		t.Fatalf("the big message is only %d bytes", len(cases[2].raw))
	}
	for _, c := range cases {
		start := time.Now()
		r, err := e.svc.Ingest(e.ctx, email.Inbound{Raw: c.raw, Source: "smtp", Rcpts: []string{"support@layan.test"}})
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if r.Status != c.status || !strings.Contains(r.Reason, c.reason) {
			t.Errorf("%s: %s (%q), want %s (%q)", c.name, r.Status, r.Reason, c.status, c.reason)
		}
		if d := time.Since(start); d > 20*time.Second {
			t.Errorf("%s took %v", c.name, d)
		}
		if c.name == "zip bomb attachment" {
			_, _, _, atts := e.lastComment(t, r)
			if len(atts) != 1 || atts[0] != "bomb.zip|application/zip" {
				t.Errorf("zip attachment %v", atts)
			}
		}
	}
}
