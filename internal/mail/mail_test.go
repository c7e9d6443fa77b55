package mail_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"layan/internal/mail"
)

func TestValidate(t *testing.T) {
	ok := mail.Message{To: "a@example.test", Subject: "Hi", Text: "body"}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid message rejected: %v", err)
	}
	for name, m := range map[string]mail.Message{
		"no recipient":       {Subject: "Hi", Text: "body"},
		"blank recipient":    {To: "  ", Text: "body"},
		"recipient newline":  {To: "a@example.test\r\nBcc: x@evil.test", Text: "body"},
		"subject newline":    {To: "a@example.test", Subject: "Hi\nBcc: x@evil.test", Text: "body"},
		"no text":            {To: "a@example.test", Subject: "Hi", HTML: "<p>x</p>"},
		"header value break": {To: "a@example.test", Text: "body", Headers: map[string]string{"X-A": "1\r\nBcc: x"}},
		"header name colon":  {To: "a@example.test", Text: "body", Headers: map[string]string{"X-A: b": "1"}},
		"empty header name":  {To: "a@example.test", Text: "body", Headers: map[string]string{"": "1"}},
	} {
		if err := m.Validate(); !errors.Is(err, mail.ErrInvalidMessage) {
			t.Errorf("%s: got %v, want ErrInvalidMessage", name, err)
		}
	}
}

func TestLogSenderWritesLinkButNotHTML(t *testing.T) {
	var buf bytes.Buffer
	s := mail.NewLogSender(slog.New(slog.NewTextHandler(&buf, nil)))
	err := s.Send(context.Background(), mail.Message{To: "dana@example.test", Subject: "Verify your email",
		Text: "Open https://help.example.test/verify/abc123 to verify.", HTML: "<p>secret-html-part</p>", Locale: "id",
		Headers: map[string]string{"X-Secret-Header": "hidden"}})
	if err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"level=INFO", "dana@example.test", "Verify your email", "https://help.example.test/verify/abc123", "locale=id"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	for _, not := range []string{"secret-html-part", "hidden"} {
		if strings.Contains(out, not) {
			t.Errorf("log contains %q:\n%s", not, out)
		}
	}
	if err := s.Send(context.Background(), mail.Message{To: "x@example.test\nBcc: y"}); !errors.Is(err, mail.ErrInvalidMessage) {
		t.Fatalf("invalid message accepted: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Send(ctx, mail.Message{To: "a@example.test", Text: "x"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled context: got %v", err)
	}
}

func TestRecorder(t *testing.T) {
	var r mail.Recorder
	var _ mail.Sender = &r
	if _, ok := r.Last(); ok {
		t.Fatal("empty recorder has a last message")
	}
	h := map[string]string{"X-A": "1"}
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := r.Send(context.Background(), mail.Message{To: "a@example.test", Subject: "s", Text: "t", Headers: h}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if err := r.Send(context.Background(), mail.Message{To: "B@Example.test", Subject: "last", Text: "t"}); err != nil {
		t.Fatal(err)
	}
	if n := len(r.Messages()); n != 11 {
		t.Fatalf("recorded %d, want 11", n)
	}
	if m, ok := r.Last(); !ok || m.Subject != "last" {
		t.Fatalf("last = %+v", m)
	}
	if got := r.To("b@example.test"); len(got) != 1 {
		t.Fatalf("To: %d messages", len(got))
	}
	h["X-A"] = "changed"
	if r.Messages()[0].Headers["X-A"] != "1" {
		t.Fatal("recorder shares the caller's header map")
	}
	if err := r.Send(context.Background(), mail.Message{}); !errors.Is(err, mail.ErrInvalidMessage) {
		t.Fatalf("invalid message recorded: %v", err)
	}
	r.Err = errors.New("smtp down")
	if err := r.Send(context.Background(), mail.Message{To: "a@example.test", Text: "t"}); err == nil || len(r.Messages()) != 11 {
		t.Fatalf("Err not returned: %v", err)
	}
	r.Reset()
	if len(r.Messages()) != 0 {
		t.Fatal("reset kept messages")
	}
	called := false
	f := mail.SenderFunc(func(ctx context.Context, m mail.Message) error { called = true; return nil })
	_ = f.Send(context.Background(), mail.Message{})
	if !called {
		t.Fatal("SenderFunc not called")
	}
}
