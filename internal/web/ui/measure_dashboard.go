package ui

import (
	"errors"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"layan/internal/i18n"
	"layan/internal/kpi"
	"layan/internal/web/svgchart"
)

// headline are the dashboard's KPIs, in the order a manager reads them:
// volume, speed, service levels, quality, customers' voice, self-service.
var headline = []string{"created", "resolved", "backlog", "first_response_avg_hours", "resolution_avg_hours",
	"handling_avg_minutes", "sla_attainment_percent", "chat_asa_seconds", "chat_abandon_percent",
	"fcr_percent", "reopened", "escalation_percent", "csat_percent", "nps", "ces_average", "deflection_percent"}

// kpiCard is one KPI of a period next to the previous period's.
type kpiCard struct {
	Name, Label string
	Value, Prev string
	Delta       delta
}

func card(v *View, name string, cur, prev kpi.Result) kpiCard {
	c, pv := kpi.Value(cur, name), kpi.Value(prev, name)
	return kpiCard{Name: name, Label: v.T("measure.kpi." + name), Value: kpi.Format(v.Locale, name, c),
		Prev: kpi.Format(v.Locale, name, pv), Delta: kpiDelta(v.Locale, name, c, pv)}
}

// pairView is two KPIs that must move together, side by side.
type pairView struct {
	A, B    kpiCard
	Warning string // one improved while the other worsened
}

// goalRow is a goal's line in a list.
type goalRow struct {
	ID                               int64
	Name, KPI                        string
	Target, Current, Projected       string
	Deadline                         string
	Status, StatusLabel, StatusClass string
	Owner                            string
}

type dashboardPage struct {
	F          *filterBar
	Period     string
	PrevPeriod string
	Cards      []kpiCard
	Pairs      []pairView
	Volume     template.HTML
	Channels   template.HTML
	Legend     []legendItem
	ChLegend   []legendItem
	Goals      []goalRow
	MoreGoals  bool
	Community  []kpiCard // the community forum's figures (measure_community.go)
	OwnOnly    bool      // an agent: the figures are their own
	ReportLink string
}

type legendItem struct{ Color, Label string }

func legend(labels ...string) []legendItem {
	cs := svgchart.Colors(len(labels))
	out := make([]legendItem, len(labels))
	for i, l := range labels {
		out[i] = legendItem{cs[i], l}
	}
	return out
}

