package email_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"layan/internal/auth"
	"layan/internal/blob"
	"layan/internal/channel/email"
	"layan/internal/db"
	"layan/internal/jobs"
	"layan/internal/testkit"
	"layan/internal/ticket"
)

type env struct {
	*testkit.World
	svc   *email.Service
	queue *jobs.Queue
	blobs blob.Store
	addr  email.Address
	ctx   context.Context
}

func newEnv(t testing.TB, d *db.DB, cfg email.Config) *env {
	t.Helper()
	w := testkit.NewWorld(t, d)
	blobs, err := blob.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	q := jobs.New(d, w.Clock.Now, testkit.QuietLogger())
	if cfg.BaseURL == "" {
		cfg.BaseURL = "https://help.layan.test"
	}
	svc := email.New(d, w.Dir, w.Tickets, blobs, q, w.Bus, w.Clock.Now, testkit.QuietLogger(), cfg)
	e := &env{World: w, svc: svc, queue: q, blobs: blobs, ctx: context.Background()}
	e.addr, err = svc.AddAddress(e.ctx, w.Admin, email.AddressInput{Email: ptr("support@layan.test"), Name: ptr("Layan Support"),
		GroupID: ptr(w.Support.ID), Locale: ptr("en")})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func ptr[T any](v T) *T { return &v }

// rawMail builds a raw message; headers are "Name: value" lines.
func rawMail(body string, headers ...string) []byte {
	var b strings.Builder
	hasCT := false
	for _, h := range headers {
		if strings.HasPrefix(strings.ToLower(h), "content-type:") {
			hasCT = true
		}
		b.WriteString(h + "\r\n")
	}
	if !hasCT {
		b.WriteString("Content-Type: text/plain; charset=utf-8\r\n")
	}
	b.WriteString("\r\n")
	b.WriteString(strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "\r\n"))
	return []byte(b.String())
}

var seq int

func msgID() string {
	seq++
	return fmt.Sprintf("<m%d.%d@example.com>", seq, time.Now().UnixNano())
}

func (e *env) ingest(t testing.TB, raw []byte) email.Result {
	t.Helper()
	r, err := e.svc.Ingest(e.ctx, email.Inbound{Raw: raw, Source: "smtp", Rcpts: []string{"support@layan.test"}})
	if err != nil {
		t.Fatalf("ingest: %v", err)
	}
	return r
}

func (e *env) comments(t testing.TB, ticketID int64) []ticket.Comment {
	t.Helper()
	cs, err := e.Tickets.Comments(e.ctx, auth.SystemActor(), ticketID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func (e *env) ticket(t testing.TB, id int64) ticket.Ticket {
	t.Helper()
	tk, err := e.Tickets.Get(e.ctx, auth.SystemActor(), id)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// queued returns the payloads of queued outbound jobs.
func (e *env) queued(t testing.TB) []string {
	t.Helper()
	rows, err := e.DB.R.Query(`SELECT payload FROM jobs WHERE queue = 'email.send' AND state = 'queued' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func wantStatus(t testing.TB, r email.Result, status string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %q (reason %q), want %q", r.Status, r.Reason, status)
	}
}
