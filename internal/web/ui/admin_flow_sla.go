package ui

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"layan/internal/automation"
	"layan/internal/directory"
	"layan/internal/ticket"
)

// SLA policies (targets per metric and priority, in business or calendar
// hours, which statuses pause the clocks, escalation on breach) and the
// business-hours schedules with holidays that the clocks count in.

type policiesPage struct{ Policies []automation.Policy }

// adminPolicies: GET /admin/sla.
func (p *Pages) adminPolicies(w http.ResponseWriter, r *http.Request) {
	v := p.adminView(r, "flow.sla_policies")
	ps, err := p.d.Flow.Policies(r.Context(), v.Actor)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	v.Data = &policiesPage{Policies: ps}
	p.render(w, r, http.StatusOK, "admin_slas", v)
}

// targetCell is one input of the targets grid: a metric for a priority.
type targetCell struct {
	Name, Priority, Value string
}

type targetRow struct {
	Metric   string
	Business bool
	Cells    []targetCell
}

type policyPage struct {
	ID         int64
	Form       *formState
	Targets    []targetRow
	Priorities []string
	Statuses   []string
	Groups     []directory.Group
	Orgs       []directory.Organization
	Escalate   []actRow
	Hints      []option
}

func policyForm(pol automation.Policy) *formState {
	f := newForm()
	f.Values.Set("title", pol.Title)
	f.Values.Set("description", pol.Description)
	f.Values.Set("position", strconv.Itoa(pol.Position))
	f.Values.Set("tags", strings.Join(pol.Filter.Tags, " "))
	if pol.BreachSoonMinutes > 0 {
		f.Values.Set("breach_soon", strconv.Itoa(pol.BreachSoonMinutes))
	}
	f.Values["priorities"] = pol.Filter.Priorities
	f.Values["pause_on"] = pol.PauseOn
	for _, id := range pol.Filter.GroupIDs {
		f.Values.Add("group_ids", itoa(id))
	}
	for _, id := range pol.Filter.OrganizationIDs {
		f.Values.Add("organization_ids", itoa(id))
	}
	return f
}

func (p *Pages) renderPolicy(w http.ResponseWriter, r *http.Request, v *View, status int, pol automation.Policy, f *formState) {
	ctx := r.Context()
	pp := &policyPage{ID: pol.ID, Form: f, Priorities: ticket.Priorities, Statuses: []string{"pending", "hold"},
		Escalate: v.actRows(pol.EscalationActions), Hints: p.valueHints(r, v)}
	for _, m := range automation.Metrics {
		row := targetRow{Metric: m}
		for _, prio := range ticket.Priorities {
			cell := targetCell{Name: "target_" + m + "_" + prio, Priority: prio}
			for _, t := range pol.Targets {
				if t.Metric == m && t.Priority == prio {
					cell.Value = strconv.Itoa(t.Minutes)
					row.Business = row.Business || t.BusinessHours
				}
			}
			if x := f.Values.Get(cell.Name); x != "" {
				cell.Value = x // what was typed, when the form comes back
			}
			row.Cells = append(row.Cells, cell)
		}
		pp.Targets = append(pp.Targets, row)
	}
	var err error
	if pp.Groups, err = p.d.Dir.ListGroups(ctx, v.Actor); err != nil {
		p.fail(w, r, err)
		return
	}
	if pp.Orgs, err = p.allOrganizations(ctx, v.Actor); err != nil {
		p.fail(w, r, err)
		return
	}
	if pol.ID != 0 {
		v.Title = pol.Title
	}
	v.Data = pp
	p.render(w, r, status, "admin_sla", v)
}

// newPolicyForm: GET /admin/sla/new.
func (p *Pages) newPolicyForm(w http.ResponseWriter, r *http.Request) {
	v := p.adminView(r, "flow.sla_policies")
	pol := automation.Policy{PauseOn: []string{"pending", "hold"}}
	p.renderPolicy(w, r, v, http.StatusOK, pol, policyForm(pol))
}

// adminPolicy: GET /admin/sla/{id}.
func (p *Pages) adminPolicy(w http.ResponseWriter, r *http.Request) {
	id, ok := p.pathID(w, r, "id")
	if !ok {
		return
	}
	v := p.adminView(r, "flow.sla_policies")
	pol, err := p.d.Flow.Policy(r.Context(), v.Actor, id)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	p.renderPolicy(w, r, v, http.StatusOK, pol, policyForm(pol))
}

var policyFields = map[string][2]string{
	"title": {"title", "flow.rule_title"}, "policy_metrics": {"targets", "flow.targets"},
	"pause_on": {"pause_on", "flow.pause_on"}, "escalation_actions": {"actions", "flow.escalation"},
}

