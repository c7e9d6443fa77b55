package ui

import (
	"net/http"
	"time"

	"layan/internal/forum"
)

// The moderators' desk, /agent/community: the queue (a new member's first
// posts, spam), open reports, knowledge-base candidates (recurring
// questions), the community's figures for the last 30 days, the moderation
// log, and topics. Staff read it; admins and agents act (the service checks).

type forumModPage struct {
	Queue      []queueView
	Reports    []reportView
	Candidates []forum.Candidate
	Log        []logView
	Metrics    forum.Metrics
	Topics     []forum.Topic
	CanMod     bool
	FirstMin   string
	SolvedMin  string
	Form       *formState
}

type queueView struct {
	Q       forum.QueueItem
	Created When
}

type reportView struct {
	R       forum.Report
	Created When
}

type logView struct {
	L       forum.LogEntry
	Created When
}

// minutes writes a duration in whole minutes in the page's digits.
func minutes(v *View, d time.Duration) string {
	if d == 0 {
		return "—"
	}
	if d < time.Minute {
		return v.T("forum.under_a_minute")
	}
	return v.T("forum.minutes", "n", v.Num(int(d.Round(time.Minute)/time.Minute)))
}

// forumDesk: GET /agent/community.
func (p *Pages) forumDesk(w http.ResponseWriter, r *http.Request) {
	if p.forumOff(w, r) {
		return
	}
	p.renderDesk(w, r, p.view(r), http.StatusOK, newForm())
}

func (p *Pages) renderDesk(w http.ResponseWriter, r *http.Request, v *View, status int, f *formState) {
	ctx := r.Context()
	fs := p.d.Forum
	a := v.Actor
	d := &forumModPage{CanMod: forum.CanModerate(a), Form: f}
	qs, err := fs.Queue(ctx, a)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	for _, q := range qs {
		d.Queue = append(d.Queue, queueView{Q: q, Created: v.When(q.CreatedAt)})
	}
	rs, err := fs.Reports(ctx, a)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	for _, x := range rs {
		d.Reports = append(d.Reports, reportView{R: x, Created: v.When(x.CreatedAt)})
	}
	if d.Candidates, err = fs.KBCandidates(ctx, a, 10); err != nil {
		p.fail(w, r, err)
		return
	}
	log, err := fs.ModLog(ctx, a, 50)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	for _, l := range log {
		d.Log = append(d.Log, logView{L: l, Created: v.When(l.CreatedAt)})
	}
	now := p.d.Now()
	if d.Metrics, err = fs.Metrics(ctx, a, now.Add(-30*24*time.Hour), now.Add(time.Minute)); err != nil {
		p.fail(w, r, err)
		return
	}
	d.FirstMin, d.SolvedMin = minutes(v, d.Metrics.MedianFirstAnswer), minutes(v, d.Metrics.MedianToSolution)
	if d.Topics, err = fs.ListTopics(ctx, a); err != nil {
		p.fail(w, r, err)
		return
	}
	v.Title, v.Nav, v.Data = v.T("forum.desk_title"), "community", d
	p.render(w, r, status, "forum_mod", v)
}

// forumDismissReport: POST /agent/community/reports/{id}/dismiss (moderators).
func (p *Pages) forumDismissReport(w http.ResponseWriter, r *http.Request) {
	if p.forumOff(w, r) {
		return
	}
	id, ok := p.ticketID(w, r)
	if !ok {
		return
	}
	a, _ := actorOf(r)
	if err := p.d.Forum.DismissReport(r.Context(), a, id); err != nil {
		p.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/agent/community", http.StatusSeeOther)
}

// forumCreateTopic: POST /agent/community/topics (moderators): name, description.
func (p *Pages) forumCreateTopic(w http.ResponseWriter, r *http.Request) {
	if p.forumOff(w, r) {
		return
	}
	v := p.view(r)
	f := formFrom(r, "name", "description")
	if _, err := p.d.Forum.CreateTopic(r.Context(), v.Actor, forum.TopicInput{Name: f.V("name"), Description: f.V("description")}); err != nil {
		if !applyError(v, f, err, map[string][2]string{"name": {"name", "forum.field.topic_name"}}) {
			p.fail(w, r, err)
			return
		}
		f.Failed(v)
		p.renderDesk(w, r, v, http.StatusUnprocessableEntity, f)
		return
	}
	http.Redirect(w, r, "/agent/community", http.StatusSeeOther)
}
