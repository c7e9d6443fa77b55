package survey

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"html/template"
	"strconv"
	"strings"
	"time"

	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/directory"
	"layan/internal/i18n"
	"layan/internal/mail"
)

// Mailer sends the survey mails: one mail per solved ticket with the
// one-click links of its CSAT (and CES) surveys, and one per NPS offer. The
// links carry the signed token, so the click is the answer and the page at
// /surveys/{token} offers a comment afterwards.
//
// It reads new offers in id order from a cursor (event_cursors), claiming
// each batch with a compare-and-set, so several nodes never mail the same
// offer twice. The mail itself goes through mail.Sender: the email channel's
// durable queue when an SMTP relay is set up, else the log.
type Mailer struct {
	S       *Service
	Dir     *directory.Service
	Mail    mail.Sender
	BaseURL string                           // "https://help.example.com"
	Brand   func(ctx context.Context) string // the workspace's name
	// Settle: an offer is mailed once it is this old, so the CES offer that
	// Watch makes just after the CSAT one travels in the same mail.
	Settle time.Duration
	// MaxAge: older offers (a database that had surveys before the mailer
	// ran) are skipped rather than mailed out of the blue.
	MaxAge time.Duration
}

const mailCursor = "survey.mail"

func (m *Mailer) settle() time.Duration {
	if m.Settle > 0 {
		return m.Settle
	}
	return 30 * time.Second
}

func (m *Mailer) maxAge() time.Duration {
	if m.MaxAge > 0 {
		return m.MaxAge
	}
	return 3 * 24 * time.Hour
}

