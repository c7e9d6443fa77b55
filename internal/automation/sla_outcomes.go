package automation

import (
	"encoding/json"
	"time"

	"layan/internal/events"
)

// Events written when an SLA target's clock is decided, for the KPI "SLA
// attainment" (docs/kpis.md): field is the metric. A next-reply clock is
// decided once per customer message it measures; a reopened ticket's
// resolution clock once per resolution.
const (
	EventSLAAchieved = "sla.achieved"
	EventSLABreached = "sla.breached"
)

// slaOutcomes compares a ticket's stored clocks (JSON, "" when none) with the
// new ones: a clock that became achieved or breached makes an event, by the
// system actor (so triggers do not run on it). A breach is dated when the
// target passed; an achievement now (the refresh follows the reply or the
// resolution that stopped the clock).
func slaOutcomes(ticketID int64, stored string, cur []Clock, now time.Time) []events.Event {
	var before []Clock
	if stored != "" {
		_ = json.Unmarshal([]byte(stored), &before) // unreadable: as if none
	}
	was := map[string]string{}
	for _, c := range before {
		was[c.Metric] = c.State
	}
	var out []events.Event
	for _, c := range cur {
		if c.State == was[c.Metric] {
			continue
		}
		switch c.State {
		case StateAchieved:
			out = append(out, events.Event{TicketID: ticketID, Type: EventSLAAchieved, Field: c.Metric, CreatedAt: now})
		case StateBreached:
			at := c.BreachedAt
			if at.IsZero() || at.After(now) {
				at = now
			}
			out = append(out, events.Event{TicketID: ticketID, Type: EventSLABreached, Field: c.Metric, CreatedAt: at})
		}
	}
	return out
}
