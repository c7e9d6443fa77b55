// Package measureapi serves the measurement endpoints: KPIs and reports
// (Layan's own API), Zendesk's satisfaction_ratings, and the signed one-click
// survey links.
package measureapi

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/journey"
	"layan/internal/kpi"
	"layan/internal/survey"
	"layan/internal/web/httpx"
	"layan/internal/web/zendesk"
)

// API holds the services.
type API struct {
	KPI     *kpi.Service
	Surveys *survey.Service
	Journey *journey.Service
	MaxBody int64
}

// Routes registers every endpoint with v2 (the server's authenticated,
// rate-limited API registration). Permissions are in the services: KPIs and
// results are staff (agents: their own); customers answer their own surveys.
func (api *API) Routes(v2 func(string, http.HandlerFunc)) {
	staff := func(e zendesk.Endpoint) http.HandlerFunc { return serve(e, signedInStaff) }
	anyone := func(e zendesk.Endpoint) http.HandlerFunc { return serve(e, signedIn) }
	public := func(e zendesk.Endpoint) http.HandlerFunc { return serve(e, anybody) }
	v2("GET /api/layan/v1/kpis", staff(api.Summary))
	v2("GET /api/layan/v1/kpis/series", staff(api.Series))
	v2("GET /api/layan/v1/reports/{kpi}", staff(api.Report))
	v2("GET /api/layan/v1/goals", staff(api.ListGoals))
	v2("POST /api/layan/v1/goals", staff(api.CreateGoal))
	v2("GET /api/layan/v1/goals/{id}", staff(api.ShowGoal))
	v2("DELETE /api/layan/v1/goals/{id}", staff(api.DeleteGoal))
	v2("POST /api/layan/v1/customer_events", staff(api.RecordCustomerEvent))
	v2("GET /api/layan/v1/customers/{id}/journey", staff(api.CustomerJourney))
	v2("GET /api/layan/v1/churn_risk", staff(api.ChurnRisk))
	v2("POST /api/layan/v1/churn_risk/{customer_id}/reach_out", staff(api.ReachOut))
	v2("GET /api/layan/v1/journey/contacts", staff(api.JourneyContacts))
	v2("GET /api/layan/v1/journey/churned_vs_retained", staff(api.ChurnedVsRetained))
	v2("GET /api/layan/v1/suggestions", staff(api.ListSuggestions))
	v2("POST /api/layan/v1/suggestions", staff(api.PostSuggestion))
	v2("GET /api/layan/v1/suggestions/{id}", staff(api.ShowSuggestion))
	v2("PUT /api/layan/v1/suggestions/{id}", staff(api.SetSuggestionStatus))
	v2("POST /api/layan/v1/suggestions/{id}/vote", staff(api.Vote(true)))
	v2("DELETE /api/layan/v1/suggestions/{id}/vote", staff(api.Vote(false)))
	v2("POST /api/layan/v1/suggestions/{id}/comments", staff(api.CommentSuggestion))
	v2("GET /api/v2/satisfaction_ratings", staff(api.ListRatings))
	v2("GET /api/v2/satisfaction_ratings/{id}", staff(api.ShowRating))
	v2("POST /api/v2/tickets/{id}/satisfaction_rating", anyone(api.RateTicket))
	// Signed links: no sign-in needed, the token is the permission.
	v2("GET /api/layan/v1/surveys/{token}", public(api.ShowSurvey))
	v2("POST /api/layan/v1/surveys/{token}", public(api.AnswerSurvey))
}

type access int

const (
	anybody access = iota
	signedIn
	signedInStaff
)

// file is a non-JSON body (a CSV export).
type file struct {
	contentType, name string
	data              []byte
}

// serve adapts an endpoint like zendesk.Staff/SignedIn, and also writes files.
func serve(e zendesk.Endpoint, need access) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a, ok := httpx.ActorFrom(r.Context())
		if need != anybody && !ok {
			w.Header().Set("WWW-Authenticate", `Basic realm="Layan API"`)
			httpx.Fail(w, r, apperr.ErrUnauthorized)
			return
		}
		if need == signedInStaff && !a.IsStaff() {
			httpx.Fail(w, r, apperr.Forbidden("use agent endpoints"))
			return
		}
		status, body, err := e(w, r, a)
		switch b := body.(type) {
		case nil:
			if err != nil {
				httpx.Fail(w, r, err)
			} else {
				w.WriteHeader(status)
			}
		case file:
			w.Header().Set("Content-Type", b.contentType)
			w.Header().Set("Content-Disposition", `attachment; filename="`+b.name+`"`)
			w.Header().Set("X-Content-Type-Options", "nosniff")
			w.WriteHeader(status)
			_, _ = w.Write(b.data)
		default:
			if err != nil {
				httpx.Fail(w, r, err)
			} else {
				httpx.WriteJSON(w, status, body)
			}
		}
	}
}