// SendPending mails one batch of new offers and returns how many offers it
// handled (mailed or skipped).
func (m *Mailer) SendPending(ctx context.Context) (int, error) {
	s := m.S
	var last int64
	err := s.db.R.QueryRowContext(ctx, `SELECT last_id FROM event_cursors WHERE name = $1`, mailCursor).Scan(&last)
	if errors.Is(err, sql.ErrNoRows) {
		_, err = s.db.W.ExecContext(ctx, `INSERT INTO event_cursors (name, last_id) VALUES ($1, 0) ON CONFLICT DO NOTHING`, mailCursor)
	}
	if err != nil {
		return 0, err
	}
	now := s.now().UTC()
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+cols+` FROM survey_responses WHERE id > $1 ORDER BY id LIMIT 100`, last)
	if err != nil {
		return 0, err
	}
	var batch []Response
	for rows.Next() {
		r, err := scan(rows)
		if err != nil {
			rows.Close()
			return 0, err
		}
		if now.Sub(r.OfferedAt) < m.settle() {
			break // ids grow with time: everything after is younger still
		}
		batch = append(batch, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(batch) == 0 {
		return 0, err
	}
	// Claim the batch; another node that got here first mails it.
	res, err := s.db.W.ExecContext(ctx, `UPDATE event_cursors SET last_id = $1 WHERE name = $2 AND last_id = $3`,
		batch[len(batch)-1].ID, mailCursor, last)
	if err != nil {
		return 0, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return 0, nil
	}
	// One mail per ticket (CSAT and CES together) and one per NPS offer.
	var order []string
	groups := map[string][]Response{}
	for _, r := range batch {
		if r.Score != nil || now.Sub(r.OfferedAt) > m.maxAge() {
			continue // answered already (the portal, the API) or stale
		}
		key := "r" + strconv.FormatInt(r.ID, 10)
		if r.TicketID != 0 {
			key = "t" + strconv.FormatInt(r.TicketID, 10)
		}
		if _, ok := groups[key]; !ok {
			order = append(order, key)
		}
		groups[key] = append(groups[key], r)
	}
	for _, key := range order {
		if err := m.send(ctx, groups[key]); err != nil {
			s.log.Warn("survey: mail", "responses", key, "err", err)
		}
	}
	return len(batch), nil
}

// question is one survey of a mail: its question and the scale's links.
type question struct {
	Text      string
	Low, High string
	Links     []scoreLink
}

// Last is the top of the scale.
func (q question) Last() scoreLink { return q.Links[len(q.Links)-1] }

type scoreLink struct {
	Label, URL string
}

type surveyMail struct {
	Locale, Dir, Brand string
	Greeting, Intro    string
	Questions          []question
	After, Footer      string
}

func (m *Mailer) send(ctx context.Context, rs []Response) error {
	if m.Mail == nil {
		return nil
	}
	sys := auth.SystemActor()
	u, err := m.Dir.GetUser(ctx, sys, rs[0].CustomerID)
	if err != nil {
		return err
	}
	if u.Email == "" || u.Suspended {
		return nil
	}
	locale := i18n.Normalize(u.Locale)
	brand := "Layan"
	if m.Brand != nil {
		brand = m.Brand(ctx)
	}
	first := rs[0]
	subject, intro := "", ""
	if first.TicketID != 0 {
		t, err := m.S.tickets.Get(ctx, sys, first.TicketID)
		if err != nil {
			return err
		}
		subject = i18n.T(locale, "survey.mail.subject."+first.Kind, "id", t.ID, "brand", brand)
		intro = i18n.T(locale, "survey.mail.intro."+first.Kind, "id", t.ID, "subject", t.Subject, "brand", brand)
	} else {
		subject = i18n.T(locale, "survey.mail.subject."+first.Kind, "brand", brand)
		intro = i18n.T(locale, "survey.mail.intro."+first.Kind, "brand", brand)
	}
	v := surveyMail{Locale: locale, Dir: i18n.Dir(locale), Brand: brand, Greeting: i18n.T(locale, "email.greeting", "name", u.Name),
		Intro: intro, After: i18n.T(locale, "survey.mail.after"), Footer: i18n.T(locale, "email.footer", "brand", brand)}
	for i, r := range rs {
		tok, err := m.S.Token(ctx, r)
		if err != nil {
			return err
		}
		q := question{Low: i18n.T(locale, "survey.low."+r.Kind), High: i18n.T(locale, "survey.high."+r.Kind)}
		if i > 0 {
			q.Text = i18n.T(locale, "survey.question."+r.Kind) // the intro asks the first one
		}
		lo, hi := 1, 5
		switch r.Kind {
		case NPS:
			lo, hi = 0, 10
		case CES:
			lo, hi = 1, 7
		}
		for sc := lo; sc <= hi; sc++ {
			q.Links = append(q.Links, scoreLink{Label: i18n.Digits(locale, strconv.Itoa(sc)),
				URL: strings.TrimRight(m.BaseURL, "/") + "/surveys/" + tok + "?score=" + strconv.Itoa(sc)})
		}
		v.Questions = append(v.Questions, q)
	}
	text, html, err := renderSurveyMail(v)
	if err != nil {
		return err
	}
	return m.Mail.Send(ctx, mail.Message{To: u.Email, Subject: subject, Text: text, HTML: html, Locale: locale,
		// An automatic mail: out-of-office replies must not answer it (RFC 3834).
		Headers: map[string]string{"Auto-Submitted": "auto-generated"}})
}

// The HTML part: one row of buttons per question. No images or scripts;
// inline styles because mail clients drop style sheets; dir on every block
// so Persian reads right to left even where the client ignores <html dir>.
var surveyHTML = template.Must(template.New("survey").Parse(`<!DOCTYPE html>
<html lang="{{.Locale}}" dir="{{.Dir}}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>{{.Brand}}</title></head>
<body dir="{{.Dir}}" style="font-family: Tahoma, Arial, sans-serif; font-size: 15px; line-height: 1.5; color: #1f2937; direction: {{.Dir}}; text-align: {{if eq .Dir "rtl"}}right{{else}}left{{end}};">
<p>{{.Greeting}}</p>
<p>{{.Intro}}</p>
{{range .Questions}}{{with .Text}}<p dir="{{$.Dir}}"><strong>{{.}}</strong></p>{{end}}
<table role="presentation" dir="{{$.Dir}}" style="border-collapse: separate; border-spacing: 4px;"><tr>
{{range .Links}}<td><a href="{{.URL}}" style="display: inline-block; min-width: 28px; padding: 8px 10px; border: 1px solid #0d6b6b; border-radius: 6px; color: #0d6b6b; text-decoration: none; text-align: center; font-weight: bold;">{{.Label}}</a></td>{{end}}
</tr></table>
<p dir="{{$.Dir}}" style="color: #6b7280; font-size: 12px;">{{(index .Links 0).Label}}: {{.Low}} · {{.Last.Label}}: {{.High}}</p>
{{end}}
<p>{{.After}}</p>
<p style="color: #9ca3af; font-size: 12px;">{{.Footer}}</p>
</body>
</html>
`))

func renderSurveyMail(v surveyMail) (string, string, error) {
	var h bytes.Buffer
	if err := surveyHTML.Execute(&h, v); err != nil {
		return "", "", err
	}
	var t strings.Builder
	t.WriteString(v.Greeting + "\n\n" + v.Intro + "\n")
	for _, q := range v.Questions {
		t.WriteString("\n")
		if q.Text != "" {
			t.WriteString(q.Text + "\n")
		}
		t.WriteString("(" + q.Links[0].Label + ": " + q.Low + " · " + q.Last().Label + ": " + q.High + ")\n")
		for _, l := range q.Links {
			t.WriteString(l.Label + ": " + l.URL + "\n")
		}
	}
	t.WriteString("\n" + v.After + "\n\n-- \n" + v.Footer + "\n")
	return t.String(), h.String(), nil
}

// --- NPS schedule ------------------------------------------------------------

const npsRoundKey = "survey.nps_round"

// NPSRound offers NPS to the sampled customers once per NPS cooldown: each
// round, every active customer with an address is drawn with probability
// NPSSample, and OfferNPS applies the fatigue rules. The round's start is
// claimed with a compare-and-set in the settings table, so one node runs it.
// It returns how many customers were offered NPS (0 when no round was due).
func (s *Service) NPSRound(ctx context.Context) (int, error) {
	if s.cfg.NPSSample <= 0 || s.cfg.NPSCooldown <= 0 {
		return 0, nil
	}
	now := s.now().UTC()
	var prev string
	err := s.db.R.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, npsRoundKey).Scan(&prev)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		res, err := s.db.W.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`,
			npsRoundKey, strconv.FormatInt(db.Millis(now), 10))
		if err != nil {
			return 0, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return 0, nil
		}
	case err != nil:
		return 0, err
	default:
		ms, _ := strconv.ParseInt(prev, 10, 64)
		if now.Sub(db.Time(ms)) < s.cfg.NPSCooldown {
			return 0, nil
		}
		res, err := s.db.W.ExecContext(ctx, `UPDATE settings SET value = $1 WHERE key = $2 AND value = $3`,
			strconv.FormatInt(db.Millis(now), 10), npsRoundKey, prev)
		if err != nil {
			return 0, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return 0, nil // another node started this round
		}
	}
	offered := 0
	for after := int64(0); ; {
		rows, err := s.db.R.QueryContext(ctx, `SELECT id FROM users WHERE role = 'end_user' AND id > $1
			AND email IS NOT NULL AND email <> '' AND active AND NOT suspended ORDER BY id LIMIT 500`, after)
		if err != nil {
			return offered, err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return offered, err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return offered, err
		}
		for _, id := range ids {
			if _, ok, err := s.OfferNPS(ctx, auth.SystemActor(), id); err != nil {
				return offered, err
			} else if ok {
				offered++
			}
		}
		if len(ids) < 500 {
			return offered, nil
		}
		after = ids[len(ids)-1]
	}
}

// Run mails new offers every tick, copies the chat widget's ratings, and
// starts an NPS round when one is due, until ctx ends.
func (m *Mailer) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := m.S.NPSRound(ctx); err != nil && ctx.Err() == nil {
			m.S.log.Warn("survey: nps round", "err", err)
		} else if n > 0 {
			m.S.log.Info("survey: nps round", "offered", n)
		}
		for ctx.Err() == nil {
			n, err := m.S.RecordChatRatings(ctx)
			if err != nil || n == 0 {
				if err != nil && ctx.Err() == nil {
					m.S.log.Warn("survey: chat ratings", "err", err)
				}
				break
			}
		}
		for ctx.Err() == nil {
			n, err := m.SendPending(ctx)
			if err != nil {
				if ctx.Err() == nil {
					m.S.log.Warn("survey: mails", "err", err)
				}
				break
			}
			if n == 0 {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
