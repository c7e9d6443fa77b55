package chatapi

import (
	"net/http"

	"layan/internal/auth"
	"layan/internal/bot"
	"layan/internal/channel/chat"
	"layan/internal/kb"
	"layan/internal/web/httpx"
)

// The widget's assistant: before a visitor's first message becomes a chat,
// the widget asks the knowledge base's bot. A confident answer is shown with
// "did this answer your question?"; yes is a self-service resolution, no
// (or no answer) starts the chat with the same question, so the visitor never
// types it twice. Visitors are anonymous here: the bot sees public content
// only.

type botAnswerJSON struct {
	Kind    string `json:"kind"`
	ID      int64  `json:"id"`
	Locale  string `json:"locale"`
	Title   string `json:"title"`
	Snippet string `json:"snippet"`
	Path    string `json:"path"` // on this server: /hc/{locale}/articles/{id}, ...
}

func botAnswer(c bot.Candidate) botAnswerJSON {
	l := kb.NormalizeLocale(c.Locale)
	if l == "" {
		l = "en"
	}
	return botAnswerJSON{Kind: c.Kind, ID: c.ID, Locale: c.Locale, Title: c.Title, Snippet: c.Snippet, Path: kb.Path(c.Kind, c.ID, l)}
}

// visitorBot: POST /api/layan/v1/chat/visitor/bot?workspace= {"text", "locale"}.
func (a *API) visitorBot(w http.ResponseWriter, r *http.Request) {
	if !a.botReady(w, r) {
		return
	}
	var in struct {
		Text   string `json:"text"`
		Locale string `json:"locale"`
	}
	if err := httpx.DecodeJSON(w, r, 16<<10, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	rep, err := a.Bot.Ask(r.Context(), auth.Actor{Locale: in.Locale}, in.Text, kb.NormalizeLocale(in.Locale))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := map[string]any{"answered": rep.Answered}
	if rep.Answered {
		out["answer"] = botAnswer(rep.Answer)
		if rep.Generated != "" {
			sources := make([]botAnswerJSON, len(rep.Sources))
			for i, c := range rep.Sources {
				sources[i] = botAnswer(c)
			}
			out["generated_answer"] = map[string]any{"text": rep.Generated, "sources": sources}
		}
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

// visitorBotResolved: POST /api/layan/v1/chat/visitor/bot/resolved?workspace=
// {"kind", "id", "question"}: the answer solved it (a deflection for the KPIs).
func (a *API) visitorBotResolved(w http.ResponseWriter, r *http.Request) {
	if !a.botReady(w, r) {
		return
	}
	var in struct {
		Kind     string `json:"kind"`
		ID       int64  `json:"id"`
		Question string `json:"question"`
	}
	if err := httpx.DecodeJSON(w, r, 16<<10, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := a.Bot.Resolved(r.Context(), auth.Actor{}, in.Kind, in.ID, in.Question); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// botReady checks the workspace key and the visitor's IP budget (the chat's
// message limit: each question costs a search).
func (a *API) botReady(w http.ResponseWriter, r *http.Request) bool {
	if a.Bot == nil {
		http.NotFound(w, r)
		return false
	}
	if err := a.Chat.CheckWorkspace(r.Context(), r.URL.Query().Get("workspace")); err != nil {
		a.fail(w, r, err)
		return false
	}
	if !a.ipLimit.Allow("bot:" + clientIP(r)).Allowed {
		a.fail(w, r, &chat.CodeError{Code: chat.CodeRateLimited, Msg: "too many questions; wait a few seconds"})
		return false
	}
	return true
}
