package ui

import (
	"context"

	"layan/internal/automation"
)

// slaRows adds the SLA badge of each listed ticket: one query for the page.
// Without a flow service, or on an error, lists show no badges.
func (p *Pages) slaRows(ctx context.Context, v *View, rows []inboxRow) {
	if p.d.Flow == nil || len(rows) == 0 {
		return
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.T.ID
	}
	states, err := p.d.Flow.SLAStates(ctx, v.Actor, ids)
	if err != nil {
		return
	}
	for i := range rows {
		s, ok := states[rows[i].T.ID]
		if !ok {
			continue
		}
		switch s.State {
		case automation.StateActive, automation.StateBreachSoon, automation.StateBreached:
			rows[i].SLA, rows[i].SLALabel = s.State, v.T("flow.sla_state."+s.State)
			rows[i].SLADue = v.When(s.NextDue)
		}
	}
}
