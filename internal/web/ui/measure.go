package ui

import (
	"context"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/directory"
	"layan/internal/i18n"
	"layan/internal/kpi"
	"layan/internal/web/httpx"
)

// The manager's measurement pages: the dashboard, reports, SMART goals
// (measure_*.go), the agents' suggestion board (suggestions.go) and the
// customers' survey page (survey_page.go). The figures come from package
// kpi, which decides again who may read what (kpi.Authorize): admins see
// everything, agents their own figures.

// registerMeasure adds the measurement pages; page and staff wrap handlers
// as in Register.
func (p *Pages) registerMeasure(page, staff func(string, http.HandlerFunc)) {
	staff("GET /agent/dashboard", p.measureOnly(p.dashboard))
	staff("GET /agent/reports", p.measureOnly(p.reports))
	staff("GET /agent/reports/export", p.measureOnly(p.reportExport))
	staff("GET /agent/goals", p.measureOnly(p.goals))
	staff("POST /agent/goals", p.measureOnly(p.createGoal))
	staff("GET /agent/goals/{id}", p.measureOnly(p.goal))
	staff("POST /agent/goals/{id}/delete", p.measureOnly(p.deleteGoal))
	staff("GET /agent/suggestions", p.surveysOnly(p.suggestions))
	staff("POST /agent/suggestions", p.surveysOnly(p.postSuggestion))
	staff("GET /agent/suggestions/{id}", p.surveysOnly(p.suggestion))
	staff("POST /agent/suggestions/{id}/vote", p.surveysOnly(p.voteSuggestion))
	staff("POST /agent/suggestions/{id}/comments", p.surveysOnly(p.commentSuggestion))
	staff("POST /agent/suggestions/{id}/status", p.surveysOnly(p.setSuggestionStatus))
	p.registerJourney(staff)
	page("POST /portal/requests/{id}/rating", p.surveysOnly(p.signedIn(p.rateRequest)))
	page("GET /surveys/{token}", p.surveysOnly(p.surveyPage))
	page("POST /surveys/{token}", p.surveysOnly(p.surveyAnswer))
}

// measureOnly answers 404 without a KPI service and 403 to light agents:
// they read tickets and add notes, and figures are not part of that.
func (p *Pages) measureOnly(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if p.d.KPI == nil {
			p.notFound(w, r)
			return
		}
		if a, _ := httpx.ActorFrom(r.Context()); !canMeasure(a) {
			p.forbidden(w, r)
			return
		}
		next(w, r)
	}
}

func canMeasure(a auth.Actor) bool { return a.IsAdmin() || a.Role == auth.RoleAgent }

// surveysOnly answers 404 without a survey service.
func (p *Pages) surveysOnly(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if p.d.Surveys == nil {
			p.notFound(w, r)
			return
		}
		next(w, r)
	}
}

// --- the filter bar ----------------------------------------------------------

// maxPeriod bounds a report's period (the REST API allows the same).
const maxPeriod = 3 * 366 * 24 * time.Hour

// measureQuery is a page's period and filters as the form shows them: From
// and To are the first and last calendar days (inclusive), as a person picks them.
type measureQuery struct {
	kpi.Query
	FromDay, ToDay string // YYYY-MM-DD, for the date inputs
	By             string // day, week or month
	Org            string // the organisation filter as typed/selected
}

