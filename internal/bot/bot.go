// Package bot is the self-service chatbot of the portal (and, once the chat
// widget lands, of the widget): it answers a customer's question with the
// best knowledge-base article or FAQ item in their language, only when it is
// confident; otherwise, or when the customer says the answer did not help, it
// hands the conversation to a human — a ticket carrying the whole transcript,
// so the customer never repeats themselves. A "yes, that answered it" ends
// the conversation as self-resolved (a deflection event).
package bot

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/kb"
	"layan/internal/ticket"
)

// Candidate is a passage the bot may answer with.
type Candidate struct {
	Kind       string // article or faq
	ID         int64
	Locale     string
	Title      string
	Snippet    string
	Body       string
	Confidence float64
	Score      float64
}

// Retriever finds candidate answers; the knowledge base's search is the one
// in use (KBRetriever), tests may pass others.
type Retriever interface {
	Retrieve(ctx context.Context, a auth.Actor, question, locale string) ([]Candidate, error)
}

// KBRetriever retrieves through kb.Service.Search, so the bot sees exactly
// what the customer may read (never internal articles).
type KBRetriever struct{ KB *kb.Service }

// Retrieve implements Retriever.
func (r KBRetriever) Retrieve(ctx context.Context, a auth.Actor, question, locale string) ([]Candidate, error) {
	res, err := r.KB.Search(ctx, a, kb.SearchRequest{Query: question, Locale: locale, Limit: 3, Record: true, Source: "bot"})
	if err != nil {
		return nil, err
	}
	out := make([]Candidate, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = Candidate{Kind: h.Kind, ID: h.ID, Locale: h.Locale, Title: h.Title, Snippet: h.Snippet, Body: h.Body,
			Confidence: h.Confidence, Score: h.Score}
	}
	return out, nil
}

// Bot answers questions.
type Bot struct {
	Retriever Retriever
	Tickets   *ticket.Service
	KB        *kb.Service
	// MinConfidence is the share of the question's weight the best answer
	// must cover; MinMargin how far ahead of the runner-up it must be.
	// Tuned on the evaluation set so that a wrong answer stays rare: a
	// hand-over costs a human minute, a wrong answer costs trust.
	MinConfidence float64
	MinMargin     float64
	Now           func() time.Time
	// Generator, when set, writes answers grounded in the retrieved
	// passages (generate.go); nil: the bot answers with the best passage.
	Generator        Generator
	MinGenConfidence float64
	Log              *slog.Logger
}

// New builds a bot over the knowledge base.
func New(k *kb.Service, t *ticket.Service) *Bot {
	return &Bot{Retriever: KBRetriever{k}, KB: k, Tickets: t, MinConfidence: DefaultMinConfidence, MinMargin: DefaultMinMargin,
		MinGenConfidence: DefaultMinGenConfidence, Now: time.Now}
}

// Defaults found on the evaluation set (see eval_test.go).
const (
	DefaultMinConfidence = 0.6
	DefaultMinMargin     = 1.3
)

// Reply is the bot's answer to one message.
type Reply struct {
	Answered   bool      // false: hand over to a human
	Answer     Candidate // when answered
	Others     []Candidate
	Confidence float64
	// Generated is a written answer grounded in Sources (the passages it
	// cites; Answer is the first of them); empty without a Generator.
	Generated string
	Sources   []Candidate
}

// Ask answers a question, or says it should be handed over.
func (b *Bot) Ask(ctx context.Context, a auth.Actor, question, locale string) (Reply, error) {
	question = strings.TrimSpace(question)
	if question == "" {
		return Reply{}, apperr.Invalid("text", "required", "is required")
	}
	if len(question) > kb.MaxQuery {
		question = question[:kb.MaxQuery]
	}
	cs, err := b.Retriever.Retrieve(ctx, a, question, locale)
	if err != nil {
		return Reply{}, err
	}
	if len(cs) == 0 {
		return Reply{}, nil
	}
	top := cs[0]
	r := Reply{Confidence: top.Confidence, Others: cs[1:]}
	if text, cited, ok := b.generate(ctx, question, locale, cs); ok {
		r.Answered, r.Answer, r.Generated, r.Sources = true, cited[0], text, cited
		return r, nil
	}
	if top.Confidence < b.MinConfidence {
		return r, nil
	}
	if len(cs) > 1 && cs[1].Score > 0 && top.Score/cs[1].Score < b.MinMargin {
		return r, nil
	}
	r.Answered, r.Answer = true, top
	return r, nil
}

// Line is one message of a conversation.
type Line struct {
	From string // customer or bot
	Text string
}

// Resolved records that the bot's answer solved the customer's problem.
func (b *Bot) Resolved(ctx context.Context, a auth.Actor, kind string, id int64, question string) error {
	return b.KB.RecordDeflection(ctx, a, kb.Deflection{ArticleID: id, Kind: kind, How: "solved", Source: "bot", Query: question})
}

// Handover turns the conversation into a ticket for a human, with the
// transcript as its first message. A visitor who is not signed in gives a
// name and email address and becomes the requester.
func (b *Bot) Handover(ctx context.Context, a auth.Actor, transcript []Line, name, email string) (ticket.Ticket, error) {
	if len(transcript) == 0 {
		return ticket.Ticket{}, apperr.Invalid("transcript", "required", "is required")
	}
	if len(transcript) > 100 {
		transcript = transcript[len(transcript)-100:]
	}
	var body strings.Builder
	subject := ""
	for _, l := range transcript {
		who := "Customer"
		if l.From == "bot" {
			who = "Bot"
		} else if subject == "" {
			subject = l.Text
		}
		fmt.Fprintf(&body, "%s: %s\n\n", who, strings.TrimSpace(l.Text))
	}
	if subject == "" {
		subject = "Chat with the assistant"
	}
	if r := []rune(subject); len(r) > 120 {
		subject = string(r[:120]) + "…"
	}
	in := ticket.NewTicket{Subject: subject, Via: "chat", Tags: []string{"bot_handover"},
		Comment: ticket.NewComment{Body: body.String()}}
	actor := a
	if a.UserID == 0 {
		if strings.TrimSpace(email) == "" {
			return ticket.Ticket{}, apperr.Invalid("email", "required", "we need an address to answer you")
		}
		actor = auth.SystemActor()
		in.Requester = &ticket.Requester{Name: name, Email: email}
	}
	return b.Tickets.Create(ctx, actor, in)
}
