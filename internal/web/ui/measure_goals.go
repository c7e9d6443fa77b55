package ui

import (
	"errors"
	"html/template"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"layan/internal/apperr"
	"layan/internal/kpi"
	"layan/internal/web/svgchart"
)

// goalForm is the create form as posted, to show again after a mistake.
type goalForm struct {
	Name, KPI, Target, Start, Deadline, Owner string
	Errors                                    map[string]string
}

type goalsPage struct {
	Goals  []goalRow
	Admin  bool
	Form   goalForm
	KPIs   []option
	Owners []option
}

// goals: GET /agent/goals — every goal the viewer may see with its status;
// admins also get the form to set one.
func (p *Pages) goals(w http.ResponseWriter, r *http.Request) {
	v := p.goalsView(r)
	now := p.d.Now().UTC()
	p.renderGoals(w, r, v, http.StatusOK, goalForm{KPI: "csat_percent", Start: now.Format(time.DateOnly),
		Deadline: now.AddDate(0, 3, 0).Format(time.DateOnly)})
}

func (p *Pages) goalsView(r *http.Request) *View {
	v := p.view(r)
	v.Title, v.Nav = v.T("measure.goals"), "goals"
	switch r.URL.Query().Get("done") {
	case "created":
		v.Flash, v.FlashKind = v.T("measure.goal_created"), "ok"
	case "deleted":
		v.Flash, v.FlashKind = v.T("measure.goal_deleted"), "ok"
	}
	return v
}

func (p *Pages) renderGoals(w http.ResponseWriter, r *http.Request, v *View, status int, f goalForm) {
	rows, _, err := p.goalRows(r, v, 0)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	d := &goalsPage{Goals: rows, Admin: v.Actor.IsAdmin(), Form: f, KPIs: v.options("measure.kpi.", reportKPIs)}
	if d.Admin {
		d.Owners = append(d.Owners, option{"", v.T("measure.owner_everyone")})
		gs, err := p.d.Dir.ListGroups(r.Context(), v.Actor)
		if err != nil {
			p.fail(w, r, err)
			return
		}
		for _, g := range gs {
			d.Owners = append(d.Owners, option{"group:" + itoa(g.ID), v.T("measure.owner_group", "name", g.Name)})
		}
		us, err := p.agents(r.Context(), v.Actor)
		if err != nil {
			p.fail(w, r, err)
			return
		}
		for _, u := range us {
			d.Owners = append(d.Owners, option{"agent:" + itoa(u.ID), v.T("measure.owner_agent", "name", u.Name)})
		}
	}
	v.Data = d
	p.render(w, r, status, "measure_goals", v)
}

// createGoal: POST /agent/goals (name, kpi, target, start, deadline, owner).
// Admins only (the kpi service checks again).
func (p *Pages) createGoal(w http.ResponseWriter, r *http.Request) {
	v := p.goalsView(r)
	if !v.Actor.IsAdmin() {
		p.forbidden(w, r)
		return
	}
	f := goalForm{Name: r.PostFormValue("name"), KPI: r.PostFormValue("kpi"), Target: r.PostFormValue("target"),
		Start: r.PostFormValue("start"), Deadline: r.PostFormValue("deadline"), Owner: r.PostFormValue("owner"), Errors: map[string]string{}}
	g := kpi.Goal{Name: f.Name, KPI: f.KPI}
	var err error
	if g.Target, err = parseDecimal(f.Target); err != nil {
		f.Errors["target"] = v.T("measure.error.number")
	}
	if g.StartAt, err = time.Parse(time.DateOnly, strings.TrimSpace(f.Start)); err != nil {
		f.Errors["start"] = v.T("measure.error.date")
	}
	if g.Deadline, err = time.Parse(time.DateOnly, strings.TrimSpace(f.Deadline)); err != nil {
		f.Errors["deadline"] = v.T("measure.error.date")
	}
	kind, id, _ := strings.Cut(f.Owner, ":")
	n, _ := strconv.ParseInt(id, 10, 64)
	switch {
	case f.Owner == "":
	case kind == "group" && n > 0:
		g.OwnerGroupID = n
	case kind == "agent" && n > 0:
		g.OwnerAgentID = n
	default:
		f.Errors["owner"] = v.T("measure.error.owner")
	}
	if len(f.Errors) == 0 {
		g.Deadline = g.Deadline.AddDate(0, 0, 1) // the form's deadline is the last day, inclusive
		if _, err = p.d.KPI.CreateGoal(r.Context(), v.Actor, g); err == nil {
			http.Redirect(w, r, "/agent/goals?done=created", http.StatusSeeOther)
			return
		}
		ve, ok := apperr.AsValidation(err)
		if !ok {
			p.fail(w, r, err)
			return
		}
		switch ve.Field {
		case "name":
			f.Errors["name"] = v.T("measure.error.goal_name")
		case "kpi":
			f.Errors["kpi"] = v.T("measure.error.kpi")
		case "deadline":
			f.Errors["deadline"] = v.T("measure.error.deadline")
		default:
			f.Errors["owner"] = v.T("measure.error.owner")
		}
	}
	v.Flash, v.FlashKind = v.T("measure.error.form"), "error"
	p.renderGoals(w, r, v, http.StatusBadRequest, f)
}

