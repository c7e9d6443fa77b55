package ui

import (
	"html/template"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"layan/internal/apperr"
	"layan/internal/directory"
	"layan/internal/i18n"
	"layan/internal/journey"
	"layan/internal/kpi"
	"layan/internal/web/httpx"
	"layan/internal/web/svgchart"
)

// The customer journey (issue 7, item 6): contacts by week since the first
// purchase by channel and by topic, churned against retained customers, the
// churn-risk list with a "reach out" form per customer; and the journey
// section of the customer page (customer.go). The figures come from package
// journey, which decides again who may read them (admins).

// registerJourney adds the journey pages.
func (p *Pages) registerJourney(staff func(string, http.HandlerFunc)) {
	staff("GET /agent/journey", p.journeyOnly(p.journeyPage))
	staff("GET /agent/journey/reach-out/{customer_id}", p.journeyOnly(p.reachOutForm))
	staff("POST /agent/journey/reach-out/{customer_id}", p.journeyOnly(p.reachOut))
}

// journeyOnly answers 404 without a journey service.
func (p *Pages) journeyOnly(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if p.d.Journey == nil {
			p.notFound(w, r)
			return
		}
		next(w, r)
	}
}

// maxRiskRows bounds the churn-risk list on the page (highest value first).
const maxRiskRows = 50

type journeyPage struct {
	Orgs        []option
	Org         string // the organisation filter as selected
	Weeks       string // the churn list's silent weeks as typed
	Error       string
	Customers   string
	Channels    template.HTML
	Topics      template.HTML
	ChLegend    []legendItem
	TopicLegend []legendItem
	Compare     []compareRow
	Reading     string
	Risks       []riskRow
	RiskCount   string
	MoreRisks   bool
	SilentWeeks int
	HasContacts bool
	CanReachOut bool
}

type compareRow struct{ Label, Churned, Retained string }

// riskRow is one customer on the churn-risk list with its reach-out form,
// prefilled in the customer's language.
type riskRow struct {
	ID                 int64
	Name, Reason       string
	Since              When
	Tickets, Value     string
	Subject, Message   string
	Lang, Dir, LangTag string
}

// journeyPage: GET /agent/journey?organization_id&weeks — admins; agents and
// light agents get 403 as for the reports of other people.
func (p *Pages) journeyPage(w http.ResponseWriter, r *http.Request) {
	v := p.view(r)
	if !v.Actor.IsAdmin() {
		p.errorPage(w, r, http.StatusForbidden, "measure.error.forbidden")
		return
	}
	v.Title, v.Nav = v.T("journey.title"), "dashboard"
	q := r.URL.Query()
	d := &journeyPage{Org: q.Get("organization_id"), Weeks: strings.TrimSpace(q.Get("weeks")), SilentWeeks: 4, CanReachOut: true}
	v.Data = d
	ctx, a := r.Context(), v.Actor
	orgs, _, err := p.d.Dir.ListOrganizations(ctx, a, directory.Page{PerPage: 100})
	if err != nil {
		p.fail(w, r, err)
		return
	}
	for _, o := range orgs {
		d.Orgs = append(d.Orgs, option{itoa(o.ID), o.Name})
	}
	// Bad input is a sentence on the page (400), never a 500.
	bad := func(key string) {
		d.Error = v.T(key)
		p.render(w, r, http.StatusBadRequest, "measure_journey", v)
	}
	var org int64
	if d.Org != "" {
		if org, err = strconv.ParseInt(d.Org, 10, 64); err != nil || org <= 0 {
			bad("journey.error.organization")
			return
		}
		if !hasOption(d.Orgs, d.Org) {
			d.Orgs = append(d.Orgs, option{d.Org, "#" + i18n.Digits(v.Locale, d.Org)})
		}
	}
	if d.Weeks != "" {
		n, err := strconv.Atoi(asciiDigits(d.Weeks))
		if err != nil || n < 1 || n > 52 {
			bad("journey.error.weeks")
			return
		}
		d.SilentWeeks = n
	}
	var contacts journey.Contacts
	var cmp journey.ChurnComparison
	var risks []journey.Risk
	var errs [3]error
	var wg sync.WaitGroup
	wg.Go(func() { contacts, errs[0] = p.d.Journey.ContactsByWeek(ctx, a, org) })
	wg.Go(func() { cmp, errs[1] = p.d.Journey.ChurnedVsRetained(ctx, a, org) })
	wg.Go(func() { risks, errs[2] = p.d.Journey.ChurnRisk(ctx, a, d.SilentWeeks) })
	wg.Wait()
	for _, err := range errs {
		if err == nil {
			continue
		}
		if ve, ok := apperr.AsValidation(err); ok {
			if ve.Field == "organization_id" {
				bad("journey.error.organization")
			} else {
				bad("journey.error.weeks")
			}
			return
		}
		if status, _ := errorKey(err); status == http.StatusForbidden {
			p.errorPage(w, r, status, "measure.error.forbidden")
			return
		}
		p.fail(w, r, err)
		return
	}
	p.journeyCharts(v, d, contacts)
	d.Compare, d.Reading = compareRows(v, cmp)
	d.RiskCount = v.Num(len(risks))
	if len(risks) > maxRiskRows {
		risks, d.MoreRisks = risks[:maxRiskRows], true
	}
	for _, rk := range risks {
		d.Risks = append(d.Risks, p.riskRowOf(v, rk))
	}
	p.render(w, r, http.StatusOK, "measure_journey", v)
}

