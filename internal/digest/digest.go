// Package digest mails each manager (admin) a weekly summary: the key KPIs
// of the last complete week against the week before, the pairs of KPIs that
// moved apart, and the goals' status. It runs on every node; the week is
// claimed with a compare-and-set in the settings table, so one node sends.
package digest

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"html/template"
	"log/slog"
	"math"
	"strings"
	"time"

	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/directory"
	"layan/internal/i18n"
	"layan/internal/kpi"
	"layan/internal/mail"
)

// Digest sends the weekly summaries.
type Digest struct {
	DB      *db.DB
	KPI     *kpi.Service
	Dir     *directory.Service
	Mail    mail.Sender
	BaseURL string
	Brand   func(ctx context.Context) string
	Now     func() time.Time
	Log     *slog.Logger
	// SendAfter is how long after Monday 00:00 UTC the digest goes out
	// (default 6 hours: on managers' desks on Monday morning in most zones).
	SendAfter time.Duration
}

const weekKey = "digest.week"

// KPIs is what a digest shows, in order.
var KPIs = []string{"created", "resolved", "backlog", "first_response_avg_hours", "resolution_avg_hours",
	"handling_avg_minutes", "sla_attainment_percent", "fcr_percent", "csat_percent", "nps", "ces_average"}

// Week is the last complete ISO week (Monday to Monday, UTC) before now.
func Week(now time.Time) (from, to time.Time) {
	now = now.UTC()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	to = day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
	return to.AddDate(0, 0, -7), to
}

// SendDue sends last week's digest when it is due and not sent yet, and
// returns how many managers it mailed.
func (d *Digest) SendDue(ctx context.Context) (int, error) {
	now := d.Now().UTC()
	from, to := Week(now)
	after := d.SendAfter
	if after <= 0 {
		after = 6 * time.Hour
	}
	if now.Before(to.Add(after)) {
		return 0, nil
	}
	claimed, err := d.claim(ctx, from.Format(time.DateOnly))
	if err != nil || !claimed {
		return 0, err
	}
	return d.Send(ctx, from, to)
}

// claim records that week's digest as sent; false when it already was (by
// this node or another).
func (d *Digest) claim(ctx context.Context, week string) (bool, error) {
	var prev string
	err := d.DB.R.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, weekKey).Scan(&prev)
	var res sql.Result
	switch {
	case errors.Is(err, sql.ErrNoRows):
		res, err = d.DB.W.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, weekKey, week)
	case err != nil:
		return false, err
	case prev >= week:
		return false, nil
	default:
		res, err = d.DB.W.ExecContext(ctx, `UPDATE settings SET value = $1 WHERE key = $2 AND value = $3`, week, weekKey, prev)
	}
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// Send mails the digest of [from, to) to every active admin with an address.
func (d *Digest) Send(ctx context.Context, from, to time.Time) (int, error) {
	if d.Mail == nil {
		return 0, nil
	}
	sys := auth.SystemActor()
	q := kpi.Query{From: from, To: to}
	cur, prev, err := d.KPI.Compare(ctx, sys, q)
	if err != nil {
		return 0, err
	}
	goals, err := d.KPI.Goals(ctx, sys)
	if err != nil {
		return 0, err
	}
	var progress []kpi.Progress
	for i, g := range goals {
		if i == 10 {
			break
		}
		p, err := d.KPI.GoalProgress(ctx, sys, g.ID)
		if err != nil {
			return 0, err
		}
		progress = append(progress, p)
	}
	brand := "Layan"
	if d.Brand != nil {
		brand = d.Brand(ctx)
	}
	sent := 0
	for page := 1; ; page++ {
		admins, _, err := d.Dir.ListUsers(ctx, sys, auth.RoleAdmin, directory.Page{Page: page, PerPage: 100})
		if err != nil {
			return sent, err
		}
		for _, u := range admins {
			if u.Email == "" || u.Suspended || !u.Active {
				continue
			}
			m := compose(u, brand, d.BaseURL, from, to, cur, prev, progress)
			if err := d.Mail.Send(ctx, m); err != nil {
				d.log().Warn("digest: send", "to", u.ID, "err", err)
				continue
			}
			sent++
		}
		if len(admins) < 100 {
			return sent, nil
		}
	}
}

func (d *Digest) log() *slog.Logger {
	if d.Log == nil {
		return slog.Default()
	}
	return d.Log
}

