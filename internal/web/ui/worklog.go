package ui

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/ticket"
)

// workPanel is the ticket page's "Time worked" card: the work logged on the
// ticket (in total and per agent), the timer of the current visit (counted
// by worklog.js while the page is visible) and a form for time worked
// elsewhere. Customers never see it: the ticket page is staff-only and the
// service refuses them anyway.
type workPanel struct {
	Loaded     bool // false when the totals could not be read: the panel says nothing wrong
	Total      string
	Agents     []workAgent
	Error      string // a refused manual entry, in the page's language
	MaxMinutes int
}

type workAgent struct {
	Name  string
	Total string
	Self  bool
}

// loadWorkPanel fills tp.Work. A failure to read the totals leaves the
// panel without them rather than failing the whole ticket page.
func (p *Pages) loadWorkPanel(ctx context.Context, v *View, tp *ticketPage) {
	tp.Work = workPanel{MaxMinutes: int(ticket.MaxWork / time.Minute)}
	tot, err := p.d.Tickets.WorkTotal(ctx, v.Actor, tp.T.ID)
	if err != nil {
		p.d.Log.Warn("ui: work totals", "ticket", tp.T.ID, "err", err)
		return
	}
	tp.Work.Loaded = true
	tp.Work.Total = workDuration(v, tot.Total)
	if len(tot.Agents) == 0 {
		return
	}
	ids := make([]int64, len(tot.Agents))
	for i, ag := range tot.Agents {
		ids[i] = ag.AgentID
	}
	names := map[int64]string{}
	if users, err := p.d.Dir.UsersByIDs(ctx, v.Actor, ids); err == nil {
		for _, u := range users {
			names[u.ID] = u.Name
		}
	}
	for _, ag := range tot.Agents {
		name := names[ag.AgentID]
		if name == "" {
			name = "#" + itoa(ag.AgentID)
		}
		tp.Work.Agents = append(tp.Work.Agents, workAgent{Name: name, Total: workDuration(v, ag.Total),
			Self: ag.AgentID == v.Actor.UserID})
	}
}

// workDuration writes a logged duration for people: seconds under a minute,
// then whole minutes, then hours and minutes (never rounded up).
func workDuration(v *View, d time.Duration) string {
	switch {
	case d < time.Minute:
		return v.T("worklog.duration.seconds", "s", int(d/time.Second))
	case d < time.Hour:
		return v.T("worklog.duration.minutes", "m", int(d/time.Minute))
	}
	return v.T("worklog.duration.hours", "h", int(d/time.Hour), "m", int(d%time.Hour/time.Minute))
}

// logVisit records the visit timer that the ticket form carries in
// work_seconds. It never refuses the reply it travels with: a value out of
// bounds (a tab left open overnight) or a failure is logged and dropped.
func (p *Pages) logVisit(r *http.Request, a auth.Actor, id int64) {
	s := strings.TrimSpace(r.PostFormValue("work_seconds"))
	if s == "" {
		return
	}
	secs, err := strconv.ParseInt(asciiDigits(s), 10, 64)
	if err != nil || secs < 1 {
		return // the page sends nothing under a second
	}
	if secs > int64(ticket.MaxWork/time.Second) {
		p.d.Log.Info("ui: visit timer over the bound, not logged", "ticket", id, "agent", a.UserID, "seconds", secs)
		return
	}
	if _, err := p.d.Tickets.LogWork(r.Context(), a, id, time.Duration(secs)*time.Second, ticket.WorkTimer); err != nil {
		p.d.Log.Warn("ui: visit timer not logged", "ticket", id, "agent", a.UserID, "err", err)
	}
}

// logTime: POST /agent/tickets/{id}/time (source=timer with seconds, or
// source=manual with minutes). Three callers:
//   - ?reply=none: the page's beacon when the agent leaves (navigator.sendBeacon,
//     with the CSRF token in its FormData); answers 204, or the error status.
//   - ?reply=panel: the "log time" form sent by script; answers the panel's
//     HTML, which the page swaps in (422 with the reason when refused).
//   - none: the same form without script; redirects back to the ticket.
func (p *Pages) logTime(w http.ResponseWriter, r *http.Request) {
	id, ok := p.ticketID(w, r)
	if !ok {
		return
	}
	a := currentActor(r)
	reply := r.URL.Query().Get("reply")
	source := r.PostFormValue("source")
	var d time.Duration
	var err error
	switch source {
	case ticket.WorkTimer:
		d, err = parseAmount(r.PostFormValue("seconds"), time.Second)
	case ticket.WorkManual:
		d, err = parseAmount(r.PostFormValue("minutes"), time.Minute)
	default:
		err = apperr.Invalid("source", "invalid", "must be timer or manual")
	}
	if err == nil {
		_, err = p.d.Tickets.LogWork(r.Context(), a, id, d, source)
	}
	status := http.StatusOK
	if err != nil {
		status, _ = errorKey(err)
	}
	switch {
	case reply == "none":
		if err != nil {
			http.Error(w, http.StatusText(status), status)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case err != nil && status != http.StatusUnprocessableEntity:
		p.fail(w, r, err)
	case reply == "panel":
		v := p.view(r)
		tp := &ticketPage{T: ticket.Ticket{ID: id}}
		p.loadWorkPanel(r.Context(), v, tp)
		if err != nil {
			tp.Work.Error = v.T("worklog.invalid", "min", 1, "max", tp.Work.MaxMinutes)
		}
		v.Data = tp
		p.renderTo(w, r, status, "ticket", "worklog-panel", v)
	case err != nil:
		v := p.view(r)
		v.Flash, v.FlashKind = v.T("worklog.invalid", "min", 1, "max", int(ticket.MaxWork/time.Minute)), "error"
		p.showTicket(w, r, v, status, id, draft{})
	default:
		http.Redirect(w, r, "/agent/tickets/"+itoa(id)+"?done=time", http.StatusSeeOther)
	}
}

// parseAmount reads a whole number of units (Persian or Arabic digits too).
func parseAmount(s string, unit time.Duration) (time.Duration, error) {
	n, err := strconv.ParseInt(asciiDigits(strings.TrimSpace(s)), 10, 64)
	if err != nil || n < 1 || n > int64(ticket.MaxWork/unit) {
		return 0, apperr.Invalid("seconds", "out_of_range", "must be between 1 second and 12 hours")
	}
	return time.Duration(n) * unit, nil
}