// savePolicy: POST /admin/sla and /admin/sla/{id}.
func (p *Pages) savePolicy(w http.ResponseWriter, r *http.Request) {
	v := p.adminView(r, "flow.sla_policies")
	var id int64
	if r.PathValue("id") != "" {
		var ok bool
		if id, ok = p.pathID(w, r, "id"); !ok {
			return
		}
	}
	names := []string{"title", "description", "position", "tags", "breach_soon", "priorities", "pause_on", "group_ids", "organization_ids"}
	for _, m := range automation.Metrics {
		names = append(names, "business_"+m)
		for _, prio := range ticket.Priorities {
			names = append(names, "target_"+m+"_"+prio)
		}
	}
	f := formFrom(r, names...)
	pol := automation.Policy{ID: id, Title: f.V("title"), Description: f.V("description"),
		Filter: automation.PolicyFilter{Tags: splitList(f.V("tags")), GroupIDs: ids(f.Values["group_ids"]),
			OrganizationIDs: ids(f.Values["organization_ids"])},
		EscalationActions: actionsFrom(r)}
	for _, prio := range f.Values["priorities"] {
		if slices.Contains(ticket.Priorities, prio) {
			pol.Filter.Priorities = append(pol.Filter.Priorities, prio)
		}
	}
	pol.PauseOn = f.Values["pause_on"]
	if pol.PauseOn == nil {
		pol.PauseOn = []string{} // none ticked: the clocks never pause
	}
	number := func(name, label string) int {
		s := f.V(name)
		if s == "" {
			return 0
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 1000000 {
			f.Set(name, v.T("error.invalid", "field", label))
		}
		return n
	}
	pol.Position = number("position", v.T("flow.position"))
	pol.BreachSoonMinutes = number("breach_soon", v.T("flow.breach_soon"))
	for _, m := range automation.Metrics {
		business := f.On("business_" + m)
		for _, prio := range ticket.Priorities {
			name := "target_" + m + "_" + prio
			if n := number(name, v.T("flow.metric."+m)+" · "+v.T("priority."+prio)); n > 0 {
				pol.Targets = append(pol.Targets, automation.Target{Priority: prio, Metric: m, Minutes: n, BusinessHours: business})
			}
		}
	}
	if !f.Failed(v) {
		saved, err := p.d.Flow.SavePolicy(r.Context(), v.Actor, pol)
		if err == nil {
			http.Redirect(w, r, "/admin/sla/"+itoa(saved.ID)+"?done=saved", http.StatusSeeOther)
			return
		}
		if !applyError(v, f, err, policyFields) {
			p.fail(w, r, err)
			return
		}
		f.Failed(v)
	}
	p.renderPolicy(w, r, v, http.StatusUnprocessableEntity, pol, f)
}

// ---- business hours

type schedulesPage struct {
	Schedules []automation.ScheduleDoc
}

// adminSchedules: GET /admin/schedules.
func (p *Pages) adminSchedules(w http.ResponseWriter, r *http.Request) {
	v := p.adminView(r, "flow.schedules")
	ss, err := p.d.Flow.Schedules(r.Context(), v.Actor)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	v.Data = &schedulesPage{Schedules: ss}
	p.render(w, r, http.StatusOK, "admin_schedules", v)
}

// dayKeys name the days from Sunday, as Zendesk's intervals count them.
var dayKeys = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

type dayRow struct {
	Key, Start, End string
	Open            bool
}

type schedulePage struct {
	ID     int64
	Form   *formState
	Days   []dayRow
	Groups []directory.Group
	Zones  []string
}

// zoneChoices are suggested time zones (any IANA name is accepted).
var zoneChoices = []string{"Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura", "Asia/Tehran", "Asia/Singapore",
	"Asia/Dubai", "Europe/London", "Europe/Berlin", "America/New_York", "UTC"}

func hhmm(min int) string { return fmt.Sprintf("%02d:%02d", min/60, min%60) }

func parseHHMM(s string) (int, bool) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hn, err1 := strconv.Atoi(h)
	mn, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hn < 0 || hn > 24 || mn < 0 || mn > 59 || hn*60+mn > 1440 {
		return 0, false
	}
	return hn*60 + mn, true
}

func scheduleForm(d automation.ScheduleDoc) *formState {
	f := newForm()
	f.Values.Set("name", d.Name)
	f.Values.Set("time_zone", d.TimeZone)
	var lines []string
	for _, h := range d.Holidays {
		span := h.StartDate
		if h.EndDate != "" && h.EndDate != h.StartDate {
			span += ".." + h.EndDate
		}
		lines = append(lines, strings.TrimSpace(span+" "+h.Name))
	}
	f.Values.Set("holidays", strings.Join(lines, "\n"))
	for _, id := range d.GroupIDs {
		f.Values.Add("group_ids", itoa(id))
	}
	for day, key := range dayKeys {
		for _, iv := range d.Intervals {
			if iv.StartTime/1440 == day {
				f.Values.Set("open_"+key, "1")
				f.Values.Set("start_"+key, hhmm(iv.StartTime-day*1440))
				f.Values.Set("end_"+key, hhmm(min(iv.EndTime-day*1440, 1440)))
				break
			}
		}
	}
	return f
}

