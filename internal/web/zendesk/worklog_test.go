package zendesk_test

import (
	"fmt"
	"net/http"
	"testing"

	"layan/internal/testkit"
)

func TestTimeEntriesRoundTrip(t *testing.T) {
	testkit.EachServer(t, func(t *testing.T, s *testkit.Server) {
		tk := s.NewTicket(t, s.Alice, s.Support.ID, "Call me back", "about the invoice")
		path := fmt.Sprint("/api/layan/v1/tickets/", tk.ID, "/time_entries")
		agent, light, admin := s.Agent.UserID, s.Light.UserID, s.Admin.UserID

		code, body := call(t, s, agent, "POST", path, map[string]any{"seconds": 90, "source": "api"})
		if code != http.StatusCreated {
			t.Fatalf("POST = %d %v", code, body)
		}
		e := body["time_entry"].(map[string]any)
		if e["seconds"] != 90.0 || e["milliseconds"] != 90000.0 || e["source"] != "api" || e["agent_id"] != float64(agent) ||
			e["ticket_id"] != float64(tk.ID) || e["id"] == 0.0 || e["created_at"] == "" {
			t.Fatalf("entry %v", e)
		}
		// The source defaults to api; a light agent who sees the ticket logs too.
		if code, body := call(t, s, light, "POST", path+".json", map[string]any{"seconds": 30}); code != http.StatusCreated ||
			body["time_entry"].(map[string]any)["source"] != "api" {
			t.Fatalf("light agent POST = %d %v", code, body)
		}

		// Refused: out of bounds or malformed, and nothing is written.
		for _, c := range []struct {
			body any
			want int
		}{
			{map[string]any{"seconds": 0}, 422},
			{map[string]any{"seconds": 43201}, 422},
			{map[string]any{"seconds": -5}, 422},
			{`{"seconds": 1000000000000000000}`, 422}, // would wrap round if multiplied unchecked
			{map[string]any{"seconds": 60, "source": "stopwatch"}, 422},
			{map[string]any{"seconds": 1.5}, 400},
			{map[string]any{"seconds": "60"}, 400},
			{map[string]any{"seconds": 60, "agent_id": admin}, 400}, // nobody logs for someone else
			{`{"seconds": 60`, 400},
		} {
			if code, body := call(t, s, agent, "POST", path, c.body); code != c.want {
				t.Errorf("POST %v = %d %v, want %d", c.body, code, body, c.want)
			}
		}

		// Who may: customers 403 (even on their own ticket), other groups' restricted agents 404.
		for _, c := range []struct {
			name   string
			user   int64
			method string
			want   int
		}{
			{"requester reads", s.Alice.UserID, "GET", 403},
			{"requester logs", s.Alice.UserID, "POST", 403},
			{"other customer logs", s.Bob.UserID, "POST", 403},
			{"restricted agent reads", s.Restricted.UserID, "GET", 404},
			{"restricted agent logs", s.Restricted.UserID, "POST", 404},
			{"anonymous", 0, "GET", 401},
		} {
			var b any
			if c.method == "POST" {
				b = map[string]any{"seconds": 60}
			}
			if code, body := call(t, s, c.user, c.method, path, b); code != c.want {
				t.Errorf("%s: %d %v, want %d", c.name, code, body, c.want)
			}
		}
		if code, _ := call(t, s, agent, "GET", fmt.Sprint("/api/layan/v1/tickets/", tk.ID+1000, "/time_entries"), nil); code != 404 {
			t.Errorf("unknown ticket: %d", code)
		}

		code, body = call(t, s, admin, "GET", path, nil)
		if code != http.StatusOK {
			t.Fatalf("GET = %d %v", code, body)
		}
		entries := body["time_entries"].([]any)
		if len(entries) != 2 || entries[0].(map[string]any)["agent_id"] != float64(agent) || entries[1].(map[string]any)["seconds"] != 30.0 {
			t.Fatalf("entries %v", entries)
		}
		tot := body["totals"].(map[string]any)
		agents := tot["agents"].([]any)
		if tot["seconds"] != 120.0 || tot["milliseconds"] != 120000.0 || tot["entries"] != 2.0 || len(agents) != 2 ||
			agents[0].(map[string]any)["agent_id"] != float64(agent) || agents[0].(map[string]any)["seconds"] != 90.0 ||
			agents[1].(map[string]any)["agent_id"] != float64(light) {
			t.Fatalf("totals %v", tot)
		}

		// The event log carries them in the documented format.
		_, evs := call(t, s, admin, "GET", fmt.Sprint("/api/layan/v1/tickets/", tk.ID, "/events"), nil)
		var work []map[string]any
		for _, e := range evs["events"].([]any) {
			if m := e.(map[string]any); m["type"] == "ticket.work_logged" {
				work = append(work, m)
			}
		}
		if len(work) != 2 || work[0]["field"] != "api" || work[0]["after"] != "90000" || work[0]["actor_id"] != float64(agent) ||
			work[0]["before"] != nil {
			t.Fatalf("work events %v", work)
		}
	})
}
