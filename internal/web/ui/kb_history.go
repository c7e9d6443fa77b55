package ui

import (
	"net/http"
	"strconv"
	"time"

	"layan/internal/kb"
)

// An article translation's history on the editor (every saved version, with
// its note), a line diff between two versions, and restoring an old one (a
// new version with the old text). Search analytics for admins: the most
// frequent queries and those that found nothing (articles to write).

type kbVersionView struct {
	V    kb.Version
	When When
}

func (p *Pages) kbVersions(r *http.Request, v *View, id int64, l string) ([]kbVersionView, error) {
	vs, err := p.d.KB.Versions(r.Context(), v.Actor, id, l)
	if err != nil {
		return nil, err
	}
	out := make([]kbVersionView, len(vs))
	for i, x := range vs {
		out[i] = kbVersionView{V: x, When: v.When(x.CreatedAt)}
	}
	return out, nil
}

type kbDiffPage struct {
	ID       int64
	L        string
	From, To int64
	Lines    []kb.DiffLine
}

// kbDiff: GET /agent/kb/articles/{id}/diff?locale=&from=&to=.
func (p *Pages) kbDiff(w http.ResponseWriter, r *http.Request) {
	if p.d.KB == nil {
		p.notFound(w, r)
		return
	}
	id, ok := p.pathID(w, r, "id")
	if !ok {
		return
	}
	q := r.URL.Query()
	from, err1 := strconv.ParseInt(q.Get("from"), 10, 64)
	to, err2 := strconv.ParseInt(q.Get("to"), 10, 64)
	l := kb.NormalizeLocale(q.Get("locale"))
	if err1 != nil || err2 != nil || l == "" {
		p.errorPage(w, r, http.StatusUnprocessableEntity, "error.invalid_input")
		return
	}
	v := p.view(r)
	lines, err := p.d.KB.DiffVersions(r.Context(), v.Actor, id, l, from, to)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	v.Title, v.Nav = v.T("kb.diff_title"), "kb"
	v.Data = &kbDiffPage{ID: id, L: l, From: from, To: to, Lines: lines}
	p.render(w, r, http.StatusOK, "kb_diff", v)
}

// kbRestore is action=restore of the editor's form (version=N).
func (p *Pages) kbRestore(w http.ResponseWriter, r *http.Request, id int64, l string) {
	n, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil || l == "" {
		p.errorPage(w, r, http.StatusUnprocessableEntity, "error.invalid_input")
		return
	}
	if _, err := p.d.KB.RestoreVersion(r.Context(), currentActor(r), id, l, n); err != nil {
		p.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/agent/kb/articles/"+itoa(id)+"?locale="+l+"&done=restored", http.StatusSeeOther)
}

type kbAnalyticsPage struct {
	A    kb.Analytics
	Days int
}

// kbAnalytics: GET /agent/kb/analytics[?days=30] (admins).
func (p *Pages) kbAnalytics(w http.ResponseWriter, r *http.Request) {
	if p.d.KB == nil {
		p.notFound(w, r)
		return
	}
	v := p.view(r)
	days, err := strconv.Atoi(r.URL.Query().Get("days"))
	if err != nil || days <= 0 || days > 365 {
		days = 30
	}
	a, err := p.d.KB.SearchAnalytics(r.Context(), v.Actor, p.d.Now().Add(-time.Duration(days)*24*time.Hour), 50)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	v.Title, v.Nav, v.Data = v.T("kb.analytics"), "kb", &kbAnalyticsPage{A: a, Days: days}
	p.render(w, r, http.StatusOK, "kb_analytics", v)
}