func (p *Pages) renderSchedule(w http.ResponseWriter, r *http.Request, v *View, status int, d automation.ScheduleDoc, f *formState) {
	sp := &schedulePage{ID: d.ID, Form: f, Zones: zoneChoices}
	for _, key := range dayKeys {
		row := dayRow{Key: key, Open: f.On("open_" + key), Start: f.V("start_" + key), End: f.V("end_" + key)}
		if row.Start == "" {
			row.Start, row.End = "09:00", "17:00"
		}
		sp.Days = append(sp.Days, row)
	}
	var err error
	if sp.Groups, err = p.d.Dir.ListGroups(r.Context(), v.Actor); err != nil {
		p.fail(w, r, err)
		return
	}
	if d.ID != 0 {
		v.Title = d.Name
	}
	v.Data = sp
	p.render(w, r, status, "admin_schedule", v)
}

// newScheduleForm: GET /admin/schedules/new (Monday to Friday, 9 to 5).
func (p *Pages) newScheduleForm(w http.ResponseWriter, r *http.Request) {
	v := p.adminView(r, "flow.schedules")
	d := automation.ScheduleDoc{TimeZone: "Asia/Jakarta"}
	for day := 1; day <= 5; day++ {
		d.Intervals = append(d.Intervals, automation.WeekInterval{StartTime: day*1440 + 9*60, EndTime: day*1440 + 17*60})
	}
	p.renderSchedule(w, r, v, http.StatusOK, d, scheduleForm(d))
}

// adminSchedule: GET /admin/schedules/{id}.
func (p *Pages) adminSchedule(w http.ResponseWriter, r *http.Request) {
	id, ok := p.pathID(w, r, "id")
	if !ok {
		return
	}
	v := p.adminView(r, "flow.schedules")
	ss, err := p.d.Flow.Schedules(r.Context(), v.Actor)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	for _, d := range ss {
		if d.ID == id {
			p.renderSchedule(w, r, v, http.StatusOK, d, scheduleForm(d))
			return
		}
	}
	p.notFound(w, r)
}

var scheduleFields = map[string][2]string{
	"name": {"name", "common.name"}, "time_zone": {"time_zone", "common.time_zone"},
	"intervals": {"hours", "flow.hours"}, "holidays": {"holidays", "flow.holidays"},
}

// saveSchedule: POST /admin/schedules and /admin/schedules/{id}.
func (p *Pages) saveSchedule(w http.ResponseWriter, r *http.Request) {
	v := p.adminView(r, "flow.schedules")
	var id int64
	if r.PathValue("id") != "" {
		var ok bool
		if id, ok = p.pathID(w, r, "id"); !ok {
			return
		}
	}
	names := []string{"name", "time_zone", "holidays", "group_ids"}
	for _, key := range dayKeys {
		names = append(names, "open_"+key, "start_"+key, "end_"+key)
	}
	f := formFrom(r, names...)
	d := automation.ScheduleDoc{ID: id, Name: f.V("name"), TimeZone: f.V("time_zone"), GroupIDs: ids(f.Values["group_ids"])}
	for day, key := range dayKeys {
		if !f.On("open_" + key) {
			continue
		}
		from, ok1 := parseHHMM(f.V("start_" + key))
		to, ok2 := parseHHMM(f.V("end_" + key))
		if !ok1 || !ok2 || to <= from {
			f.Set("hours", v.T("flow.bad_hours", "day", v.T("flow.day."+key)))
			continue
		}
		d.Intervals = append(d.Intervals, automation.WeekInterval{StartTime: day*1440 + from, EndTime: day*1440 + to})
	}
	for _, line := range strings.Split(f.Values.Get("holidays"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		span, name, _ := strings.Cut(line, " ")
		from, to, _ := strings.Cut(span, "..")
		d.Holidays = append(d.Holidays, automation.Holiday{Name: strings.TrimSpace(name), StartDate: from, EndDate: to})
	}
	if !f.Failed(v) {
		saved, err := p.d.Flow.SaveSchedule(r.Context(), v.Actor, d)
		if err == nil {
			http.Redirect(w, r, "/admin/schedules/"+itoa(saved.ID)+"?done=saved", http.StatusSeeOther)
			return
		}
		if !applyError(v, f, err, scheduleFields) {
			p.fail(w, r, err)
			return
		}
		f.Failed(v)
	}
	p.renderSchedule(w, r, v, http.StatusUnprocessableEntity, d, f)
}
