package ui

import (
	"context"

	"layan/internal/automation"
)

// flowPanel is what the ticket page shows of the flow of work: the macros an
// agent can apply and the ticket's SLA clocks.
type flowPanel struct {
	Macros []automation.Macro
	SLA    automation.TicketSLA
	HasSLA bool
	Collab collabPanel // collab.go
}

// loadFlowPanel fills the panel; without a flow service, or on an error
// (the page still works without it), it stays empty.
func (p *Pages) loadFlowPanel(ctx context.Context, v *View, tp *ticketPage) {
	p.loadCollab(ctx, v, tp)
	if p.d.Flow == nil {
		return
	}
	if tp.CanEdit {
		if ms, err := p.d.Flow.Macros(ctx, v.Actor); err == nil {
			for _, m := range ms {
				if m.Active {
					tp.Flow.Macros = append(tp.Flow.Macros, m)
				}
			}
		}
	}
	if sla, err := p.d.Flow.SLAFor(ctx, v.Actor, tp.T.ID); err == nil && sla.PolicyID != 0 {
		tp.Flow.SLA, tp.Flow.HasSLA = sla, true
	}
}