// --- KPIs and reports --------------------------------------------------------

func parseTime(name, v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse("2006-01-02", v); err == nil {
		return t, nil
	}
	return time.Time{}, apperr.Invalid(name, "invalid", "use YYYY-MM-DD or RFC 3339")
}

func parseID(r *http.Request, name string) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, apperr.Invalid(name, "invalid", "must be an id")
	}
	return n, nil
}

// query reads from, to (default: the last 30 days to tomorrow) and the filters.
func query(r *http.Request) (kpi.Query, error) {
	q := r.URL.Query()
	var out kpi.Query
	var err error
	now := time.Now().UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	out.To = today.AddDate(0, 0, 1)
	out.From = out.To.AddDate(0, 0, -30)
	if v := q.Get("to"); v != "" {
		if out.To, err = parseTime("to", v); err != nil {
			return out, err
		}
		out.From = out.To.AddDate(0, 0, -30)
	}
	if v := q.Get("from"); v != "" {
		if out.From, err = parseTime("from", v); err != nil {
			return out, err
		}
	}
	if !out.From.Before(out.To) {
		return out, apperr.Invalid("from", "invalid", "from must be before to")
	}
	if out.To.Sub(out.From) > 3*366*24*time.Hour {
		return out, apperr.Invalid("from", "too_long", "at most three years")
	}
	out.Channel, out.Tag, out.Language = q.Get("channel"), q.Get("tag"), q.Get("language")
	if out.GroupID, err = parseID(r, "group_id"); err != nil {
		return out, err
	}
	if out.AgentID, err = parseID(r, "agent_id"); err != nil {
		return out, err
	}
	if out.OrganizationID, err = parseID(r, "organization_id"); err != nil {
		return out, err
	}
	return out, nil
}

// Summary: GET /api/layan/v1/kpis?from&to&<filters> — every KPI of the
// period, of the previous period of the same length, and the pair warnings.
func (api *API) Summary(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	q, err := query(r)
	if err != nil {
		return 0, nil, err
	}
	cur, prev, err := api.KPI.Compare(r.Context(), a, q)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"kpis": cur, "previous": prev, "warnings": kpi.PairWarnings(cur, prev)}, nil
}

// Series: GET /api/layan/v1/kpis/series?by=day|week|month&from&to&<filters>.
func (api *API) Series(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	q, err := query(r)
	if err != nil {
		return 0, nil, err
	}
	by := r.URL.Query().Get("by")
	if by == "" {
		by = "day"
	}
	s, err := api.KPI.Series(r.Context(), a, q, by)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"by": by, "series": s}, nil
}

// Row is one bucket of a report.
type Row struct {
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	Value    *float64  `json:"value"`
	Previous *float64  `json:"previous"` // the same bucket one period earlier
}

// Report: GET /api/layan/v1/reports/{kpi}?by&from&to&<filters>[&format=csv] —
// one KPI by bucket next to the previous period; CSV cells are safe to open
// in a spreadsheet.
func (api *API) Report(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	name := r.PathValue("kpi")
	if !kpi.Known(name) {
		return 0, nil, apperr.NotFound("kpi")
	}
	q, err := query(r)
	if err != nil {
		return 0, nil, err
	}
	by := r.URL.Query().Get("by")
	if by == "" {
		by = "day"
	}
	rep, err := api.KPI.Report(r.Context(), a, q, by)
	if err != nil {
		return 0, nil, err
	}
	rows := make([]Row, len(rep.Series))
	for i, c := range rep.Series {
		rows[i] = Row{From: c.From, To: c.To, Value: kpi.Value(c, name)}
		if i < len(rep.PreviousSeries) {
			rows[i].Previous = kpi.Value(rep.PreviousSeries[i], name)
		}
	}
	if r.URL.Query().Get("format") == "csv" {
		var b bytes.Buffer
		cw := csv.NewWriter(&b)
		_ = cw.Write(SafeRow([]string{"from", "to", name, "previous_" + name}))
		for _, row := range rows {
			_ = cw.Write(SafeRow([]string{row.From.Format(time.RFC3339), row.To.Format(time.RFC3339), num(row.Value), num(row.Previous)}))
		}
		cw.Flush()
		return http.StatusOK, file{"text/csv; charset=utf-8", name + ".csv", b.Bytes()}, nil
	}
	return http.StatusOK, map[string]any{"kpi": name, "by": by, "higher_is_better": kpi.HigherIsBetter(name),
		"total": kpi.Value(rep.Total, name), "previous_total": kpi.Value(rep.PreviousTotal, name), "rows": rows}, nil
}

func num(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

// SafeCell defuses spreadsheet formulas: a cell that starts with = + - @,
// a tab or a carriage return gets a leading quote.
func SafeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// SafeRow applies SafeCell to every cell.
func SafeRow(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = SafeCell(c)
	}
	return out
}
