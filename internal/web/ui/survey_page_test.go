package ui_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"layan/internal/auth"
	"layan/internal/survey"
)

func TestSurveyPage(t *testing.T) {
	e := newMeasureEnv(t)
	ctx := context.Background()
	w := e.w
	t1, t2 := e.solved(w.Alice, w.Support.ID), e.solved(w.Bob, w.Support.ID)
	r1, _, err := e.surveys.OfferForTicket(ctx, auth.SystemActor(), t1.ID, survey.CSAT)
	if err != nil {
		t.Fatal(err)
	}
	r2, _, _ := e.surveys.OfferForTicket(ctx, auth.SystemActor(), t2.ID, survey.CSAT)
	tok, _ := e.surveys.Token(ctx, r1)
	tok2, _ := e.surveys.Token(ctx, r2)

	// One click from the mail opens the page with the score chosen. The GET
	// records nothing (mail scanners open every link); the page's script
	// posts the score without a comment field, and that records it.
	rec := e.get(anonymous, "/surveys/"+tok+"?score=4")
	wantStatus(t, rec, http.StatusOK)
	wantContains(t, rec.Body.String(), `id="survey-pending"`, `data-survey-autosend`, `value="4" checked`, "How satisfied are you")
	if rec.Header().Get("Referrer-Policy") != "no-referrer" {
		t.Error("the token could leak through the Referer header")
	}
	if got, _ := e.surveys.ByToken(ctx, tok); got.Score != nil {
		t.Fatalf("opening the link recorded %d", *got.Score)
	}
	form, cookie := surveyForm(t, rec)
	rec = e.post(anonymous, "/surveys/"+tok, url.Values{"score": {"4"}, "form_token": {form}}, "Cookie", cookie)
	wantStatus(t, rec, http.StatusSeeOther)
	got, _ := e.surveys.ByToken(ctx, tok)
	if got.Score == nil || *got.Score != 4 {
		t.Fatalf("score: %+v", got.Score)
	}
	rec = e.get(anonymous, "/surveys/"+tok+"?score=4")
	wantContains(t, rec.Body.String(), `id="survey-thanks"`, `value="4" checked`)
	if strings.Contains(rec.Body.String(), "data-survey-autosend") {
		t.Error("the recorded score would be posted again")
	}

	// Forged: another response's id with this signature, a mangled token, no dot.
	forged := strconv.FormatInt(r2.ID, 10) + tok[strings.Index(tok, "."):]
	for _, bad := range []string{forged, tok + "x", "12345", "abc.def", url.PathEscape("<script>")} {
		rec := e.get(anonymous, "/surveys/"+bad+"?score=1")
		wantStatus(t, rec, http.StatusNotFound)
		wantContains(t, rec.Body.String(), "This survey link is not valid")
	}
	if got, _ := e.surveys.ByToken(ctx, tok2); got.Score != nil {
		t.Fatal("a forged link answered another ticket's survey")
	}
	// A score off the scale is a 400 that says so; nothing changes.
	for _, s := range []string{"9", "-1", "lots"} {
		rec := e.get(anonymous, "/surveys/"+tok+"?score="+s)
		wantStatus(t, rec, http.StatusBadRequest)
		wantContains(t, rec.Body.String(), "Choose one of the numbers on the scale.")
	}

	// The comment form: the double-submit token is required.
	rec = e.get(anonymous, "/surveys/"+tok)
	formToken, cookie := surveyForm(t, rec)
	rec = e.post(anonymous, "/surveys/"+tok, url.Values{"score": {"2"}, "comment": {"too slow"}, "form_token": {"wrong"}}, "Cookie", cookie)
	wantStatus(t, rec, http.StatusForbidden)
	// The form comes back as sent, and its script does not post it by itself.
	wantContains(t, rec.Body.String(), `value="2" checked`, "too slow")
	if strings.Contains(rec.Body.String(), "data-survey-autosend") {
		t.Error("a refused form would be posted again by the script")
	}
	rec = e.post(anonymous, "/surveys/"+tok, url.Values{"score": {"2"}, "comment": {strings.Repeat("x", survey.MaxComment+1)}, "form_token": {formToken}}, "Cookie", cookie)
	wantStatus(t, rec, http.StatusBadRequest)
	rec = e.post(anonymous, "/surveys/"+tok, url.Values{"score": {"2"}, "comment": {"<b>too</b> slow"}, "form_token": {formToken}}, "Cookie", cookie)
	wantStatus(t, rec, http.StatusSeeOther)
	rec = e.get(anonymous, rec.Header().Get("Location"))
	wantContains(t, rec.Body.String(), `id="survey-done"`, "&lt;b&gt;too&lt;/b&gt; slow")
	got, _ = e.surveys.ByToken(ctx, tok)
	if *got.Score != 2 || got.Comment != "<b>too</b> slow" {
		t.Fatalf("answer: %d %q", *got.Score, got.Comment)
	}
	// A later click in the mail changes the score and keeps the comment.
	rec = e.post(anonymous, "/surveys/"+tok, url.Values{"score": {"5"}, "form_token": {formToken}}, "Cookie", cookie)
	wantStatus(t, rec, http.StatusSeeOther)
	if got, _ = e.surveys.ByToken(ctx, tok); *got.Score != 5 || got.Comment != "<b>too</b> slow" {
		t.Fatalf("after a second click: %d %q", *got.Score, got.Comment)
	}
	// The page speaks the customer's language (the mail's), whatever the
	// browser says, unless the visitor picks one with the switcher.
	setLocale(t, e, w.Alice, "fa")
	rec = e.get(anonymous, "/surveys/"+tok, "Accept-Language", "en")
	wantContains(t, rec.Body.String(), `dir="rtl"`, "<span>۵</span>", "از کمکی که دریافت کردید")
	rec = e.get(anonymous, "/surveys/"+tok, "Cookie", "layan_lang=en")
	wantContains(t, rec.Body.String(), `dir="ltr"`, "How satisfied are you")
}

