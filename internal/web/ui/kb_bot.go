package ui

import (
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/bot"
	"layan/internal/kb"
)

// The portal's assistant: the customer asks in their words and language,
// the bot answers with the best article or FAQ item when it is confident
// ("Did this answer your question?"); "yes" ends the conversation as
// self-resolved, "no" or no confident answer offers a human, and the whole
// transcript becomes the request, so nobody asks the customer again. The
// conversation travels in the form (hidden inputs): no server-side state.

const maxTranscript = 40

type botLine struct {
	From  string // customer or bot
	Text  string
	Title string // the answer's title, when the bot answered
	URL   string
	// Sources are the passages a written (generative) answer cites, [1]...
	Sources []hcLink
}

type hcBotPage struct {
	*hcPage
	Token    string // the double-submit token of a visitor who is not signed in
	Name     string // a visitor's name and address for the hand-over
	Email    string
	TicketID int64 // a visitor's request after the hand-over
	Lines    []botLine
	Answer   *hcLink // the answer awaiting "did this help?"
	Answered bool
	Handover bool // offer a human
	Resolved bool
	Error    string
}

// transcriptFrom reads the conversation posted back by the form.
func transcriptFrom(r *http.Request) []botLine {
	var out []botLine
	for _, s := range r.PostForm["line"] {
		from, text, ok := strings.Cut(s, ":")
		if !ok || (from != "customer" && from != "bot") {
			continue
		}
		if rs := []rune(text); len(rs) > 2000 {
			text = string(rs[:2000])
		}
		out = append(out, botLine{From: from, Text: text})
	}
	if len(out) > maxTranscript {
		out = out[len(out)-maxTranscript:]
	}
	return out
}

// hcBot: GET /hc/{locale}/assistant.
func (p *Pages) hcBot(w http.ResponseWriter, r *http.Request) {
	v, hp, ok := p.hcView(w, r)
	if !ok {
		return
	}
	if p.d.Bot == nil {
		p.notFound(w, r)
		return
	}
	hp.Crumb = []hcLink{{Title: v.T("kb.help_center"), URL: "/hc/" + hp.L}}
	bp := &hcBotPage{hcPage: hp}
	if !v.SignedIn {
		bp.Token = hcFormToken(w, r)
	}
	v.Title, v.Data = v.T("kb.bot.title"), bp
	p.render(w, r, http.StatusOK, "kb_bot", v)
}

// hcFormCookie is the double-submit token of the assistant's form for
// visitors who are not signed in (signed-in users have the session's CSRF
// token); its path keeps it to the help centre.
const hcFormCookie = "layan_hc_form"

func hcFormToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(hcFormCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	tok := auth.NewSecret()
	http.SetCookie(w, &http.Cookie{Name: hcFormCookie, Value: tok, Path: "/hc", HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	return tok
}

func hcFormTokenOK(r *http.Request) bool {
	c, err := r.Cookie(hcFormCookie)
	if err != nil || len(c.Value) < 32 {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue("form_token"))) == 1
}

// hcBotPost: POST /hc/{locale}/assistant with action ask (q), yes (kind,
// id), no, or handover.
func (p *Pages) hcBotPost(w http.ResponseWriter, r *http.Request) {
	v, hp, ok := p.hcView(w, r)
	if !ok {
		return
	}
	if p.d.Bot == nil {
		p.notFound(w, r)
		return
	}
	if !v.SignedIn && !hcFormTokenOK(r) {
		p.errorPage(w, r, http.StatusForbidden, "error.csrf")
		return
	}
	ctx := r.Context()
	bp := &hcBotPage{hcPage: hp, Lines: transcriptFrom(r), Name: strings.TrimSpace(r.PostFormValue("name")),
		Email: strings.TrimSpace(r.PostFormValue("email"))}
	if !v.SignedIn {
		bp.Token = hcFormToken(w, r)
	}
	hp.Crumb = []hcLink{{Title: v.T("kb.help_center"), URL: "/hc/" + hp.L}}
	v.Title, v.Data = v.T("kb.bot.title"), bp
	status := http.StatusOK
	switch r.PostFormValue("action") {
	case "yes":
		id, _ := strconv.ParseInt(r.PostFormValue("id"), 10, 64)
		if err := p.d.Bot.Resolved(ctx, v.Actor, r.PostFormValue("kind"), id, firstQuestion(bp.Lines)); err != nil {
			p.fail(w, r, err)
			return
		}
		bp.Lines = append(bp.Lines, botLine{From: "customer", Text: v.T("kb.bot.yes")}, botLine{From: "bot", Text: v.T("kb.bot.glad")})
		bp.Resolved = true
	case "no":
		bp.Lines = append(bp.Lines, botLine{From: "customer", Text: v.T("kb.bot.no")}, botLine{From: "bot", Text: v.T("kb.bot.offer_human")})
		bp.Handover = true
	case "handover":
		lines := make([]bot.Line, len(bp.Lines))
		for i, l := range bp.Lines {
			lines[i] = bot.Line{From: l.From, Text: l.Text}
		}
		if len(lines) == 0 {
			bp.Error, status = v.T("kb.bot.question_invalid"), http.StatusUnprocessableEntity
			break
		}
		if len([]rune(bp.Name)) > 255 {
			bp.Name = string([]rune(bp.Name)[:255])
		}
		t, err := p.d.Bot.Handover(ctx, v.Actor, lines, bp.Name, bp.Email)
		if _, bad := apperr.AsValidation(err); bad {
			bp.Error, bp.Handover, status = v.T("kb.bot.email_required"), true, http.StatusUnprocessableEntity
			break
		}
		if err != nil {
			p.fail(w, r, err)
			return
		}
		if v.SignedIn {
			http.Redirect(w, r, "/portal/requests/"+itoa(t.ID)+"?done=created", http.StatusSeeOther)
			return
		}
		bp.TicketID, bp.Resolved = t.ID, true
		bp.Lines = append(bp.Lines, botLine{From: "bot", Text: v.T("kb.bot.handed_over", "id", t.ID, "email", bp.Email)})
	default:
		q := strings.TrimSpace(r.PostFormValue("q"))
		if q == "" || len([]rune(q)) > kb.MaxQuery {
			bp.Error, status = v.T("kb.bot.question_invalid"), http.StatusUnprocessableEntity
			break
		}
		bp.Lines = append(bp.Lines, botLine{From: "customer", Text: q})
		rep, err := p.d.Bot.Ask(ctx, v.Actor, q, hp.L)
		if err != nil {
			p.fail(w, r, err)
			return
		}
		if !rep.Answered {
			bp.Lines = append(bp.Lines, botLine{From: "bot", Text: v.T("kb.bot.no_answer")})
			bp.Handover = true
			break
		}
		links := hitLinks(hp.L, []kb.Hit{{Kind: rep.Answer.Kind, ID: rep.Answer.ID, Locale: rep.Answer.Locale,
			Title: rep.Answer.Title}})
		a := links[0]
		if rep.Generated != "" {
			var hits []kb.Hit
			for _, c := range rep.Sources {
				hits = append(hits, kb.Hit{Kind: c.Kind, ID: c.ID, Locale: c.Locale, Title: c.Title})
			}
			bp.Lines = append(bp.Lines, botLine{From: "bot", Text: rep.Generated, Sources: hitLinks(hp.L, hits)})
			bp.Answer, bp.Answered = &a, true
			break
		}
		text := rep.Answer.Body
		if rs := []rune(text); len(rs) > 600 {
			text = string(rs[:600]) + "…"
		}
		bp.Lines = append(bp.Lines, botLine{From: "bot", Text: text, Title: a.Title, URL: a.URL})
		bp.Answer, bp.Answered = &a, true
	}
	p.render(w, r, status, "kb_bot", v)
}

// Wire is the line as the form carries it back; an answer keeps its title.
func (l botLine) Wire() string {
	if l.Title != "" {
		return l.From + ":" + l.Title + " — " + l.Text
	}
	return l.From + ":" + l.Text
}

func firstQuestion(lines []botLine) string {
	for _, l := range lines {
		if l.From == "customer" {
			return l.Text
		}
	}
	return ""
}