// journeyCharts draws the contacts by week as stacked bars, by channel and by topic.
func (p *Pages) journeyCharts(v *View, d *journeyPage, c journey.Contacts) {
	d.Customers = v.T("journey.customers", "n", v.Num(c.Customers))
	labels := make([]string, len(c.Buckets))
	for i, b := range c.Buckets {
		if b == "before" {
			labels[i] = v.T("journey.before")
			continue
		}
		n, _ := strconv.Atoi(b)
		labels[i] = v.T("journey.week", "n", n)
	}
	for _, t := range c.Total {
		d.HasContacts = d.HasContacts || t > 0
	}
	format := func(x float64) string {
		if x == math.Trunc(x) {
			return i18n.Integer(v.Locale, int(x))
		}
		return i18n.Decimal(v.Locale, x, 1)
	}
	draw := func(id, title, desc string, splits []journey.Split, name func(string) string) (template.HTML, []legendItem) {
		series := make([]svgchart.Series, len(splits))
		names := make([]string, len(splits))
		for i, sp := range splits {
			names[i] = name(sp.Key)
			vals := make([]*float64, len(sp.Counts))
			for j, n := range sp.Counts {
				if n > 0 {
					vals[j] = num(float64(n))
				}
			}
			series[i] = svgchart.Series{Name: names[i], Values: vals}
		}
		return svgchart.Render(svgchart.Chart{ID: id, Kind: svgchart.Bar, Stacked: true, Title: title, Desc: desc,
			Labels: labels, Series: series, Format: format, RTL: v.Dir == "rtl", Width: 1100, Height: 280}), legend(names...)
	}
	d.Channels, d.ChLegend = draw("chart-journey-channels", v.T("journey.chart.channels"), v.T("journey.chart.channels_desc"),
		c.ByChannel, func(k string) string { return v.T(channelKey(k)) })
	d.Topics, d.TopicLegend = draw("chart-journey-topics", v.T("journey.chart.topics"), v.T("journey.chart.topics_desc"),
		c.ByTopic, func(k string) string {
			switch k {
			case journey.TopicOther:
				return v.T("journey.topic_other")
			case journey.TopicNone:
				return v.T("journey.topic_none")
			}
			return k
		})
}

// compareRows is the churned/retained table and its one-sentence reading.
func compareRows(v *View, c journey.ChurnComparison) ([]compareRow, string) {
	l := v.Locale
	opt := func(p *float64, f func(float64) string) string {
		if p == nil || math.IsNaN(*p) {
			return "—"
		}
		return f(*p)
	}
	rate := func(x float64) string { return i18n.Decimal(l, x, 1) }
	pct := func(x float64) string { return kpi.FormatValue(l, "x_percent", x) }
	rows := []compareRow{
		{v.T("journey.compare.customers"), i18n.Integer(l, c.Churned.Customers), i18n.Integer(l, c.Retained.Customers)},
		{v.T("journey.compare.rate"), opt(c.Churned.ContactsPer30Days, rate), opt(c.Retained.ContactsPer30Days, rate)},
		{v.T("journey.compare.contacted"), opt(c.Churned.ContactedPercent, pct), opt(c.Retained.ContactedPercent, pct)},
		{v.T("journey.compare.csat"), opt(c.Churned.CSATPercent, pct), opt(c.Retained.CSATPercent, pct)},
		{v.T("journey.compare.csat_answers"), i18n.Integer(l, c.Churned.CSATAnswers), i18n.Integer(l, c.Retained.CSATAnswers)},
	}
	var reading string
	switch {
	case c.Churned.ContactsPer30Days == nil || c.Retained.ContactsPer30Days == nil:
		reading = v.T("journey.reading.no_data")
	case c.Ratio == nil && *c.Churned.ContactsPer30Days > 0:
		reading = v.T("journey.reading.only_churned")
	case c.Ratio == nil:
		reading = v.T("journey.reading.none")
	case *c.Ratio >= 1.05:
		reading = v.T("journey.reading.more", "ratio", i18n.Decimal(l, *c.Ratio, 1))
	case *c.Ratio <= 0.95:
		reading = v.T("journey.reading.less", "ratio", i18n.Decimal(l, *c.Ratio, 1))
	default:
		reading = v.T("journey.reading.same")
	}
	return rows, reading
}

