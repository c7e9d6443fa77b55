package helpcenter

import (
	"net/http"

	"layan/internal/auth"
	"layan/internal/bot"
	"layan/internal/kb"
)

type candidateJSON struct {
	Kind       string  `json:"kind"`
	ID         int64   `json:"id"`
	Locale     string  `json:"locale"`
	Title      string  `json:"title"`
	Snippet    string  `json:"snippet"`
	HTMLURL    string  `json:"html_url"`
	Confidence float64 `json:"confidence"`
}

func toCandidate(r *http.Request, c bot.Candidate) candidateJSON {
	return candidateJSON{Kind: c.Kind, ID: c.ID, Locale: c.Locale, Title: c.Title, Snippet: c.Snippet,
		HTMLURL: baseURL(r) + kb.Path(c.Kind, c.ID, c.Locale), Confidence: c.Confidence}
}

// BotAsk: POST /api/layan/v1/bot/messages {"message": {"text", "locale"}}.
// The reply is an answer (the best article or FAQ item in the customer's
// language; with generative answers on, also a written answer citing its
// sources) or "handover": the client then offers a human.
func (api *API) BotAsk(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	in, err := decode[struct {
		Text   string `json:"text"`
		Locale string `json:"locale"`
	}](w, r, api.MaxBody, "message")
	if err != nil {
		return 0, nil, err
	}
	l := in.Locale
	if l == "" {
		l = locale(r, a)
	}
	rep, err := api.Bot.Ask(r.Context(), a, in.Text, l)
	if err != nil {
		return 0, nil, err
	}
	out := map[string]any{"answered": rep.Answered, "confidence": rep.Confidence}
	if rep.Answered {
		out["answer"] = toCandidate(r, rep.Answer)
		if rep.Generated != "" { // written from the passages it cites as [1], [2]...
			sources := make([]candidateJSON, len(rep.Sources))
			for i, c := range rep.Sources {
				sources[i] = toCandidate(r, c)
			}
			out["generated_answer"] = map[string]any{"text": rep.Generated, "sources": sources}
		}
	} else {
		out["handover"] = true
	}
	others := []candidateJSON{}
	for _, c := range rep.Others {
		others = append(others, toCandidate(r, c))
	}
	out["related"] = others
	return http.StatusOK, out, nil
}

// BotResolved: POST /api/layan/v1/bot/resolved {"resolution": {"kind", "id", "question"}}:
// the customer said the answer solved it.
func (api *API) BotResolved(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	in, err := decode[struct {
		Kind     string `json:"kind"`
		ID       int64  `json:"id"`
		Question string `json:"question"`
	}](w, r, api.MaxBody, "resolution")
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, api.Bot.Resolved(r.Context(), a, in.Kind, in.ID, in.Question)
}

// BotHandover: POST /api/layan/v1/bot/handover {"handover": {"transcript":
// [{"from", "text"}], "name", "email"}}: a ticket for a human with the
// whole conversation.
func (api *API) BotHandover(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	in, err := decode[struct {
		Transcript []struct {
			From string `json:"from"`
			Text string `json:"text"`
		} `json:"transcript"`
		Name  string `json:"name"`
		Email string `json:"email"`
	}](w, r, api.MaxBody, "handover")
	if err != nil {
		return 0, nil, err
	}
	lines := make([]bot.Line, len(in.Transcript))
	for i, l := range in.Transcript {
		lines[i] = bot.Line{From: l.From, Text: l.Text}
	}
	t, err := api.Bot.Handover(r.Context(), a, lines, in.Name, in.Email)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, map[string]any{"ticket_id": t.ID}, nil
}
