package bot

import (
	"context"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"layan/internal/kb"
)

// Generator writes an answer to a question from numbered passages, citing
// them as [1], [2]... It returns "" when the passages do not answer it.
// OpenAI (openai.go) is the one in use; tests pass a fake endpoint to it.
type Generator interface {
	Generate(ctx context.Context, question, locale string, passages []Candidate) (string, error)
}

// Generative answers, when a Generator is set: the bot asks it only when
// retrieval found something relevant (MinGenConfidence, below the direct
// answer's threshold: the model may still decline), with at most
// maxPassages articles or FAQ items, and keeps the answer only if it cites
// them. Community threads are customers' words, so they are never handed to
// the model (a post could carry instructions to it).
const (
	DefaultMinGenConfidence = 0.3
	maxPassages             = 3
	generateTimeout         = 20 * time.Second
)

var citation = regexp.MustCompile(`\[(\d{1,2})\]`)

// generate returns the grounded answer and the passages it cites, or ok
// false (no generator, nothing to ground it in, the model declined, did not
// cite, or failed — the bot then answers as it would without one).
func (b *Bot) generate(ctx context.Context, question, locale string, cs []Candidate) (text string, cited []Candidate, ok bool) {
	if b.Generator == nil || len(cs) == 0 || cs[0].Confidence < b.MinGenConfidence {
		return "", nil, false
	}
	var passages []Candidate
	for _, c := range cs {
		if c.Kind != kb.KindForum && len(passages) < maxPassages {
			passages = append(passages, c)
		}
	}
	if len(passages) == 0 {
		return "", nil, false
	}
	ctx, cancel := context.WithTimeout(ctx, generateTimeout)
	defer cancel()
	text, err := b.Generator.Generate(ctx, question, locale, passages)
	if err != nil {
		b.log().Warn("bot: generative answer failed; answering from search", "err", err)
		return "", nil, false
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return "", nil, false
	}
	var used []int
	for _, m := range citation.FindAllStringSubmatch(text, -1) {
		n, _ := strconv.Atoi(m[1])
		if n >= 1 && n <= len(passages) && !slices.Contains(used, n) {
			used = append(used, n)
		}
	}
	if len(used) == 0 {
		b.log().Info("bot: generative answer cites no passage; answering from search")
		return "", nil, false
	}
	// A citation of a passage that was not given is removed, not shown.
	text = citation.ReplaceAllStringFunc(text, func(m string) string {
		n, _ := strconv.Atoi(strings.Trim(m, "[]"))
		if n >= 1 && n <= len(passages) {
			return m
		}
		return ""
	})
	slices.Sort(used)
	for _, n := range used {
		cited = append(cited, passages[n-1])
	}
	return text, cited, true
}

func (b *Bot) log() *slog.Logger {
	if b.Log != nil {
		return b.Log
	}
	return slog.Default()
}
