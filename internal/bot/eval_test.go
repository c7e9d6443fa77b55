package bot_test

import (
	"context"
	"fmt"
	"testing"

	"layan/internal/auth"
	"layan/internal/bot"
	"layan/internal/db"
	"layan/internal/kb"
	"layan/internal/kb/evalset"
	"layan/internal/testkit"
)

// TestBotEvaluation asks the bot every question of the evaluation set as an
// anonymous visitor and counts answers (right and wrong) and hand-overs per
// language. A wrong answer is one that is not the expected article in the
// customer's language, or any answer to a question nothing answers. The
// wrong-answer rate must stay at or under 5% in every language.
func TestBotEvaluation(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := testkit.NewWorld(t, d)
		k := kb.NewService(d, w.Bus, w.Clock.Now, testkit.QuietLogger())
		ctx := context.Background()
		ids, err := evalset.Seed(ctx, k, w.Agent)
		if err != nil {
			t.Fatal(err)
		}
		b := bot.New(k, w.Tickets)
		type cand struct {
			lang, key string
			cs        []bot.Candidate
		}
		var all []cand
		for _, q := range evalset.Questions() {
			cs, err := b.Retriever.Retrieve(ctx, auth.Actor{}, q.Text, q.Lang)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, cand{q.Lang, q.Key, cs})
		}
		type rates struct{ n, answered, right, wrong int }
		evaluate := func(minConf, minMargin float64) map[string]*rates {
			per := map[string]*rates{}
			for _, c := range all {
				r := per[c.lang]
				if r == nil {
					r = &rates{}
					per[c.lang] = r
				}
				r.n++
				b.Retriever = fixed(c.cs)
				b.MinConfidence, b.MinMargin = minConf, minMargin
				rep, err := b.Ask(ctx, auth.Actor{}, "q", c.lang)
				if err != nil {
					t.Fatal(err)
				}
				if !rep.Answered {
					continue
				}
				r.answered++
				if c.key != evalset.None && rep.Answer.Kind == "article" && rep.Answer.ID == ids[evalset.ID(c.key, c.lang)] {
					r.right++
				} else {
					r.wrong++
				}
			}
			return per
		}
		if testing.Verbose() {
			for _, mc := range []float64{0.6, 0.7, 0.8, 0.9} {
				for _, mm := range []float64{1.0, 1.15, 1.3} {
					per := evaluate(mc, mm)
					line := fmt.Sprintf("  confidence ≥ %.2f, margin ≥ %.2f:", mc, mm)
					for _, l := range []string{"en", "id", "fa"} {
						r := per[l]
						line += fmt.Sprintf("  %s answered %.2f wrong %.3f", l, float64(r.answered)/float64(r.n), float64(r.wrong)/float64(r.n))
					}
					t.Log(line)
				}
			}
		}
		per := evaluate(bot.DefaultMinConfidence, bot.DefaultMinMargin)
		t.Logf("bot on %d questions (%s), confidence ≥ %.2f, margin ≥ %.2f:", len(all), d.Dialect, bot.DefaultMinConfidence, bot.DefaultMinMargin)
		for _, l := range []string{"en", "id", "fa"} {
			r := per[l]
			wrong := float64(r.wrong) / float64(r.n)
			t.Logf("  %s: %d questions  answered %.3f (right %.3f, wrong %.3f)  handed over %.3f", l, r.n,
				float64(r.answered)/float64(r.n), float64(r.right)/float64(r.n), wrong, float64(r.n-r.answered)/float64(r.n))
			if wrong > 0.05 {
				t.Errorf("%s: wrong-answer rate %.3f is above 0.05", l, wrong)
			}
		}
	})
}

type fixed []bot.Candidate

func (f fixed) Retrieve(context.Context, auth.Actor, string, string) ([]bot.Candidate, error) {
	return f, nil
}