// parseMeasure reads from, to, by and the filters of a GET form. A bad
// value is a validation error naming the field; the defaults are the last
// 30 days up to today.
func parseMeasure(r *http.Request, now time.Time, defaultBy string) (measureQuery, error) {
	q := r.URL.Query()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	m := measureQuery{By: q.Get("by")}
	last, first := today, today.AddDate(0, 0, -29)
	var err error
	if v := strings.TrimSpace(q.Get("to")); v != "" {
		if last, err = time.Parse("2006-01-02", v); err != nil {
			return m, apperr.Invalid("to", "invalid_date", "use YYYY-MM-DD")
		}
		first = last.AddDate(0, 0, -29)
	}
	if v := strings.TrimSpace(q.Get("from")); v != "" {
		if first, err = time.Parse("2006-01-02", v); err != nil {
			return m, apperr.Invalid("from", "invalid_date", "use YYYY-MM-DD")
		}
	}
	m.From, m.To = first, last.AddDate(0, 0, 1)
	m.FromDay, m.ToDay = first.Format("2006-01-02"), last.Format("2006-01-02")
	switch {
	case first.After(last):
		return m, apperr.Invalid("from", "order", "from after to")
	case m.To.Sub(m.From) > maxPeriod:
		return m, apperr.Invalid("from", "too_long", "at most three years")
	}
	switch m.By {
	case "":
		m.By = defaultBy
		if m.By == "" {
			m.By = autoBy(m.From, m.To)
		}
	case "day", "week", "month":
	default:
		return m, apperr.Invalid("by", "invalid", "day, week or month")
	}
	if m.By == "day" && m.To.Sub(m.From) > 370*24*time.Hour {
		return m, apperr.Invalid("by", "too_many", "too many days")
	}
	m.Channel = q.Get("channel")
	if m.Channel != "" && !validChannel(m.Channel) {
		return m, apperr.Invalid("channel", "invalid", "unknown channel")
	}
	m.Language = q.Get("language")
	if m.Language != "" && !validLanguage(m.Language) {
		return m, apperr.Invalid("language", "invalid", "unknown language")
	}
	m.Tag = strings.TrimSpace(q.Get("tag"))
	if len(m.Tag) > 80 || strings.ContainsAny(m.Tag, " \t\r\n,") {
		return m, apperr.Invalid("tag", "invalid", "one tag")
	}
	for _, f := range []struct {
		name string
		dst  *int64
	}{{"group_id", &m.GroupID}, {"agent_id", &m.AgentID}, {"organization_id", &m.OrganizationID}} {
		v := q.Get(f.name)
		if v == "" {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return m, apperr.Invalid(f.name, "invalid", "an id")
		}
		*f.dst = n
	}
	return m, nil
}

// autoBy picks a bucket size that gives a readable chart.
func autoBy(from, to time.Time) string {
	switch d := to.Sub(from); {
	case d <= 62*24*time.Hour:
		return "day"
	case d <= 400*24*time.Hour:
		return "week"
	}
	return "month"
}

var measureChannels = []string{"email", "web", "chat", "api", "social", "voice", "walk_in"}

func validChannel(c string) bool {
	for _, v := range measureChannels {
		if v == c {
			return true
		}
	}
	return false
}

func validLanguage(l string) bool {
	for _, v := range i18n.Supported {
		if v == l {
			return true
		}
	}
	return false
}

// encode writes the query back as URL parameters (for links between the
// pages and the CSV export), without the empty ones.
func (m measureQuery) encode(extra ...string) string {
	v := url.Values{}
	v.Set("from", m.FromDay)
	v.Set("to", m.ToDay)
	v.Set("by", m.By)
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	id := func(n int64) string {
		if n == 0 {
			return ""
		}
		return strconv.FormatInt(n, 10)
	}
	set("channel", m.Channel)
	set("language", m.Language)
	set("tag", m.Tag)
	set("group_id", id(m.GroupID))
	set("agent_id", id(m.AgentID))
	set("organization_id", id(m.OrganizationID))
	for i := 0; i+1 < len(extra); i += 2 {
		set(extra[i], extra[i+1])
	}
	return v.Encode()
}

// filterBar is what the shared filter form shows.
type filterBar struct {
	Q        measureQuery
	Groups   []option
	Agents   []option
	Orgs     []option
	Channels []option
	Langs    []option
	Bys      []option
	Admin    bool   // agents see only their own figures: no agent choice
	Action   string // the form's address
	KPI      string // the report's KPI, kept across filter changes
	KPIs     []option
	Error    string
}