// dashboard: GET /agent/dashboard?from&to&<filters> — headline KPIs against
// the previous period, the paired KPIs with their warnings, the volume and
// channel charts, and the goals.
func (p *Pages) dashboard(w http.ResponseWriter, r *http.Request) {
	v := p.view(r)
	v.Title, v.Nav = v.T("measure.dashboard"), "dashboard"
	m, perr := parseMeasure(r, p.d.Now().UTC(), "")
	fb, err := p.filterOptions(r.Context(), v, m, "/agent/dashboard")
	if err != nil {
		p.fail(w, r, err)
		return
	}
	d := &dashboardPage{F: fb, OwnOnly: !v.Actor.IsAdmin()}
	v.Data = d
	if perr != nil {
		fb.Error = measureError(v, perr)
		p.render(w, r, http.StatusBadRequest, "measure_dashboard", v)
		return
	}
	ctx, a := r.Context(), v.Actor
	prevQ := kpi.Previous(m.Query)
	// The period, the previous one and the series are one read of the KPI
	// rollups (they share its queries); the goals and the community cards
	// are read side by side with it.
	var cur, prev kpi.Result
	var series []kpi.Result
	var errs [3]error
	var wg sync.WaitGroup
	wg.Go(func() { cur, prev, series, errs[0] = p.d.KPI.Page(ctx, a, m.Query, m.By) })
	wg.Go(func() { d.Goals, d.MoreGoals, errs[1] = p.goalRows(r, v, 5) })
	wg.Go(func() { d.Community, errs[2] = p.communityCards(ctx, v, m.Query, prevQ) })
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			p.measureFail(w, r, v, "measure_dashboard", err)
			return
		}
	}
	d.Period, d.PrevPeriod = periodText(v.Locale, m.From, m.To), periodText(v.Locale, prevQ.From, prevQ.To)
	d.ReportLink = "/agent/reports?" + m.encode("kpi", "created")
	for _, name := range headline {
		d.Cards = append(d.Cards, card(v, name, cur, prev))
	}
	d.Pairs = pairs(v, cur, prev)

	// Volume: tickets created and resolved per bucket.
	labels := make([]string, len(series))
	created, resolved := make([]*float64, len(series)), make([]*float64, len(series))
	for i, s := range series {
		labels[i] = shortDate(v.Locale, s.From, m.By)
		created[i], resolved[i] = kpi.Value(s, "created"), kpi.Value(s, "resolved")
	}
	d.Volume = svgchart.Render(svgchart.Chart{ID: "chart-volume", Kind: svgchart.Line, Title: v.T("measure.chart.volume"),
		Desc: v.T("measure.chart.volume_desc", "per", v.T("measure.per."+m.By), "period", d.Period), Labels: labels,
		Series: []svgchart.Series{{Name: v.T("measure.kpi.created"), Values: created}, {Name: v.T("measure.kpi.resolved"), Values: resolved}},
		Format: axisFormat(v.Locale, "created"), RTL: v.Dir == "rtl", Width: 560, Height: 240})
	d.Legend = legend(v.T("measure.kpi.created"), v.T("measure.kpi.resolved"))

	// Channels: tickets created per channel, this period and the previous one.
	var chans []string
	for c := range cur.VolumeByChannel {
		chans = append(chans, c)
	}
	for c := range prev.VolumeByChannel {
		if !slices.Contains(chans, c) {
			chans = append(chans, c)
		}
	}
	slices.Sort(chans)
	chLabels := make([]string, len(chans))
	now, before := make([]*float64, len(chans)), make([]*float64, len(chans))
	for i, c := range chans {
		chLabels[i] = v.T(channelKey(c))
		n, b := float64(cur.VolumeByChannel[c]), float64(prev.VolumeByChannel[c])
		now[i], before[i] = &n, &b
	}
	d.Channels = svgchart.Render(svgchart.Chart{ID: "chart-channels", Kind: svgchart.Bar, Title: v.T("measure.chart.channels"),
		Desc: v.T("measure.chart.channels_desc"), Labels: chLabels,
		Series: []svgchart.Series{{Name: v.T("measure.this_period"), Values: now}, {Name: v.T("measure.previous_period"), Values: before, Dashed: true}},
		Format: axisFormat(v.Locale, "created"), RTL: v.Dir == "rtl", Width: 560, Height: 240})
	d.ChLegend = legend(v.T("measure.this_period"), v.T("measure.previous_period"))

	p.render(w, r, http.StatusOK, "measure_dashboard", v)
}

// measureFail shows a bad filter (an unknown group for an agent, a period
// the engine refuses) as a 400 on the page, anything else as an error page.
func (p *Pages) measureFail(w http.ResponseWriter, r *http.Request, v *View, page string, err error) {
	status, _ := errorKey(err)
	if status == http.StatusUnprocessableEntity {
		if fb := filterOf(v.Data); fb != nil {
			fb.Error = measureError(v, err)
			p.render(w, r, http.StatusBadRequest, page, v)
			return
		}
	}
	if status == http.StatusForbidden {
		p.errorPage(w, r, status, "measure.error.forbidden")
		return
	}
	p.fail(w, r, err)
}

func filterOf(data any) *filterBar {
	switch d := data.(type) {
	case *dashboardPage:
		return d.F
	case *reportPage:
		return d.F
	}
	return nil
}

