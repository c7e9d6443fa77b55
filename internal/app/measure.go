package app

import (
	"context"
	"time"

	"layan/internal/digest"
	"layan/internal/survey"
)

// The background work of measurement: survey mails with their one-click
// links, the NPS rounds, and the managers' weekly digest. Both read the
// database and claim their work, so every node may run them.

func (a *App) runSurveyMails(ctx context.Context) {
	m := &survey.Mailer{S: a.Surveys, Dir: a.Dir, Mail: a.Mail, BaseURL: a.Config.PublicURL(), Brand: a.brand}
	m.Run(ctx, 15*time.Second)
}

func (a *App) runDigest(ctx context.Context) {
	d := &digest.Digest{DB: a.DB, KPI: a.KPI, Dir: a.Dir, Mail: a.Mail, BaseURL: a.Config.PublicURL(), Brand: a.brand,
		Now: time.Now, Log: a.Log}
	d.Run(ctx, 10*time.Minute)
}

// brand is the workspace's name in mails.
func (a *App) brand(ctx context.Context) string {
	st, err := a.Settings.Get(ctx)
	if err != nil || st.Branding.Name == "" {
		return "Layan"
	}
	return st.Branding.Name
}
