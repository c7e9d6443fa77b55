package bench

import (
	"context"
	"fmt"
	"time"

	"layan/internal/app"
	"layan/internal/auth"
	"layan/internal/automation"
)

// "layan bench api --triggers N": ticket creation with the flow of work
// running (as `layan serve` runs it), without triggers, with N active
// triggers, and without them again (the two runs without bracket the one
// with, so a database that grows during the bench does not count against
// the triggers). Each phase is timed twice: the API's creates alone, and
// until the flow reader has also processed every update (end to end).

// benchTriggers returns n triggers like a workspace's: most look for a word
// in the subject, a tag, a channel or a group on new tickets; a few match
// common subjects and tag the ticket (an update to write), a few others
// test only broad conditions and are evaluated on every ticket.
func benchTriggers(n int, groups []int64) []automation.Rule {
	cond := func(f, op string, v any) automation.Condition {
		return automation.Condition{Field: f, Operator: op, Value: v}
	}
	create := cond("update_type", "is", "Create")
	common := []string{"refund", "invoice", "paket", "pesanan", "سفارش", "password"}
	var out []automation.Rule
	for i := range n {
		r := automation.Rule{Kind: automation.KindTrigger, Title: fmt.Sprintf("bench trigger %d", i+1), Active: true, Position: i % 10,
			Actions: []automation.Action{{Field: "current_tags", Value: fmt.Sprintf("trg_%d", i+1)}}}
		switch {
		case i < len(common):
			r.Conditions.All = []automation.Condition{create, cond("subject_includes_word", "includes", common[i])}
		case i%10 == 9:
			// Broad: only unindexable conditions, evaluated for every ticket.
			r.Conditions.All = []automation.Condition{cond("status", "is_not", "closed"), cond("priority", "greater_than", "high"),
				cond("current_tags", "not_includes", fmt.Sprintf("seen_%d", i))}
		case i%4 == 0:
			r.Conditions.All = []automation.Condition{create, cond("subject_includes_word", "includes", fmt.Sprintf("kata%d", i))}
		case i%4 == 1:
			r.Conditions.All = []automation.Condition{create, cond("current_tags", "includes", fmt.Sprintf("segment_%d", i))}
		case i%4 == 2:
			r.Conditions.All = []automation.Condition{cond("via", "is", "web"), cond("language", "is", "fa")}
			r.Conditions.Any = []automation.Condition{cond("comment_includes_word", "includes", fmt.Sprintf("kode%d", i))}
		default:
			g := int64(1_000_000 + i)
			if len(groups) > 0 && i%40 == 3 {
				g = groups[i%len(groups)]
			}
			r.Conditions.All = []automation.Condition{create, cond("group_id", "is", fmt.Sprint(g)), cond("priority", "is", "urgent")}
			r.Actions = append(r.Actions, automation.Action{Field: "priority", Value: "high"})
		}
		out = append(out, r)
	}
	return out
}

// installTriggers saves the rules; removeTriggers deletes them.
func installTriggers(ctx context.Context, a *app.App, rules []automation.Rule) ([]int64, error) {
	var ids []int64
	for _, r := range rules {
		saved, err := a.Flow.SaveRule(ctx, auth.SystemActor(), r)
		if err != nil {
			return ids, err
		}
		ids = append(ids, saved.ID)
	}
	return ids, nil
}

func removeTriggers(ctx context.Context, a *app.App, ids []int64) error {
	for _, id := range ids {
		if err := a.Flow.Delete(ctx, auth.SystemActor(), automation.KindTrigger, id); err != nil {
			return err
		}
	}
	return nil
}

// waitFlow waits until the flow reader has processed every event written so
// far (its cursor reaches the newest event id) and returns how long it took.
func waitFlow(ctx context.Context, a *app.App, limit time.Duration) (time.Duration, error) {
	start := time.Now()
	for {
		var last, cursor int64
		if err := a.DB.R.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM events`).Scan(&last); err != nil {
			return 0, err
		}
		_ = a.DB.R.QueryRowContext(ctx, `SELECT last_event_id FROM flow_cursors WHERE name = 'automation'`).Scan(&cursor)
		if cursor >= last {
			return time.Since(start), nil
		}
		if time.Since(start) > limit {
			return 0, fmt.Errorf("the flow reader is at event %d of %d after %s", cursor, last, limit)
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// triggerPhase is one creation run of the comparison.
type triggerPhase struct {
	res      *result
	catchUp  time.Duration // after the last create, until the reader was done
	triggers int
	cpu      time.Duration // process CPU from the first create until the reader was done
	matched  int           // tickets a trigger fired on (each one more update to write)
}

// cpuPerTicket is the CPU one ticket cost end to end: the API's create and
// the reader's work on it. Unlike rates, it hardly moves when other programs
// load the machine.
func (p triggerPhase) cpuPerTicket() time.Duration {
	if p.res.count == 0 {
		return 0
	}
	return p.cpu / time.Duration(p.res.count)
}

// endToEnd is tickets created and processed per second.
func (p triggerPhase) endToEnd() float64 {
	d := p.res.elapsed + p.catchUp
	if d <= 0 {
		return 0
	}
	return float64(p.res.count) / d.Seconds()
}

// triggerSummary compares the phase with triggers to the mean of the two
// without.
func triggerSummary(ph []triggerPhase) string {
	if len(ph) != 3 {
		return ""
	}
	none := (ph[0].res.throughput() + ph[2].res.throughput()) / 2
	noneE2E := (ph[0].endToEnd() + ph[2].endToEnd()) / 2
	with, withE2E := ph[1].res.throughput(), ph[1].endToEnd()
	drop := func(a, b float64) float64 {
		if a <= 0 {
			return 0
		}
		return 100 * (a - b) / a
	}
	noneCPU := (ph[0].cpuPerTicket() + ph[2].cpuPerTicket()) / 2
	withCPU := ph[1].cpuPerTicket()
	return fmt.Sprintf("triggers: ticket creation through the API %.0f/s without triggers (mean of the runs before and after), "+
		"%.0f/s with %d active triggers: %.1f%% drop;\n  end to end (created and processed by the flow reader: triggers, routing, SLA) "+
		"%.0f/s without, %.0f/s with: %.1f%% drop;\n  CPU per ticket end to end %s without, %s with: %+.1f%%; "+
		"triggers fired on %d of the %d tickets (%.0f%%), each one more ticket update to write",
		none, with, ph[1].triggers, drop(none, with), noneE2E, withE2E, drop(noneE2E, withE2E),
		ms(noneCPU), ms(withCPU), -drop(float64(noneCPU), float64(withCPU)),
		ph[1].matched, ph[1].res.count, 100*float64(ph[1].matched)/float64(max(1, ph[1].res.count)))
}