// parseDecimal reads a number as people type it: Persian or Arabic digits,
// and a decimal comma or the Persian decimal separator.
func parseDecimal(s string) (float64, error) {
	var b strings.Builder
	for _, c := range strings.TrimSpace(s) {
		switch {
		case c >= '۰' && c <= '۹':
			c = '0' + (c - '۰')
		case c >= '٠' && c <= '٩':
			c = '0' + (c - '٠')
		case c == '٫' || c == ',':
			c = '.'
		case c == '−':
			c = '-'
		}
		b.WriteRune(c)
	}
	v, err := strconv.ParseFloat(b.String(), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > 1e9 {
		return 0, errors.New("not a number")
	}
	return v, nil
}

type goalPage struct {
	Row      goalRow
	Chart    template.HTML
	Legend   []legendItem
	Start    When
	Admin    bool
	Weeks    int
	Measured int
}

// goal: GET /agent/goals/{id} — the goal's weekly values so far, the trend
// projected to the deadline, the target and whether it is on track.
func (p *Pages) goal(w http.ResponseWriter, r *http.Request) {
	id, ok := p.pathID(w, r, "id")
	if !ok {
		return
	}
	v := p.view(r)
	v.Nav = "goals"
	pr, err := p.d.KPI.GoalProgress(r.Context(), v.Actor, id)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	owners, err := p.ownerNames(r, v)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	g := pr.Goal
	v.Title = g.Name
	d := &goalPage{Row: goalRowOf(v, pr, owners), Start: v.When(g.StartAt), Admin: v.Actor.IsAdmin(), Measured: len(pr.Points)}
	d.Chart, d.Weeks = goalChart(v, pr)
	d.Legend = legend(v.T("measure.goal_actual"), v.T("measure.goal_projection"))
	v.Data = d
	p.render(w, r, http.StatusOK, "measure_goal", v)
}

// goalChart draws the weekly values from the start, the projection from the
// latest value to the deadline's week (dashed) and the target line.
func goalChart(v *View, pr kpi.Progress) (template.HTML, int) {
	g := pr.Goal
	weeks, err := kpi.Buckets(g.StartAt, g.Deadline, "week")
	if err != nil || len(weeks) == 0 {
		weeks = [][2]time.Time{{g.StartAt, g.Deadline}}
	}
	n := len(weeks)
	labels := make([]string, n)
	for i, b := range weeks {
		labels[i] = shortDate(v.Locale, b[0], "week")
	}
	actual, proj := make([]*float64, n), make([]*float64, n)
	last := -1
	for i, pt := range pr.Points {
		if i < n && pt.Value != nil {
			actual[i], last = pt.Value, i
		}
	}
	if last >= 0 && pr.Projected != nil && last < n-1 {
		from, to := *actual[last], *pr.Projected
		for i := last; i < n; i++ {
			x := from + (to-from)*float64(i-last)/float64(n-1-last)
			proj[i] = &x
		}
	}
	target := g.Target
	return svgchart.Render(svgchart.Chart{ID: "chart-goal", Kind: svgchart.Line, Title: g.Name,
		Desc:   v.T("measure.chart.goal_desc", "kpi", v.T("measure.kpi."+g.KPI), "target", kpi.FormatValue(v.Locale, g.KPI, g.Target)),
		Labels: labels, Series: []svgchart.Series{{Name: v.T("measure.goal_actual"), Values: actual},
			{Name: v.T("measure.goal_projection"), Values: proj, Dashed: true}},
		Target: &target, TargetLabel: v.T("measure.goal_target_line", "target", kpi.FormatValue(v.Locale, g.KPI, g.Target)),
		Format: axisFormat(v.Locale, g.KPI), RTL: v.Dir == "rtl", Width: 1100, Height: 300}), n
}

// deleteGoal: POST /agent/goals/{id}/delete (confirm=1). Admins only.
func (p *Pages) deleteGoal(w http.ResponseWriter, r *http.Request) {
	id, ok := p.pathID(w, r, "id")
	if !ok {
		return
	}
	if r.PostFormValue("confirm") != "1" {
		http.Redirect(w, r, "/agent/goals/"+itoa(id), http.StatusSeeOther)
		return
	}
	if err := p.d.KPI.DeleteGoal(r.Context(), currentActor(r), id); err != nil {
		p.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/agent/goals?done=deleted", http.StatusSeeOther)
}
