package ui

import (
	"bytes"
	"encoding/csv"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"time"

	"layan/internal/apperr"
	"layan/internal/kpi"
	"layan/internal/web/measureapi"
	"layan/internal/web/svgchart"
)

// reportKPIs are the KPIs a report offers, in the dashboard's order and
// then the rest.
var reportKPIs = []string{"created", "resolved", "backlog", "first_response_avg_hours", "first_response_median_hours",
	"first_response_business_avg_hours",
	"resolution_avg_hours", "resolution_median_hours", "handling_avg_minutes", "sla_attainment_percent", "chat_asa_seconds",
	"chat_abandon_percent", "fcr_percent", "reopened", "escalation_percent", "transfer_percent",
	"transfer_events", "csat_percent", "nps", "ces_average", "retention_percent", "deflections", "deflection_percent"}

// reportRow is one bucket of a report.
type reportRow struct {
	Label       string
	Value, Prev string
	Delta       delta
}

type reportPage struct {
	F          *filterBar
	KPI        string
	Label      string
	Period     string
	PrevPeriod string
	Total      kpiCard
	Chart      template.HTML
	Legend     []legendItem
	Rows       []reportRow
	CSV        string
	OwnOnly    bool
}

// reportKPI reads ?kpi= (default: tickets created).
func reportKPI(r *http.Request) (string, error) {
	name := r.URL.Query().Get("kpi")
	if name == "" {
		return "created", nil
	}
	if !kpi.Known(name) || !slices.Contains(reportKPIs, name) {
		return name, apperr.Invalid("kpi", "invalid", "unknown KPI")
	}
	return name, nil
}

// reports: GET /agent/reports?kpi&by&from&to&<filters> — one KPI as a chart
// and a table, each bucket next to the previous period's.
func (p *Pages) reports(w http.ResponseWriter, r *http.Request) {
	v := p.view(r)
	v.Title, v.Nav = v.T("measure.reports"), "reports"
	m, perr := parseMeasure(r, p.d.Now().UTC(), "")
	name, kerr := reportKPI(r)
	fb, err := p.filterOptions(r.Context(), v, m, "/agent/reports")
	if err != nil {
		p.fail(w, r, err)
		return
	}
	fb.KPI, fb.KPIs = name, v.options("measure.kpi.", reportKPIs)
	d := &reportPage{F: fb, KPI: name, Label: v.T("measure.kpi." + name), OwnOnly: !v.Actor.IsAdmin()}
	v.Data = d
	if perr != nil || kerr != nil {
		if perr != nil {
			fb.Error = measureError(v, perr)
		} else {
			fb.Error, fb.KPI = v.T("measure.error.kpi"), "created"
		}
		p.render(w, r, http.StatusBadRequest, "measure_reports", v)
		return
	}
	rep, err := p.d.KPI.Report(r.Context(), v.Actor, m.Query, m.By)
	if err != nil {
		p.measureFail(w, r, v, "measure_reports", err)
		return
	}
	d.Period = periodText(v.Locale, m.From, m.To)
	d.PrevPeriod = periodText(v.Locale, kpi.Previous(m.Query).From, m.From)
	d.Total = card(v, name, rep.Total, rep.PreviousTotal)
	d.CSV = "/agent/reports/export?" + m.encode("kpi", name)
	labels := make([]string, len(rep.Series))
	cur, prev := make([]*float64, len(rep.Series)), make([]*float64, len(rep.Series))
	for i, c := range rep.Series {
		labels[i] = shortDate(v.Locale, c.From, m.By)
		cur[i] = kpi.Value(c, name)
		if i < len(rep.PreviousSeries) {
			prev[i] = kpi.Value(rep.PreviousSeries[i], name)
		}
		d.Rows = append(d.Rows, reportRow{Label: shortDate(v.Locale, c.From, "month"), Value: kpi.Format(v.Locale, name, cur[i]),
			Prev: kpi.Format(v.Locale, name, prev[i]), Delta: kpiDelta(v.Locale, name, cur[i], prev[i])})
	}
	kind := svgchart.Line
	if kpi.Unit(name) == "count" && len(labels) <= 31 {
		kind = svgchart.Bar
	}
	d.Chart = svgchart.Render(svgchart.Chart{ID: "chart-report", Kind: kind, Title: d.Label,
		Desc: v.T("measure.chart.report_desc", "kpi", d.Label, "per", v.T("measure.per."+m.By), "period", d.Period), Labels: labels,
		Series: []svgchart.Series{{Name: v.T("measure.this_period"), Values: cur}, {Name: v.T("measure.previous_period"), Values: prev, Dashed: true}},
		Format: axisFormat(v.Locale, name), RTL: v.Dir == "rtl", Width: 1100, Height: 300})
	d.Legend = legend(v.T("measure.this_period"), v.T("measure.previous_period"))
	p.render(w, r, http.StatusOK, "measure_reports", v)
}

// reportExport: GET /agent/reports/export?<the report's query> — the report
// as CSV. Text that came from a person (the filters: a tag) goes through
// measureapi.SafeRow, so "=HYPERLINK(...)" cannot run as a spreadsheet formula.
func (p *Pages) reportExport(w http.ResponseWriter, r *http.Request) {
	v := p.view(r)
	m, err := parseMeasure(r, p.d.Now().UTC(), "")
	name, kerr := reportKPI(r)
	if err == nil {
		err = kerr
	}
	if err != nil {
		http.Error(w, measureError(v, err), http.StatusBadRequest)
		return
	}
	rep, err := p.d.KPI.Report(r.Context(), v.Actor, m.Query, m.By)
	if err != nil {
		if status, _ := errorKey(err); status < 500 {
			http.Error(w, v.T("measure.error.filter"), status)
			return
		}
		p.fail(w, r, err)
		return
	}
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	// The filters head the file, so a forwarded export says what it counts.
	_ = cw.Write(measureapi.SafeRow([]string{"filters", "channel", m.Channel, "group_id", csvID(m.GroupID), "agent_id",
		csvID(m.AgentID), "organization_id", csvID(m.OrganizationID), "tag", m.Tag, "language", m.Language}))
	_ = cw.Write(measureapi.SafeRow([]string{"from", "to", name, "previous_" + name}))
	for i, c := range rep.Series {
		var prev *float64
		if i < len(rep.PreviousSeries) {
			prev = kpi.Value(rep.PreviousSeries[i], name)
		}
		// Dates and numbers we format ourselves are not quoted: SafeCell would
		// turn a negative NPS into text.
		_ = cw.Write([]string{c.From.Format(time.DateOnly), c.To.AddDate(0, 0, -1).Format(time.DateOnly),
			csvNum(kpi.Value(c, name)), csvNum(prev)})
	}
	_ = cw.Write([]string{"total", "", csvNum(kpi.Value(rep.Total, name)), csvNum(kpi.Value(rep.PreviousTotal, name))})
	cw.Flush()
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+name+"-"+m.FromDay+"-"+m.ToDay+`.csv"`)
	h.Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(b.Bytes())
}

func csvNum(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

func csvID(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}