// pairs puts the KPIs that must move together side by side, with a warning
// where one improved while its partner worsened (kpi.PairWarnings).
func pairs(v *View, cur, prev kpi.Result) []pairView {
	warns := kpi.PairWarnings(cur, prev)
	var out []pairView
	for _, pr := range kpi.Pairs {
		pv := pairView{A: card(v, pr[0], cur, prev), B: card(v, pr[1], cur, prev)}
		for _, w := range warns {
			if (w.Improved == pr[0] && w.Worsened == pr[1]) || (w.Improved == pr[1] && w.Worsened == pr[0]) {
				pv.Warning = v.T("measure.pair_warning", "improved", v.T("measure.kpi."+w.Improved), "worsened", v.T("measure.kpi."+w.Worsened))
			}
		}
		out = append(out, pv)
	}
	return out
}

// goalRows lists up to limit goals the viewer may see, with their progress.
func (p *Pages) goalRows(r *http.Request, v *View, limit int) ([]goalRow, bool, error) {
	ctx, a := r.Context(), v.Actor
	gs, err := p.d.KPI.Goals(ctx, a)
	if err != nil {
		return nil, false, err
	}
	more := false
	if limit > 0 && len(gs) > limit {
		gs, more = gs[:limit], true
	}
	owners, err := p.ownerNames(r, v)
	if err != nil {
		return nil, false, err
	}
	// Each goal's progress replays the log on its own: a few at a time.
	out := make([]goalRow, len(gs))
	errs := make([]error, len(gs))
	sem := make(chan struct{}, 3)
	var wg sync.WaitGroup
	for i, g := range gs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			pr, err := p.d.KPI.GoalProgress(ctx, a, g.ID)
			if err != nil {
				errs[i] = err
				return
			}
			out[i] = goalRowOf(v, pr, owners)
		})
	}
	wg.Wait()
	return out, more, errors.Join(errs...)
}

func goalRowOf(v *View, pr kpi.Progress, owners map[string]string) goalRow {
	g := pr.Goal
	row := goalRow{ID: g.ID, Name: g.Name, KPI: v.T("measure.kpi." + g.KPI), Target: kpi.FormatValue(v.Locale, g.KPI, g.Target),
		Current: kpi.Format(v.Locale, g.KPI, pr.Current), Projected: kpi.Format(v.Locale, g.KPI, pr.Projected),
		Deadline: lastDay(v.Locale, g.Deadline), Status: pr.Status, StatusLabel: v.T("measure.goal_status." + pr.Status)}
	switch pr.Status {
	case "on_track", "achieved":
		row.StatusClass = "badge-ok"
	case "off_track", "missed":
		row.StatusClass = "badge-danger"
	}
	switch {
	case g.OwnerGroupID != 0:
		row.Owner = owners["g"+strconv.FormatInt(g.OwnerGroupID, 10)]
	case g.OwnerAgentID != 0:
		row.Owner = owners["a"+strconv.FormatInt(g.OwnerAgentID, 10)]
	default:
		row.Owner = v.T("measure.owner_everyone")
	}
	return row
}

// lastDay is the last day before a deadline: a deadline set in the form as
// "March 5" is stored as the start of March 6.
func lastDay(locale string, deadline time.Time) string {
	return i18n.FormatDate(locale, deadline.Add(-time.Millisecond), time.UTC)
}

// ownerNames maps "g<id>" to group names and "a<id>" to agent names.
func (p *Pages) ownerNames(r *http.Request, v *View) (map[string]string, error) {
	out := map[string]string{}
	gs, err := p.d.Dir.ListGroups(r.Context(), v.Actor)
	if err != nil {
		return nil, err
	}
	for _, g := range gs {
		out["g"+itoa(g.ID)] = g.Name
	}
	us, err := p.agents(r.Context(), v.Actor)
	if err != nil {
		return nil, err
	}
	for _, u := range us {
		out["a"+itoa(u.ID)] = u.Name
	}
	return out, nil
}
