package ui

import (
	"net/http"
	"strconv"
	"strings"

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
}

type hcBotPage struct {
	*hcPage
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
	v.Title, v.Data = v.T("kb.bot.title"), &hcBotPage{hcPage: hp}
	p.render(w, r, http.StatusOK, "kb_bot", v)
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
	ctx := r.Context()
	bp := &hcBotPage{hcPage: hp, Lines: transcriptFrom(r)}
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
		t, err := p.d.Bot.Handover(ctx, v.Actor, lines, "", "")
		if err != nil {
			p.fail(w, r, err)
			return
		}
		http.Redirect(w, r, "/portal/requests/"+itoa(t.ID)+"?done=created", http.StatusSeeOther)
		return
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
