package ui

import (
	"net/http"
	"slices"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/survey"
)

// The agents' suggestion board: staff post ideas, vote and comment;
// managers (admins) move an idea to planned, done or declined. Package
// survey checks the same permissions.

type suggestionRow struct {
	survey.Suggestion
	Author      string
	When        When
	StatusLabel string
}

type suggestionsPage struct {
	Rows     []suggestionRow
	Status   string
	Statuses []option
	Title    string // the post form, kept after a mistake
	Body     string
	Error    string
}

type suggestionPage struct {
	S        suggestionRow
	Comments []suggestionComment
	Admin    bool
	Statuses []option
	Body     string
	Error    string
}

type suggestionComment struct {
	Author string
	Body   string
	When   When
}

// authorNames side-loads the names of the people who wrote.
func (p *Pages) authorNames(r *http.Request, a auth.Actor, ids []int64) map[int64]string {
	out := map[int64]string{}
	us, err := p.d.Dir.UsersByIDs(r.Context(), a, ids)
	if err != nil {
		return out // names are decoration: the board still shows without them
	}
	for _, u := range us {
		out[u.ID] = u.Name
	}
	return out
}

func (p *Pages) suggestionsView(r *http.Request) *View {
	v := p.view(r)
	v.Title, v.Nav = v.T("board.title"), "suggestions"
	switch r.URL.Query().Get("done") {
	case "posted":
		v.Flash, v.FlashKind = v.T("board.posted"), "ok"
	case "status":
		v.Flash, v.FlashKind = v.T("common.saved"), "ok"
	}
	return v
}

// suggestions: GET /agent/suggestions?status= — the board, most votes first.
func (p *Pages) suggestions(w http.ResponseWriter, r *http.Request) {
	p.renderSuggestions(w, r, p.suggestionsView(r), http.StatusOK, "", "", "")
}

func (p *Pages) renderSuggestions(w http.ResponseWriter, r *http.Request, v *View, status int, title, body, msg string) {
	st := r.URL.Query().Get("status")
	if st != "" && !slices.Contains(survey.SuggestionStatuses, st) {
		status, st, msg = http.StatusBadRequest, "", v.T("board.error.status")
	}
	list, err := p.d.Surveys.Suggestions(r.Context(), v.Actor, st)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	var ids []int64
	for _, s := range list {
		ids = append(ids, s.AuthorID)
	}
	names := p.authorNames(r, v.Actor, ids)
	d := &suggestionsPage{Status: st, Statuses: v.options("board.status.", survey.SuggestionStatuses), Title: title, Body: body, Error: msg}
	for _, s := range list {
		d.Rows = append(d.Rows, suggestionRow{Suggestion: s, Author: names[s.AuthorID], When: v.When(s.CreatedAt),
			StatusLabel: v.T("board.status." + s.Status)})
	}
	v.Data = d
	p.render(w, r, status, "suggestions", v)
}

// postSuggestion: POST /agent/suggestions (title, body).
func (p *Pages) postSuggestion(w http.ResponseWriter, r *http.Request) {
	v := p.suggestionsView(r)
	title, body := r.PostFormValue("title"), r.PostFormValue("body")
	sg, err := p.d.Surveys.PostSuggestion(r.Context(), v.Actor, title, body)
	if ve, ok := apperr.AsValidation(err); ok {
		label := v.T("board.field_title")
		if ve.Field == "body" {
			label = v.T("board.field_body")
		}
		p.renderSuggestions(w, r, v, http.StatusBadRequest, title, body, fieldMessage(v, label, ve))
		return
	}
	if err != nil {
		p.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/agent/suggestions/"+itoa(sg.ID)+"?done=posted", http.StatusSeeOther)
}

// suggestion: GET /agent/suggestions/{id} — the idea, its comments, the vote
// button and (managers) the status.
func (p *Pages) suggestion(w http.ResponseWriter, r *http.Request) {
	id, ok := p.pathID(w, r, "id")
	if !ok {
		return
	}
	p.renderSuggestion(w, r, p.suggestionsView(r), id, http.StatusOK, "", "")
}

func (p *Pages) renderSuggestion(w http.ResponseWriter, r *http.Request, v *View, id int64, status int, body, msg string) {
	ctx, a := r.Context(), v.Actor
	s, err := p.d.Surveys.GetSuggestion(ctx, a, id)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	cs, err := p.d.Surveys.SuggestionComments(ctx, a, id)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	ids := []int64{s.AuthorID}
	for _, c := range cs {
		ids = append(ids, c.AuthorID)
	}
	names := p.authorNames(r, a, ids)
	v.Title = s.Title
	d := &suggestionPage{S: suggestionRow{Suggestion: s, Author: names[s.AuthorID], When: v.When(s.CreatedAt),
		StatusLabel: v.T("board.status." + s.Status)}, Admin: a.IsAdmin(),
		Statuses: v.options("board.status.", survey.SuggestionStatuses), Body: body, Error: msg}
	for _, c := range cs {
		d.Comments = append(d.Comments, suggestionComment{Author: names[c.AuthorID], Body: c.Body, When: v.When(c.CreatedAt)})
	}
	v.Data = d
	p.render(w, r, status, "suggestion", v)
}

// voteSuggestion: POST /agent/suggestions/{id}/vote (up=1 adds, else withdraws).
func (p *Pages) voteSuggestion(w http.ResponseWriter, r *http.Request) {
	id, ok := p.pathID(w, r, "id")
	if !ok {
		return
	}
	if _, err := p.d.Surveys.Vote(r.Context(), currentActor(r), id, r.PostFormValue("up") == "1"); err != nil {
		p.fail(w, r, err)
		return
	}
	back := "/agent/suggestions/" + itoa(id)
	if r.PostFormValue("from") == "list" {
		back = "/agent/suggestions"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// commentSuggestion: POST /agent/suggestions/{id}/comments (body).
func (p *Pages) commentSuggestion(w http.ResponseWriter, r *http.Request) {
	id, ok := p.pathID(w, r, "id")
	if !ok {
		return
	}
	v := p.suggestionsView(r)
	body := r.PostFormValue("body")
	_, err := p.d.Surveys.CommentSuggestion(r.Context(), v.Actor, id, body)
	if ve, ok := apperr.AsValidation(err); ok {
		p.renderSuggestion(w, r, v, id, http.StatusBadRequest, body, fieldMessage(v, v.T("board.field_comment"), ve))
		return
	}
	if err != nil {
		p.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/agent/suggestions/"+itoa(id)+"#comments", http.StatusSeeOther)
}

// setSuggestionStatus: POST /agent/suggestions/{id}/status (status). Managers.
func (p *Pages) setSuggestionStatus(w http.ResponseWriter, r *http.Request) {
	id, ok := p.pathID(w, r, "id")
	if !ok {
		return
	}
	v := p.suggestionsView(r)
	_, err := p.d.Surveys.SetSuggestionStatus(r.Context(), v.Actor, id, r.PostFormValue("status"))
	if _, ok := apperr.AsValidation(err); ok {
		p.renderSuggestion(w, r, v, id, http.StatusBadRequest, "", v.T("board.error.status"))
		return
	}
	if err != nil {
		p.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/agent/suggestions/"+itoa(id)+"?done=status", http.StatusSeeOther)
}
