package ui

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"layan/internal/apperr"
	"layan/internal/automation"
	"layan/internal/directory"
	"layan/internal/routing"
)

// Routing: the workspace's routing mode and the agents' availability
// (status, capacity, skills, languages, out-of-office dates).

type availRow struct {
	U        directory.User
	A        automation.Availability
	From, To string // dates for the inputs
	Skills   string
	Langs    string
}

type routingPage struct {
	Form     *formState
	Modes    []option
	Statuses []option
	Agents   []availRow
	Saved    int64 // the agent whose row was just saved
}

func (p *Pages) adminRouting(w http.ResponseWriter, r *http.Request) {
	v := p.adminView(r, "flow.routing")
	c, err := p.d.Flow.Routing(r.Context(), v.Actor)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	f := newForm()
	if c.Enabled {
		f.Values.Set("enabled", "1")
	}
	if c.ReassignAbsent {
		f.Values.Set("reassign_absent", "1")
	}
	f.Values.Set("mode", c.Mode)
	f.Values.Set("skill_tag_prefix", c.SkillTagPrefix)
	p.renderRouting(w, r, v, http.StatusOK, f)
}

func (p *Pages) renderRouting(w http.ResponseWriter, r *http.Request, v *View, status int, f *formState) {
	ctx := r.Context()
	avs, err := p.d.Flow.Availabilities(ctx, v.Actor)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	byUser := map[int64]automation.Availability{}
	for _, a := range avs {
		byUser[a.UserID] = a
	}
	staff, err := p.staffUsers(ctx, v.Actor)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	rp := &routingPage{Form: f, Modes: v.options("flow.mode.", []string{routing.RoundRobin, routing.LeastLoaded}),
		Statuses: v.options("flow.availability.", []string{routing.Online, routing.Away, routing.OutOfOffice, routing.Offline})}
	rp.Saved, _ = strconv.ParseInt(r.URL.Query().Get("agent"), 10, 64)
	for _, u := range staff {
		if u.Suspended {
			continue
		}
		a, ok := byUser[u.ID]
		if !ok {
			a = automation.Availability{UserID: u.ID, Status: routing.Offline}
		}
		row := availRow{U: u, A: a, Skills: strings.Join(a.Skills, " "), Langs: strings.Join(a.Languages, " ")}
		if !a.OOOFrom.IsZero() {
			row.From = a.OOOFrom.In(v.Loc).Format(time.DateOnly)
		}
		if !a.OOOUntil.IsZero() {
			row.To = a.OOOUntil.In(v.Loc).AddDate(0, 0, -1).Format(time.DateOnly) // stored: the day after
		}
		rp.Agents = append(rp.Agents, row)
	}
	v.Data = rp
	p.render(w, r, status, "admin_routing", v)
}

// saveRouting: POST /admin/routing.
func (p *Pages) saveRouting(w http.ResponseWriter, r *http.Request) {
	v := p.adminView(r, "flow.routing")
	f := formFrom(r, "enabled", "mode", "skill_tag_prefix", "reassign_absent")
	c := automation.RoutingConfig{Enabled: f.On("enabled"), Mode: f.V("mode"), SkillTagPrefix: f.V("skill_tag_prefix"),
		ReassignAbsent: f.On("reassign_absent")}
	if _, err := p.d.Flow.SaveRouting(r.Context(), v.Actor, c); err != nil {
		if !applyError(v, f, err, map[string][2]string{"mode": {"mode", "flow.mode"}}) {
			p.fail(w, r, err)
			return
		}
		f.Failed(v)
		p.renderRouting(w, r, v, http.StatusUnprocessableEntity, f)
		return
	}
	http.Redirect(w, r, "/admin/routing?done=saved", http.StatusSeeOther)
}

// saveAvailability: POST /admin/routing/agents/{id} (status, capacity,
// skills, languages, ooo_from, ooo_until as dates in the admin's zone).
func (p *Pages) saveAvailability(w http.ResponseWriter, r *http.Request) {
	id, ok := p.pathID(w, r, "id")
	if !ok {
		return
	}
	v := p.adminView(r, "flow.routing")
	bad := func(key string) {
		f := newForm()
		f.Error = v.T("error.invalid", "field", v.T(key))
		p.renderRouting(w, r, v, http.StatusUnprocessableEntity, f)
	}
	a := automation.Availability{UserID: id, Status: r.PostFormValue("status"),
		Skills: splitList(r.PostFormValue("skills")), Languages: splitList(r.PostFormValue("languages"))}
	if s := strings.TrimSpace(r.PostFormValue("capacity")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			bad("flow.capacity")
			return
		}
		a.Capacity = n
	}
	date := func(name string) (time.Time, bool) {
		s := strings.TrimSpace(r.PostFormValue(name))
		if s == "" {
			return time.Time{}, true
		}
		t, err := time.ParseInLocation(time.DateOnly, s, v.Loc)
		return t, err == nil
	}
	var okFrom, okTo bool
	a.OOOFrom, okFrom = date("ooo_from")
	a.OOOUntil, okTo = date("ooo_until")
	if !okFrom || !okTo {
		bad("flow.out_of_office")
		return
	}
	if !a.OOOUntil.IsZero() {
		a.OOOUntil = a.OOOUntil.AddDate(0, 0, 1) // the last day counts whole
	}
	if _, err := p.d.Flow.SetAvailability(r.Context(), v.Actor, a); err != nil {
		ve, isValidation := apperr.AsValidation(err)
		if !isValidation {
			p.fail(w, r, err)
			return
		}
		label := map[string]string{"status": "flow.availability", "capacity": "flow.capacity"}[ve.Field]
		if label == "" {
			label = "flow.out_of_office"
		}
		bad(label)
		return
	}
	http.Redirect(w, r, "/admin/routing?done=saved&agent="+itoa(id)+"#agent-"+itoa(id), http.StatusSeeOther)
}
