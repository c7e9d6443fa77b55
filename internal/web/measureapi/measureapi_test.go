package measureapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"layan/internal/auth"
	"layan/internal/survey"
	"layan/internal/testkit"
	"layan/internal/ticket"
	"layan/internal/web/measureapi"
)

func TestSafeCell(t *testing.T) {
	for in, want := range map[string]string{"=1+2": "'=1+2", "+1": "'+1", "-25": "'-25", "@SUM(A1)": "'@SUM(A1)",
		"\tx": "'\tx", "\rx": "'\rx", "ok": "ok", "": "", "2026-11-02": "2026-11-02"} {
		if got := measureapi.SafeCell(in); got != want {
			t.Errorf("SafeCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAPI(t *testing.T) {
	testkit.EachServer(t, func(t *testing.T, s *testkit.Server) {
		ctx := context.Background()
		call := func(method, path string, userID int64, body string) (int, string) {
			t.Helper()
			req, _ := http.NewRequest(method, s.URL+path, strings.NewReader(body))
			if userID != 0 {
				req.Header.Set("Authorization", "Bearer "+s.Tokens[userID])
			}
			if body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return res.StatusCode, string(b)
		}
		mk := func(req auth.Actor) ticket.Ticket {
			tk, err := s.Tickets.Create(ctx, s.Agent, ticket.NewTicket{Subject: "s", RequesterID: req.UserID, GroupID: s.Support.ID,
				AssigneeID: s.Agent.UserID, Via: "email", Comment: ticket.NewComment{Body: "b"}})
			if err != nil {
				t.Fatal(err)
			}
			st := "solved"
			if tk, err = s.Tickets.Update(ctx, s.Agent, tk.ID, ticket.Patch{Status: &st}); err != nil {
				t.Fatal(err)
			}
			return tk
		}
		t1, t2 := mk(s.Alice), mk(s.Bob)
		r1, _, err := s.App.Surveys.OfferForTicket(ctx, auth.SystemActor(), t1.ID, survey.CSAT)
		if err != nil {
			t.Fatal(err)
		}
		tok, _ := s.App.Surveys.Token(ctx, r1)

		// One click from the email, signed in or not; a forged token is 404.
		if code, body := call("GET", "/api/layan/v1/surveys/"+tok+"?score=good", 0, ""); code != 200 || !strings.Contains(body, `"score":5`) {
			t.Fatalf("one click: %d %s", code, body)
		}
		if code, _ := call("GET", "/api/layan/v1/surveys/"+strconv.FormatInt(r1.ID+1, 10)+tok[strings.Index(tok, "."):], 0, ""); code != 404 {
			t.Errorf("forged token: %d", code)
		}
		if code, body := call("POST", "/api/layan/v1/surveys/"+tok, 0, `{"score":"bad","comment":"slow"}`); code != 200 || !strings.Contains(body, `"comment":"slow"`) {
			t.Errorf("answer with comment: %d %s", code, body)
		}
		// Zendesk: the requester rates; others may not.
		if code, _ := call("POST", "/api/v2/tickets/"+strconv.FormatInt(t2.ID, 10)+"/satisfaction_rating", s.Alice.UserID, `{"satisfaction_rating":{"score":"good"}}`); code != 403 && code != 404 {
			t.Errorf("Alice rating Bob's ticket: %d", code)
		}
		if code, body := call("POST", "/api/v2/tickets/"+strconv.FormatInt(t2.ID, 10)+"/satisfaction_rating", s.Bob.UserID, `{"satisfaction_rating":{"score":"good","comment":"thanks"}}`); code != 200 || !strings.Contains(body, `"score":"good"`) {
			t.Errorf("Bob rating: %d %s", code, body)
		}
		code, body := call("GET", "/api/v2/satisfaction_ratings.json?score=good", s.Admin.UserID, "")
		var list struct {
			Ratings []measureapi.Rating `json:"satisfaction_ratings"`
			Count   int                 `json:"count"`
		}
		if err := json.Unmarshal([]byte(body), &list); code != 200 || err != nil || list.Count != 1 || list.Ratings[0].TicketID != t2.ID ||
			*list.Ratings[0].AssigneeID != s.Agent.UserID || list.Ratings[0].Comment != "thanks" {
			t.Errorf("list good: %d %s", code, body)
		}
		if code, body := call("GET", "/api/v2/satisfaction_ratings/"+strconv.FormatInt(r1.ID, 10), s.Agent.UserID, ""); code != 200 || !strings.Contains(body, `"score":"bad"`) {
			t.Errorf("show: %d %s", code, body)
		}
		if code, _ := call("GET", "/api/v2/satisfaction_ratings", s.Alice.UserID, ""); code != 403 {
			t.Errorf("customer list: %d", code)
		}

		// KPIs: today against yesterday, by day, CSV.
		today := time.Now().UTC().Format("2006-01-02")
		tomorrow := time.Now().UTC().AddDate(0, 0, 1).Format("2006-01-02")
		code, body = call("GET", "/api/layan/v1/kpis?from="+today+"&to="+tomorrow, s.Admin.UserID, "")
		var sum struct {
			KPIs     struct{ Created, Resolved int } `json:"kpis"`
			Previous struct{ Created int }           `json:"previous"`
		}
		if err := json.Unmarshal([]byte(body), &sum); code != 200 || err != nil || sum.KPIs.Created != 2 || sum.KPIs.Resolved != 2 || sum.Previous.Created != 0 {
			t.Errorf("kpis: %d %s", code, body)
		}
		if code, _ := call("GET", "/api/layan/v1/kpis?agent_id="+strconv.FormatInt(s.Admin.UserID, 10), s.Agent.UserID, ""); code != 403 {
			t.Errorf("agent reading the admin's figures: %d", code)
		}
		if code, _ := call("GET", "/api/layan/v1/kpis", s.Bob.UserID, ""); code != 403 {
			t.Errorf("customer reading KPIs: %d", code)
		}
		if code, _ := call("GET", "/api/layan/v1/kpis?from=nope", s.Admin.UserID, ""); code != 422 && code != 400 {
			t.Errorf("bad date: %d", code)
		}
		if code, body := call("GET", "/api/layan/v1/kpis/series?by=week&group_id="+strconv.FormatInt(s.Support.ID, 10), s.Admin.UserID, ""); code != 200 || !strings.Contains(body, `"series"`) {
			t.Errorf("series: %d %s", code, body)
		}
		code, body = call("GET", "/api/layan/v1/reports/created?by=day&format=csv&from="+today+"&to="+tomorrow, s.Admin.UserID, "")
		if code != 200 || !strings.HasPrefix(body, "from,to,created,previous_created\n") || !strings.Contains(body, ",2,0\n") {
			t.Errorf("csv: %d %q", code, body)
		}
		if code, _ := call("GET", "/api/layan/v1/reports/nope", s.Admin.UserID, ""); code != 404 {
			t.Errorf("unknown kpi: %d", code)
		}

		// Customer events and the churn-risk list.
		ev := `{"customer_event":{"customer_id":` + strconv.FormatInt(s.Carol.UserID, 10) + `,"type":"purchase","value_cents":900}}`
		if code, body := call("POST", "/api/layan/v1/customer_events", s.Agent.UserID, ev); code != 201 {
			t.Errorf("record event: %d %s", code, body)
		}
		ev = `{"customer_event":{"customer_id":` + strconv.FormatInt(s.Carol.UserID, 10) + `,"type":"cancellation"}}`
		call("POST", "/api/layan/v1/customer_events", s.Agent.UserID, ev)
		if code, body := call("GET", "/api/layan/v1/customers/"+strconv.FormatInt(s.Carol.UserID, 10)+"/journey", s.Agent.UserID, ""); code != 200 || !strings.Contains(body, `"lifetime_value_cents":900`) {
			t.Errorf("journey: %d %s", code, body)
		}
		if code, body := call("GET", "/api/layan/v1/churn_risk?weeks=4", s.Admin.UserID, ""); code != 200 || !strings.Contains(body, `"reason":"cancelled"`) {
			t.Errorf("churn risk: %d %s", code, body)
		}
		if code, _ := call("GET", "/api/layan/v1/churn_risk", s.Agent.UserID, ""); code != 403 {
			t.Errorf("agent churn risk: %d", code)
		}

		// The suggestion board.
		code, body = call("POST", "/api/layan/v1/suggestions", s.Agent.UserID, `{"suggestion":{"title":"Macros for refunds"}}`)
		var sg struct{ Suggestion struct{ ID int64 } }
		if err := json.Unmarshal([]byte(body), &sg); code != 201 || err != nil {
			t.Fatalf("post suggestion: %d %s", code, body)
		}
		sp := "/api/layan/v1/suggestions/" + strconv.FormatInt(sg.Suggestion.ID, 10)
		if code, body := call("POST", sp+"/vote", s.Restricted.UserID, ""); code != 200 || !strings.Contains(body, `"votes":1`) {
			t.Errorf("vote: %d %s", code, body)
		}
		if code, _ := call("PUT", sp, s.Agent.UserID, `{"suggestion":{"status":"done"}}`); code != 403 {
			t.Errorf("agent sets status: %d", code)
		}
		if code, body := call("PUT", sp, s.Admin.UserID, `{"suggestion":{"status":"planned"}}`); code != 200 || !strings.Contains(body, `"status":"planned"`) {
			t.Errorf("status: %d %s", code, body)
		}
		if code, _ := call("GET", "/api/layan/v1/suggestions", s.Bob.UserID, ""); code != 403 {
			t.Errorf("customer reads the board: %d", code)
		}

		// Goals: admins set them; the owner's group reads the progress.
		deadline := time.Now().UTC().AddDate(0, 0, 28).Format("2006-01-02")
		goal := `{"goal":{"name":"Quick","kpi":"resolution_avg_hours","target":8,"start_at":"` + today + `","deadline":"` + deadline + `","owner_group_id":` + strconv.FormatInt(s.Support.ID, 10) + `}}`
		if code, _ := call("POST", "/api/layan/v1/goals", s.Agent.UserID, goal); code != 403 {
			t.Errorf("agent sets a goal: %d", code)
		}
		code, body = call("POST", "/api/layan/v1/goals", s.Admin.UserID, goal)
		var created struct{ Goal struct{ ID int64 } }
		if err := json.Unmarshal([]byte(body), &created); code != 201 || err != nil {
			t.Fatalf("create goal: %d %s", code, body)
		}
		if code, body := call("GET", "/api/layan/v1/goals/"+strconv.FormatInt(created.Goal.ID, 10), s.Agent.UserID, ""); code != 200 || !strings.Contains(body, `"status":"on_track"`) {
			t.Errorf("goal progress: %d %s", code, body)
		}
	})
}