// Run sends each week's digest when due, checking every tick, until ctx ends.
func (d *Digest) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := d.SendDue(ctx); err != nil && ctx.Err() == nil {
			d.log().Warn("digest", "err", err)
		} else if n > 0 {
			d.log().Info("digest sent", "managers", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// --- the mail ---------------------------------------------------------------

type line struct {
	Label, Value, Previous, Change, Color string
}

type view struct {
	Locale, Dir, Brand  string
	Greeting, Intro     string
	Lines               []line
	WarnHead            string
	Warnings            []string
	GoalHead            string
	Goals               []string
	LinkText, Link      string
	Footer              string
	KPIHead, ValueHead  string
	PrevHead, DeltaHead string
}

func compose(u directory.User, brand, baseURL string, from, to time.Time, cur, prev kpi.Result, goals []kpi.Progress) mail.Message {
	l := i18n.Normalize(u.Locale)
	period := i18n.T(l, "measure.period_range", "from", i18n.FormatDate(l, from, time.UTC), "to", i18n.FormatDate(l, to.AddDate(0, 0, -1), time.UTC))
	v := view{Locale: l, Dir: i18n.Dir(l), Brand: brand, Greeting: i18n.T(l, "email.greeting", "name", u.Name),
		Intro: i18n.T(l, "digest.intro", "period", period), WarnHead: i18n.T(l, "digest.warnings"), GoalHead: i18n.T(l, "digest.goals"),
		LinkText: i18n.T(l, "digest.link"), Footer: i18n.T(l, "digest.footer", "brand", brand),
		KPIHead: i18n.T(l, "measure.kpi"), ValueHead: i18n.T(l, "measure.this_period"), PrevHead: i18n.T(l, "measure.previous_period"),
		DeltaHead: i18n.T(l, "measure.change")}
	base := strings.TrimRight(baseURL, "/")
	v.Link = base + "/agent/dashboard?from=" + from.Format(time.DateOnly) + "&to=" + to.AddDate(0, 0, -1).Format(time.DateOnly)
	for _, name := range KPIs {
		c, p := kpi.Value(cur, name), kpi.Value(prev, name)
		ln := line{Label: i18n.T(l, "measure.kpi."+name), Value: kpi.Format(l, name, c), Previous: kpi.Format(l, name, p), Change: "—"}
		if c != nil && p != nil {
			ln.Change, ln.Color = change(l, name, *c-*p)
		}
		v.Lines = append(v.Lines, ln)
	}
	for _, w := range kpi.PairWarnings(cur, prev) {
		v.Warnings = append(v.Warnings, i18n.T(l, "measure.pair_warning", "improved", i18n.T(l, "measure.kpi."+w.Improved),
			"worsened", i18n.T(l, "measure.kpi."+w.Worsened)))
	}
	for _, g := range goals {
		v.Goals = append(v.Goals, i18n.T(l, "digest.goal_line", "name", g.Goal.Name, "status", i18n.T(l, "measure.goal_status."+g.Status),
			"current", kpi.Format(l, g.Goal.KPI, g.Current), "target", kpi.Format(l, g.Goal.KPI, &g.Goal.Target)))
	}
	var h bytes.Buffer
	_ = htmlTmpl.Execute(&h, v) // the template is fixed and its data plain strings: it cannot fail
	return mail.Message{To: u.Email, Subject: i18n.T(l, "digest.subject", "brand", brand, "period", period), Text: text(v),
		HTML: h.String(), Locale: l, Headers: map[string]string{"Auto-Submitted": "auto-generated"}}
}

func text(v view) string {
	var b strings.Builder
	b.WriteString(v.Greeting + "\n\n" + v.Intro + "\n\n")
	for _, ln := range v.Lines {
		b.WriteString(i18n.T(v.Locale, "digest.line", "kpi", ln.Label, "value", ln.Value, "previous", ln.Previous, "change", ln.Change) + "\n")
	}
	if len(v.Warnings) > 0 {
		b.WriteString("\n" + v.WarnHead + "\n")
		for _, w := range v.Warnings {
			b.WriteString("- " + w + "\n")
		}
	}
	if len(v.Goals) > 0 {
		b.WriteString("\n" + v.GoalHead + "\n")
		for _, g := range v.Goals {
			b.WriteString("- " + g + "\n")
		}
	}
	b.WriteString("\n" + v.LinkText + ": " + v.Link + "\n\n-- \n" + v.Footer + "\n")
	return b.String()
}

var htmlTmpl = template.Must(template.New("digest").Parse(`<!DOCTYPE html>
<html lang="{{.Locale}}" dir="{{.Dir}}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>{{.Brand}}</title></head>
<body dir="{{.Dir}}" style="font-family: Tahoma, Arial, sans-serif; font-size: 15px; line-height: 1.5; color: #1f2937; direction: {{.Dir}}; text-align: {{if eq .Dir "rtl"}}right{{else}}left{{end}};">
<p>{{.Greeting}}</p>
<p>{{.Intro}}</p>
<table dir="{{.Dir}}" style="border-collapse: collapse;">
<tr><th style="padding: 4px 8px; text-align: start;">{{.KPIHead}}</th><th style="padding: 4px 8px;">{{.ValueHead}}</th><th style="padding: 4px 8px;">{{.PrevHead}}</th><th style="padding: 4px 8px;">{{.DeltaHead}}</th></tr>
{{range .Lines}}<tr style="border-top: 1px solid #e5e7eb;"><td style="padding: 4px 8px;">{{.Label}}</td><td style="padding: 4px 8px;"><strong>{{.Value}}</strong></td><td style="padding: 4px 8px; color: #6b7280;">{{.Previous}}</td><td style="padding: 4px 8px;{{if .Color}} color: {{.Color}};{{end}}">{{.Change}}</td></tr>
{{end}}</table>
{{if .Warnings}}<p><strong>{{.WarnHead}}</strong></p><ul>{{range .Warnings}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{if .Goals}}<p><strong>{{.GoalHead}}</strong></p><ul>{{range .Goals}}<li>{{.}}</li>{{end}}</ul>{{end}}
<p><a href="{{.Link}}">{{.LinkText}}</a></p>
<p style="color: #9ca3af; font-size: 12px;">{{.Footer}}</p>
</body>
</html>
`))

// change writes a difference with its sign, and the colour that says
// whether it is an improvement.
func change(l, name string, d float64) (string, string) {
	if math.Abs(d) < 1e-9 {
		return i18n.T(l, "measure.delta.same"), ""
	}
	sign, word, color := "+", "measure.delta.worse", "#b3261e"
	if d < 0 {
		sign = "−"
	}
	if (d > 0) == kpi.HigherIsBetter(name) {
		word, color = "measure.delta.better", "#1d6a35"
	}
	return "\u2066" + sign + kpi.FormatValue(l, name, math.Abs(d)) + "\u2069 " + i18n.T(l, word), color
}