func TestSurveyRateLimit(t *testing.T) {
	e := newMeasureEnv(t)
	ctx := context.Background()
	tk := e.solved(e.w.Alice, e.w.Support.ID)
	r, _, _ := e.surveys.OfferForTicket(ctx, auth.SystemActor(), tk.ID, survey.CSAT)
	tok, _ := e.surveys.Token(ctx, r)
	form, cookie := surveyForm(t, e.get(anonymous, "/surveys/"+tok+"?score=5"))
	limited := false
	for i := 0; i < 80 && !limited; i++ {
		rec := e.post(anonymous, "/surveys/"+tok, url.Values{"score": {"5"}, "form_token": {form}}, "Cookie", cookie)
		limited = rec.Code == http.StatusTooManyRequests
	}
	if !limited {
		t.Fatal("no rate limit on one-click answers")
	}
}

// surveyForm reads the survey form's double-submit token and its cookie.
func surveyForm(t *testing.T, rec *httptest.ResponseRecorder) (token, cookie string) {
	t.Helper()
	m := formTokenRE.FindStringSubmatch(rec.Body.String())
	for _, c := range rec.Result().Cookies() {
		if c.Name == "layan_survey_form" {
			cookie = c.Name + "=" + c.Value
			if c.Path != "/surveys" || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode {
				t.Errorf("cookie: %+v", c)
			}
		}
	}
	if m == nil || cookie == "" {
		t.Fatal("no form token")
	}
	return m[1], cookie
}