func (p *Pages) riskRowOf(v *View, rk journey.Risk) riskRow {
	subject, message := reachOutDefaults(rk.Locale, rk.Name, v.Actor.Name)
	loc := i18n.Normalize(rk.Locale)
	return riskRow{ID: rk.CustomerID, Name: rk.Name, Reason: v.T("journey.reason." + rk.Reason), Since: v.When(rk.Since),
		Tickets: v.Num(rk.Tickets), Value: formatMoney(v.Locale, rk.LifetimeValueCents), Subject: subject, Message: message,
		LangTag: loc, Dir: i18n.Dir(loc), Lang: v.T("lang." + loc)}
}

// reachOutDefaults are the form's subject and message in the customer's
// language, signed by the agent.
func reachOutDefaults(locale, customer, agent string) (string, string) {
	// Plain text for a mail and a ticket: no isolates around the names.
	sub := i18n.T(locale, "journey.reach_out.default_subject")
	msg := i18n.T(locale, "journey.reach_out.default_message")
	msg = strings.NewReplacer("{name}", customer, "{agent}", agent).Replace(msg)
	return sub, msg
}

// formatMoney writes an amount in cents in the locale's digits and
// separators: 1,234.50 · 1.234,50 · ۱٬۲۳۴٫۵۰. Layan keeps no currency
// setting, so no symbol is added.
func formatMoney(locale string, cents int64) string {
	neg := cents < 0
	if neg {
		cents = -cents
	}
	dec := "."
	switch i18n.Normalize(locale) {
	case "id":
		dec = ","
	case "fa":
		dec = "٫"
	}
	frac := strconv.FormatInt(cents%100, 10)
	if len(frac) < 2 {
		frac = "0" + frac
	}
	s := i18n.Integer(locale, int(cents/100)) + dec + i18n.Digits(locale, frac)
	if neg {
		s = "−" + s
	}
	return s
}

// reachOutView is the standalone reach-out form.
type reachOutView struct {
	Customer           journey.Customer
	Subject, Message   string
	Error              string
	Lang, Dir, LangTag string
}

func (p *Pages) reachOutCustomer(w http.ResponseWriter, r *http.Request, v *View) (journey.Customer, bool) {
	if !v.Actor.CanEditTickets() {
		p.forbidden(w, r)
		return journey.Customer{}, false
	}
	id, err := httpx.PathID(r, "customer_id")
	if err != nil {
		p.notFound(w, r)
		return journey.Customer{}, false
	}
	c, err := p.d.Journey.Customer(r.Context(), v.Actor, id)
	if err != nil {
		p.fail(w, r, err)
		return c, false
	}
	return c, true
}

// reachOutForm: GET /agent/journey/reach-out/{customer_id} — the form with
// the default text in the customer's language (admins and agents).
func (p *Pages) reachOutForm(w http.ResponseWriter, r *http.Request) {
	v := p.view(r)
	c, ok := p.reachOutCustomer(w, r, v)
	if !ok {
		return
	}
	sub, msg := reachOutDefaults(c.Locale, c.Name, v.Actor.Name)
	p.renderReachOut(w, r, v, http.StatusOK, c, sub, msg, "")
}

func (p *Pages) renderReachOut(w http.ResponseWriter, r *http.Request, v *View, status int, c journey.Customer, sub, msg, errText string) {
	loc := i18n.Normalize(c.Locale)
	v.Title, v.Nav = v.T("journey.reach_out.title", "name", c.Name), "search"
	v.Data = &reachOutView{Customer: c, Subject: sub, Message: msg, Error: errText, LangTag: loc, Dir: i18n.Dir(loc), Lang: v.T("lang." + loc)}
	p.render(w, r, status, "journey_reach_out", v)
}

// reachOut: POST /agent/journey/reach-out/{customer_id} — opens the
// proactive ticket and goes to it; a bad form comes back with a sentence.
func (p *Pages) reachOut(w http.ResponseWriter, r *http.Request) {
	v := p.view(r)
	c, ok := p.reachOutCustomer(w, r, v)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		p.fail(w, r, err)
		return
	}
	sub, msg := r.PostForm.Get("subject"), r.PostForm.Get("message")
	t, err := p.d.Journey.ReachOut(r.Context(), v.Actor, journey.ReachOut{CustomerID: c.ID, Subject: sub, Message: msg, Via: "web"})
	if err != nil {
		if ve, ok := apperr.AsValidation(err); ok {
			key := "journey.error.message"
			if ve.Field == "subject" {
				key = "journey.error.subject"
			}
			p.renderReachOut(w, r, v, http.StatusUnprocessableEntity, c, sub, msg, v.T(key))
			return
		}
		p.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/agent/tickets/"+itoa(t.ID), http.StatusSeeOther)
}
