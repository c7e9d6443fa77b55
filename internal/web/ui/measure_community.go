package ui

import (
	"context"
	"time"

	"layan/internal/forum"
	"layan/internal/kpi"
)

// The community's figures on the dashboard, beside the help desk's: how
// many questions customers asked, how many got an answer and a solution, how
// fast, and how often a thread spared someone a ticket. They cover the whole
// community (the ticket filters do not apply to posts).

// communityKPIs are the figures, with whether more is better.
var communityKPIs = []struct {
	Name         string
	HigherBetter bool
	Value        func(forum.Metrics) *float64
}{
	{"community_questions", true, func(m forum.Metrics) *float64 { return num(float64(m.Questions)) }},
	{"community_answered_percent", true, func(m forum.Metrics) *float64 { return pctOf(m.Questions, m.AnsweredPct) }},
	{"community_solved_percent", true, func(m forum.Metrics) *float64 { return pctOf(m.Questions, m.SolvedPct) }},
	{"community_first_answer_hours", false, func(m forum.Metrics) *float64 { return hoursOf(m.MedianFirstAnswer) }},
	{"community_solution_hours", false, func(m forum.Metrics) *float64 { return hoursOf(m.MedianToSolution) }},
	{"community_views", true, func(m forum.Metrics) *float64 { return num(float64(m.Views)) }},
	{"community_deflections", true, func(m forum.Metrics) *float64 { return num(float64(m.Deflections)) }},
}

func num(v float64) *float64 { return &v }

// pctOf is the share, or nothing when no question was asked.
func pctOf(questions int, pct float64) *float64 {
	if questions == 0 {
		return nil
	}
	return num(pct)
}

func hoursOf(d time.Duration) *float64 {
	if d == 0 {
		return nil
	}
	return num(d.Hours())
}

// communityCards reads the community's figures for q and the period before
// it; nil when there is no community or the viewer may not read them.
func (p *Pages) communityCards(ctx context.Context, v *View, q, prev kpi.Query) ([]kpiCard, error) {
	if p.d.Forum == nil || !v.Staff {
		return nil, nil
	}
	cur, err := p.d.Forum.Metrics(ctx, v.Actor, q.From, q.To)
	if err != nil {
		return nil, err
	}
	before, err := p.d.Forum.Metrics(ctx, v.Actor, prev.From, prev.To)
	if err != nil {
		return nil, err
	}
	out := make([]kpiCard, 0, len(communityKPIs))
	for _, k := range communityKPIs {
		c, b := k.Value(cur), k.Value(before)
		d := judgedDelta(v.Locale, k.Name, k.HigherBetter, c, b)
		out = append(out, kpiCard{Name: k.Name, Label: v.T("measure.kpi." + k.Name), Value: kpi.Format(v.Locale, k.Name, c),
			Prev: kpi.Format(v.Locale, k.Name, b), Delta: d})
	}
	return out, nil
}