func TestSuggestionBoard(t *testing.T) {
	e := newMeasureEnv(t)
	w := e.w
	agent, admin := e.login(w.Agent), e.login(w.Admin)
	rec := e.post(agent, "/agent/suggestions", url.Values{"title": {""}})
	wantStatus(t, rec, http.StatusBadRequest)
	rec = e.post(agent, "/agent/suggestions", url.Values{"title": {"Macro for <refunds>"}, "body": {"We type it daily"}})
	wantStatus(t, rec, http.StatusSeeOther)
	loc := rec.Header().Get("Location")
	id := strings.TrimPrefix(strings.Split(loc, "?")[0], "/agent/suggestions/")
	wantStatus(t, e.post(admin, "/agent/suggestions/"+id+"/vote", url.Values{"up": {"1"}}), http.StatusSeeOther)
	wantStatus(t, e.post(admin, "/agent/suggestions/"+id+"/comments", url.Values{"body": {"Good idea"}}), http.StatusSeeOther)
	wantStatus(t, e.post(admin, "/agent/suggestions/"+id+"/comments", url.Values{"body": {" "}}), http.StatusBadRequest)
	// Agents cannot set the status; managers can, to a known one.
	wantStatus(t, e.post(agent, "/agent/suggestions/"+id+"/status", url.Values{"status": {"done"}}), http.StatusForbidden)
	wantStatus(t, e.post(admin, "/agent/suggestions/"+id+"/status", url.Values{"status": {"shipped"}}), http.StatusBadRequest)
	wantStatus(t, e.post(admin, "/agent/suggestions/"+id+"/status", url.Values{"status": {"planned"}}), http.StatusSeeOther)
	rec = e.get(agent, "/agent/suggestions/"+id)
	wantStatus(t, rec, http.StatusOK)
	wantContains(t, rec.Body.String(), "Macro for &lt;refunds&gt;", "Good idea", "Planned", "(1)")
	if strings.Contains(rec.Body.String(), `name="status"`) {
		t.Error("agents get the status form")
	}
	rec = e.get(agent, "/agent/suggestions?status=planned")
	wantContains(t, rec.Body.String(), "Macro for &lt;refunds&gt;", "1 comment")
}

// The requester rates a solved request on its portal page.
func TestPortalRating(t *testing.T) {
	e := newMeasureEnv(t)
	w := e.w
	tk := e.solved(w.Bob, w.Support.ID)
	bob := e.login(w.Bob)
	rec := e.get(bob, "/portal/requests/"+itoa(tk.ID))
	wantStatus(t, rec, http.StatusOK)
	wantContains(t, rec.Body.String(), `action="/portal/requests/`+itoa(tk.ID)+`/rating"`, "How satisfied are you")
	wantStatus(t, e.post(bob, "/portal/requests/"+itoa(tk.ID)+"/rating", url.Values{"score": {"7"}}), http.StatusBadRequest)
	wantStatus(t, e.post(bob, "/portal/requests/"+itoa(tk.ID)+"/rating", url.Values{"score": {"4"}, "comment": {"Cepat"}}), http.StatusSeeOther)
	rec = e.get(bob, "/portal/requests/"+itoa(tk.ID)+"?done=rated")
	wantContains(t, rec.Body.String(), `value="4" checked`, "Cepat")
	list, _ := e.surveys.List(context.Background(), w.Admin, survey.ListQuery{Kind: survey.CSAT, Answered: true})
	if len(list) != 1 || *list[0].Score != 4 || list[0].Comment != "Cepat" || list[0].CustomerID != w.Bob.UserID {
		t.Fatalf("rating: %+v", list)
	}
	// Someone else cannot rate Bob's request; an open request shows no form.
	if rec := e.post(e.login(w.Alice), "/portal/requests/"+itoa(tk.ID)+"/rating", url.Values{"score": {"1"}}); rec.Code != http.StatusForbidden && rec.Code != http.StatusNotFound {
		t.Errorf("Alice rated Bob's request: %d", rec.Code)
	}
	open := w.NewTicket(t, w.Bob, w.Support.ID, "Open", "still open")
	if strings.Contains(e.get(bob, "/portal/requests/"+itoa(open.ID)).Body.String(), "/rating") {
		t.Error("an open request offers a rating")
	}
}
