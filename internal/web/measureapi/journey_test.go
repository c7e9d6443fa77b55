package measureapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"layan/internal/testkit"
	"layan/internal/ticket"
)

func TestJourneyAPI(t *testing.T) {
	testkit.EachServer(t, func(t *testing.T, s *testkit.Server) {
		ctx := context.Background()
		call := func(method, path string, userID int64, body string) (int, string) {
			t.Helper()
			req, _ := http.NewRequest(method, s.URL+path, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+s.Tokens[userID])
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
		id := func(n int64) string { return strconv.FormatInt(n, 10) }
		for _, ev := range []string{
			`{"customer_event":{"customer_id":` + id(s.Alice.UserID) + `,"type":"purchase","value_cents":5000}}`,
			`{"customer_event":{"customer_id":` + id(s.Bob.UserID) + `,"type":"purchase","value_cents":900}}`,
		} {
			if code, body := call("POST", "/api/layan/v1/customer_events", s.Agent.UserID, ev); code != 201 {
				t.Fatalf("event: %d %s", code, body)
			}
		}
		if _, err := s.Tickets.Create(ctx, s.Agent, ticket.NewTicket{Subject: "s", RequesterID: s.Alice.UserID, GroupID: s.Support.ID,
			Via: "chat", Tags: []string{"billing"}, Comment: ticket.NewComment{Body: "b"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.App.DB.W.ExecContext(ctx, `UPDATE customer_events SET occurred_at = occurred_at - 1000`); err != nil {
			t.Fatal(err)
		}

		code, body := call("GET", "/api/layan/v1/journey/contacts", s.Admin.UserID, "")
		var c struct {
			C struct {
				Buckets   []string `json:"buckets"`
				Customers int      `json:"customers"`
				Total     []int    `json:"total"`
				ByChannel []struct {
					Key    string `json:"key"`
					Counts []int  `json:"counts"`
				} `json:"by_channel"`
				ByTopic []struct {
					Key string `json:"key"`
				} `json:"by_topic"`
			} `json:"journey_contacts"`
		}
		if err := json.Unmarshal([]byte(body), &c); code != 200 || err != nil || len(c.C.Buckets) != 27 || c.C.Customers != 2 ||
			c.C.Total[1] != 1 || len(c.C.ByChannel) != 1 || c.C.ByChannel[0].Key != "chat" || c.C.ByTopic[0].Key != "billing" {
			t.Errorf("contacts: %d %s", code, body)
		}
		if code, body := call("GET", "/api/layan/v1/journey/contacts?organization_id="+id(s.Acme.ID), s.Admin.UserID, ""); code != 200 || !strings.Contains(body, `"customers":1`) {
			t.Errorf("contacts of Acme: %d %s", code, body)
		}
		if code, body := call("GET", "/api/layan/v1/journey/churned_vs_retained", s.Admin.UserID, ""); code != 200 ||
			!strings.Contains(body, `"retained":{"customers":2,"contacts":1,`) || !strings.Contains(body, `"ratio":null`) {
			t.Errorf("churned vs retained: %d %s", code, body)
		}
		// Bad input is a 4xx with a sentence; agents, light agents and customers may not read the figures.
		for _, p := range []string{"/api/layan/v1/journey/contacts", "/api/layan/v1/journey/churned_vs_retained"} {
			for _, q := range []string{"?organization_id=abc", "?organization_id=999999"} {
				if code, body := call("GET", p+q, s.Admin.UserID, ""); code != 422 || !strings.Contains(body, "organization_id") {
					t.Errorf("%s%s: %d %s", p, q, code, body)
				}
			}
			for _, u := range []int64{s.Agent.UserID, s.Light.UserID, s.Alice.UserID} {
				if code, _ := call("GET", p, u, ""); code != 403 {
					t.Errorf("%s by %d: %d", p, u, code)
				}
			}
		}
		if code, _ := call("GET", "/api/layan/v1/churn_risk?weeks=abc", s.Admin.UserID, ""); code != 422 {
			t.Errorf("weeks=abc: %d", code)
		}

		// Reach out: a ticket to the customer, assigned to the caller, public first comment.
		ro := "/api/layan/v1/churn_risk/" + id(s.Bob.UserID) + "/reach_out"
		code, body = call("POST", ro, s.Agent.UserID, `{"subject":"How are things?","message":"Hello Bob"}`)
		var tk struct {
			Ticket struct {
				ID          int64    `json:"id"`
				RequesterID int64    `json:"requester_id"`
				AssigneeID  int64    `json:"assignee_id"`
				Tags        []string `json:"tags"`
				Via         struct {
					Channel string `json:"channel"`
				} `json:"via"`
			} `json:"ticket"`
		}
		if err := json.Unmarshal([]byte(body), &tk); code != 201 || err != nil || tk.Ticket.RequesterID != s.Bob.UserID ||
			tk.Ticket.AssigneeID != s.Agent.UserID || len(tk.Ticket.Tags) != 1 || tk.Ticket.Tags[0] != "proactive" || tk.Ticket.Via.Channel != "api" {
			t.Fatalf("reach out: %d %s", code, body)
		}
		cs, err := s.Tickets.Comments(ctx, s.Admin, tk.Ticket.ID, 0, 10)
		if err != nil || len(cs) != 1 || !cs[0].Public || cs[0].AuthorID != s.Agent.UserID || cs[0].Body != "Hello Bob" {
			t.Errorf("comments: %+v %v", cs, err)
		}
		for _, u := range []int64{s.Light.UserID, s.Alice.UserID} {
			if code, _ := call("POST", ro, u, `{"subject":"s","message":"m"}`); code != 403 {
				t.Errorf("reach out by %d: %d", u, code)
			}
		}
		if code, body := call("POST", ro, s.Admin.UserID, `{"subject":"","message":"m"}`); code != 422 || !strings.Contains(body, "subject") {
			t.Errorf("no subject: %d %s", code, body)
		}
		if code, _ := call("POST", "/api/layan/v1/churn_risk/"+id(s.Agent.UserID)+"/reach_out", s.Admin.UserID, `{"subject":"s","message":"m"}`); code != 404 {
			t.Errorf("reach out to an agent: %d", code)
		}
		if code, _ := call("POST", ro, s.Admin.UserID, `{"subject":`); code != 400 && code != 422 {
			t.Errorf("broken JSON: %d", code)
		}
	})
}