// filterOptions loads the choices of the filter form.
func (p *Pages) filterOptions(ctx context.Context, v *View, m measureQuery, action string) (*filterBar, error) {
	a := v.Actor
	fb := &filterBar{Q: m, Admin: a.IsAdmin(), Action: action}
	gs, err := p.d.Dir.ListGroups(ctx, a)
	if err != nil {
		return nil, err
	}
	for _, g := range gs {
		fb.Groups = append(fb.Groups, option{itoa(g.ID), g.Name})
	}
	if a.IsAdmin() {
		us, err := p.agents(ctx, a)
		if err != nil {
			return nil, err
		}
		for _, u := range us {
			fb.Agents = append(fb.Agents, option{itoa(u.ID), u.Name})
		}
	}
	orgs, _, err := p.d.Dir.ListOrganizations(ctx, a, directory.Page{PerPage: 100})
	if err != nil {
		return nil, err
	}
	for _, o := range orgs {
		fb.Orgs = append(fb.Orgs, option{itoa(o.ID), o.Name})
	}
	if m.OrganizationID != 0 && !hasOption(fb.Orgs, itoa(m.OrganizationID)) {
		fb.Orgs = append(fb.Orgs, option{itoa(m.OrganizationID), "#" + i18n.Digits(v.Locale, itoa(m.OrganizationID))})
	}
	for _, c := range measureChannels {
		fb.Channels = append(fb.Channels, option{c, v.T(channelKey(c))})
	}
	for _, l := range i18n.Supported {
		fb.Langs = append(fb.Langs, option{l, v.T("lang." + l)})
	}
	fb.Bys = v.options("measure.by.", []string{"day", "week", "month"})
	return fb, nil
}

func hasOption(opts []option, value string) bool {
	for _, o := range opts {
		if o.Value == value {
			return true
		}
	}
	return false
}

// measureError turns a bad filter into a translated sentence for the page.
func measureError(v *View, err error) string {
	ve, ok := apperr.AsValidation(err)
	if !ok {
		return v.T("error.invalid_input")
	}
	switch ve.Field {
	case "from", "to":
		if ve.Key == "too_long" {
			return v.T("measure.error.too_long")
		}
		if ve.Key == "order" {
			return v.T("measure.error.order")
		}
		return v.T("measure.error.date")
	case "by":
		return v.T("measure.error.by")
	}
	return v.T("measure.error.filter")
}

// --- numbers ---------------------------------------------------------------

// axisFormat writes chart axis values with the KPI's unit.
func axisFormat(locale, name string) func(float64) string {
	return func(v float64) string {
		switch kpi.Unit(name) {
		case "hours", "percent", "minutes", "seconds":
			return kpi.FormatValue(locale, name, v)
		}
		if v == math.Trunc(v) {
			return i18n.Integer(locale, int(v))
		}
		return i18n.Decimal(locale, v, 1)
	}
}

// delta is the change of a KPI against the previous period.
type delta struct {
	Text  string // "+2.5 h", translated and in the locale's digits
	Class string // delta-good, delta-bad, delta-flat
	Word  string // "better", "worse", "no change" for screen readers and colour-blind readers
	None  bool   // no figure to compare
}

func kpiDelta(locale, name string, cur, prev *float64) delta {
	return judgedDelta(locale, name, kpi.HigherIsBetter(name), cur, prev)
}

// judgedDelta is the change from prev to cur, better when it goes the way
// higherBetter says.
func judgedDelta(locale, name string, higherBetter bool, cur, prev *float64) delta {
	if cur == nil || prev == nil {
		return delta{None: true}
	}
	d := *cur - *prev
	if math.Abs(d) < 1e-9 {
		return delta{Text: "±" + i18n.Digits(locale, "0"), Class: "delta-flat", Word: i18n.T(locale, "measure.delta.same")}
	}
	sign := "+"
	if d < 0 {
		sign = "−"
	}
	text := sign + kpi.FormatValue(locale, name, math.Abs(d))
	if (d > 0) == higherBetter {
		return delta{Text: text, Class: "delta-good", Word: i18n.T(locale, "measure.delta.better")}
	}
	return delta{Text: text, Class: "delta-bad", Word: i18n.T(locale, "measure.delta.worse")}
}

// shortDate labels a bucket on a chart's time axis: the date without the
// year for days and weeks (the period is shown above), with it for months.
func shortDate(locale string, t time.Time, by string) string {
	s := i18n.FormatDate(locale, t, time.UTC)
	if by == "month" {
		return s
	}
	if i := strings.LastIndexByte(s, ' '); i > 0 {
		s = strings.TrimRight(s[:i], ",")
	}
	return s
}

// periodText is "Nov 5, 2026 – Dec 4, 2026" in the viewer's calendar.
func periodText(locale string, from, to time.Time) string {
	return i18n.T(locale, "measure.period_range", "from", i18n.FormatDate(locale, from, time.UTC),
		"to", i18n.FormatDate(locale, to.AddDate(0, 0, -1), time.UTC))
}
