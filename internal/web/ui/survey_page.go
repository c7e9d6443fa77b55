package ui

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/i18n"
	"layan/internal/survey"
)

// The customers' survey page, reached from the one-click links of the
// survey mail. Mail security scanners open every link of a mail, so GET
// /surveys/{token}?score=N records nothing: it shows the page with N chosen,
// and the page's script posts it at once (survey.js); without a script the
// customer presses Send. The signed token is the only permission, so no
// sign-in is needed and a token for one ticket cannot answer another
// (package survey checks the HMAC). The form carries a double-submit token
// (a cookie scoped to /surveys) and answers are rate-limited per address.

const surveyCookie = "layan_survey_form"

// surveyScale is one choice on a survey's scale.
type surveyScale struct {
	Score    int
	Label    string // the number in the page's digits
	Caption  string // the words at the ends of the scale
	Selected bool
	Link     string
}

type surveyPageData struct {
	Kind      string
	Question  string
	TicketID  int64
	Scale     []surveyScale
	Answered  bool // a score is recorded
	Score     int
	Pending   bool // the mail's link chose Score; nothing is recorded yet
	Comment   string
	Token     string // the form's double-submit token
	Done      bool   // the comment was saved
	Error     string
	Low, High string // captions of the scale's ends
}

// scaleOf is a kind's range of scores.
func scaleOf(kind string) (lo, hi int) {
	switch kind {
	case survey.NPS:
		return 0, 10
	case survey.CES:
		return 1, 7
	}
	return 1, 5
}

func surveyFormToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(surveyCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	tok := auth.NewSecret()
	http.SetCookie(w, &http.Cookie{Name: surveyCookie, Value: tok, Path: "/surveys", HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	return tok
}

func surveyTokenOK(r *http.Request) bool {
	c, err := r.Cookie(surveyCookie)
	if err != nil || len(c.Value) < 32 {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue("form_token"))) == 1
}

// surveyPage: GET /surveys/{token}[?score=N] — the scale, with the score
// the mail's link chose (not recorded: see above).
func (p *Pages) surveyPage(w http.ResponseWriter, r *http.Request) {
	v := p.view(r)
	token := r.PathValue("token")
	resp, err := p.d.Surveys.ByToken(r.Context(), token)
	if err != nil {
		p.surveyFail(w, r, err)
		return
	}
	p.surveyLocale(r, v, resp)
	status, msg, chosen := http.StatusOK, "", (*int)(nil)
	if s := r.URL.Query().Get("score"); s != "" {
		score, err := survey.ParseScore(s)
		if lo, hi := scaleOf(resp.Kind); err != nil || score < lo || score > hi {
			status, msg = http.StatusBadRequest, v.T("survey.error.score")
		} else {
			chosen = &score
		}
	}
	p.renderSurvey(w, r, v, status, resp, token, resp.Comment, msg, r.URL.Query().Get("done") == "1", chosen)
}

// renderSurvey shows the survey; chosen is a score the visitor picked that
// is not recorded yet (the mail's link).
func (p *Pages) renderSurvey(w http.ResponseWriter, r *http.Request, v *View, status int, resp survey.Response, token, comment, msg string, done bool, chosen *int) {
	w.Header().Set("Referrer-Policy", "no-referrer") // the token is in the address
	w.Header().Set("X-Robots-Tag", "noindex")
	v.Title = v.T("survey.title")
	d := &surveyPageData{Kind: resp.Kind, Question: v.T("survey.question." + resp.Kind), TicketID: resp.TicketID,
		Answered: resp.Score != nil, Comment: comment, Token: surveyFormToken(w, r), Done: done, Error: msg,
		Low: v.T("survey.low." + resp.Kind), High: v.T("survey.high." + resp.Kind)}
	if resp.Score != nil {
		d.Score = *resp.Score
	}
	if chosen != nil && (resp.Score == nil || *resp.Score != *chosen) {
		// Chosen again on a form sent back with an error; from the mail's
		// link (a GET), the page's script is to post it.
		d.Score, d.Pending = *chosen, r.Method == http.MethodGet
	}
	lo, hi := scaleOf(resp.Kind)
	base := "/surveys/" + url.PathEscape(token) + "?score="
	for s := lo; s <= hi; s++ {
		d.Scale = append(d.Scale, surveyScale{Score: s, Label: i18n.Integer(v.Locale, s), Selected: (resp.Score != nil || chosen != nil) && d.Score == s,
			Link: base + strconv.Itoa(s)})
	}
	v.Data = d
	p.render(w, r, status, "survey", v)
}

// surveyAnswer: POST /surveys/{token} (form_token, score[, comment]). Without
// a comment field (the script's post of a mail's click) the comment is kept.
func (p *Pages) surveyAnswer(w http.ResponseWriter, r *http.Request) {
	v := p.view(r)
	token := r.PathValue("token")
	resp, err := p.d.Surveys.ByToken(r.Context(), token)
	if err != nil {
		p.surveyFail(w, r, err)
		return
	}
	p.surveyLocale(r, v, resp)
	comment := r.PostFormValue("comment")
	var keep *string
	if _, ok := r.PostForm["comment"]; ok {
		keep = &comment
	} else {
		comment = resp.Comment
	}
	score, scoreErr := survey.ParseScore(strings.TrimSpace(r.PostFormValue("score")))
	var chosen *int
	if scoreErr == nil {
		chosen = &score
	}
	if !surveyTokenOK(r) {
		p.renderSurvey(w, r, v, http.StatusForbidden, resp, token, comment, v.T("error.csrf"), false, chosen)
		return
	}
	if !p.surveyLimit.Allow("survey:" + clientIP(r)).Allowed {
		p.renderSurvey(w, r, v, http.StatusTooManyRequests, resp, token, comment, v.T("error.rate_limited"), false, chosen)
		return
	}
	err = scoreErr
	if err == nil {
		resp, err = p.d.Surveys.AnswerByToken(r.Context(), token, score, keep)
	}
	if ve, ok := apperr.AsValidation(err); ok {
		msg := v.T("survey.error.score")
		if ve.Field == "comment" {
			msg = v.T("form.too_long", "field", v.T("survey.comment"))
		}
		p.renderSurvey(w, r, v, http.StatusBadRequest, resp, token, comment, msg, false, chosen)
		return
	}
	if err != nil {
		p.surveyFail(w, r, err)
		return
	}
	http.Redirect(w, r, "/surveys/"+url.PathEscape(token)+"?done=1", http.StatusSeeOther)
}

// surveyLocale shows the page in the customer's language (the mail's), unless
// the visitor is signed in or chose a language with the switcher: a link
// opened from an Indonesian mail should not answer in the browser's English.
func (p *Pages) surveyLocale(r *http.Request, v *View, resp survey.Response) {
	if v.SignedIn {
		return
	}
	if c, err := r.Cookie(langCookie); err == nil && c.Value != "" {
		return
	}
	u, err := p.d.Dir.GetUser(r.Context(), auth.SystemActor(), resp.CustomerID)
	if err != nil {
		return
	}
	if l := i18n.Normalize(u.Locale); l != "" && p.settings(r.Context()).Offers(l) {
		v.Locale, v.Dir = l, i18n.Dir(l)
	}
}

// surveyFail: a forged, mangled or deleted link is a 404 that says so.
func (p *Pages) surveyFail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, apperr.ErrNotFound) {
		w.Header().Set("Referrer-Policy", "no-referrer")
		p.errorPage(w, r, http.StatusNotFound, "survey.error.link")
		return
	}
	p.fail(w, r, err)
}
