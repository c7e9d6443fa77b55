package zendesk_test

import (
	"fmt"
	"net/http"
	"testing"

	"layan/internal/testkit"
)

func TestEndUserNeverReadsAnotherCustomersTicket(t *testing.T) {
	testkit.EachServer(t, func(t *testing.T, s *testkit.Server) {
		bobs := s.NewTicket(t, s.Bob, s.Billing.ID, "Bob's secret order", "my card ends in 4242")
		alices := s.NewTicket(t, s.Alice, s.Support.ID, "Alice's order", "where is it")
		bob, alice := s.Bob.UserID, s.Alice.UserID
		id := fmt.Sprint(bobs.ID)

		// By id, through the customer API: 404, never data.
		for _, path := range []string{"/api/v2/requests/" + id, "/api/v2/requests/" + id + ".json", "/api/v2/requests/" + id + "/comments"} {
			if code, body := call(t, s, alice, "GET", path, nil); code != http.StatusNotFound {
				t.Errorf("alice GET %s = %d %v", path, code, body)
			}
		}
		// Agent endpoints: 403 for customers, whatever the id.
		for _, path := range []string{"/api/v2/tickets/" + id, "/api/v2/tickets/show_many?ids=" + id, "/api/v2/tickets/" + id + "/comments",
			"/api/v2/search.json?query=secret", "/api/v2/tickets", "/api/v2/users", "/api/v2/search/count?query=secret"} {
			if code, body := call(t, s, alice, "GET", path, nil); code != http.StatusForbidden {
				t.Errorf("alice GET %s = %d %v", path, code, body)
			}
		}
		// Writing to someone else's request: 404.
		if code, _ := call(t, s, alice, "PUT", "/api/v2/requests/"+id, map[string]any{"request": map[string]any{"comment": map[string]any{"body": "hijack"}}}); code != http.StatusNotFound {
			t.Errorf("alice commented on bob's request: %d", code)
		}
		// Her own list has only hers; Bob's has only his.
		_, list := call(t, s, alice, "GET", "/api/v2/requests.json", nil)
		if reqs := list["requests"].([]any); len(reqs) != 1 || reqs[0].(map[string]any)["id"].(float64) != float64(alices.ID) {
			t.Errorf("alice's requests = %v", reqs)
		}
		code, own := call(t, s, bob, "GET", "/api/v2/requests/"+id, nil)
		if code != 200 || own["request"].(map[string]any)["subject"] != "Bob's secret order" {
			t.Errorf("bob reads his own request: %d %v", code, own)
		}
		// Another user's profile: 404.
		if code, _ := call(t, s, alice, "GET", fmt.Sprint("/api/v2/users/", bob), nil); code != http.StatusNotFound {
			t.Errorf("alice read bob's profile: %d", code)
		}
		if code, me := call(t, s, alice, "GET", "/api/v2/users/me.json", nil); code != 200 || me["user"].(map[string]any)["email"] != "alice@acme.test" {
			t.Errorf("me = %d %v", code, me)
		}
	})
}

func TestRolesOverTheAPI(t *testing.T) {
	testkit.EachServer(t, func(t *testing.T, s *testkit.Server) {
		tk := s.NewTicket(t, s.Alice, s.Support.ID, "Refund please", "the item was broken")
		path := fmt.Sprint("/api/v2/tickets/", tk.ID)
		reply := func(public bool) map[string]any {
			return map[string]any{"ticket": map[string]any{"comment": map[string]any{"body": "note", "public": public}}}
		}
		cases := []struct {
			name   string
			user   int64
			method string
			path   string
			body   any
			want   int
		}{
			{"admin reads", s.Admin.UserID, "GET", path, nil, 200},
			{"agent updates priority", s.Agent.UserID, "PUT", path, map[string]any{"ticket": map[string]any{"priority": "urgent"}}, 200},
			{"restricted agent cannot see other group", s.Restricted.UserID, "GET", path, nil, 404},
			{"light agent reads", s.Light.UserID, "GET", path, nil, 200},
			{"light agent adds internal note", s.Light.UserID, "PUT", path, reply(false), 200},
			{"light agent cannot change status", s.Light.UserID, "PUT", path, map[string]any{"ticket": map[string]any{"status": "solved"}}, 403},
			{"light agent cannot create tickets", s.Light.UserID, "POST", "/api/v2/tickets", map[string]any{"ticket": map[string]any{"comment": map[string]any{"body": "x"}}}, 403},
			{"customer cannot use ticket API", s.Alice.UserID, "PUT", path, reply(true), 403},
			{"customer of same sharing org reads it", s.Carol.UserID, "GET", fmt.Sprint("/api/v2/requests/", tk.ID), nil, 200},
			{"customer replies to own request", s.Alice.UserID, "PUT", fmt.Sprint("/api/v2/requests/", tk.ID), map[string]any{"request": map[string]any{"comment": map[string]any{"body": "any news?"}}}, 200},
			{"customer creates a request", s.Bob.UserID, "POST", "/api/v2/requests", map[string]any{"request": map[string]any{"subject": "Help", "comment": map[string]any{"body": "I need help"}}}, 201},
			{"agent cannot create an admin", s.Agent.UserID, "POST", "/api/v2/users", map[string]any{"user": map[string]any{"name": "X", "email": "x@x.test", "role": "admin"}}, 403},
			{"agent creates a customer", s.Agent.UserID, "POST", "/api/v2/users", map[string]any{"user": map[string]any{"name": "Y", "email": "y@y.test"}}, 201},
			{"customer cannot promote self", s.Bob.UserID, "PUT", fmt.Sprint("/api/v2/users/", s.Bob.UserID), map[string]any{"user": map[string]any{"role": "admin"}}, 403},
			{"customer renames self", s.Bob.UserID, "PUT", fmt.Sprint("/api/v2/users/", s.Bob.UserID), map[string]any{"user": map[string]any{"name": "Bobby"}}, 200},
			{"agent cannot create groups", s.Agent.UserID, "POST", "/api/v2/groups", map[string]any{"group": map[string]any{"name": "G"}}, 403},
			{"customer cannot list groups", s.Bob.UserID, "GET", "/api/v2/groups", nil, 403},
			{"anonymous gets 401", 0, "GET", "/api/v2/tickets", nil, 401},
			{"customer deletes nothing", s.Alice.UserID, "DELETE", path, nil, 403},
		}
		for _, c := range cases {
			code, body := call(t, s, c.user, c.method, c.path, c.body)
			if code != c.want {
				t.Errorf("%s: %s %s = %d, want %d (%v)", c.name, c.method, c.path, code, c.want, body)
			}
			if code >= 400 && body["error"] == nil {
				t.Errorf("%s: error response without Zendesk error shape: %v", c.name, body)
			}
		}
		// The customer never sees the light agent's internal note.
		_, cs := call(t, s, s.Alice.UserID, "GET", fmt.Sprint("/api/v2/requests/", tk.ID, "/comments"), nil)
		for _, c := range cs["comments"].([]any) {
			if !c.(map[string]any)["public"].(bool) {
				t.Errorf("customer sees an internal note: %v", c)
			}
		}
	})
}

func TestTokenAuthentication(t *testing.T) {
	s := testkit.NewServer(t, testkit.Engines()[0])
	tok := s.Tokens[s.Agent.UserID]
	try := func(setAuth func(r *http.Request)) int {
		req, _ := http.NewRequest("GET", s.URL+"/api/v2/users/me.json", nil)
		setAuth(req)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	cases := map[string]struct {
		auth func(r *http.Request)
		want int
	}{
		"basic email/token":   {func(r *http.Request) { r.SetBasicAuth("agent@layan.test/token", tok) }, 200},
		"basic email case":    {func(r *http.Request) { r.SetBasicAuth("AGENT@layan.test/token", tok) }, 200},
		"bearer":              {func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }, 200},
		"other user's email":  {func(r *http.Request) { r.SetBasicAuth("admin@layan.test/token", tok) }, 401},
		"wrong token":         {func(r *http.Request) { r.SetBasicAuth("agent@layan.test/token", tok+"x") }, 401},
		"password basic auth": {func(r *http.Request) { r.SetBasicAuth("agent@layan.test", "password-Agent") }, 401},
		"garbage":             {func(r *http.Request) { r.Header.Set("Authorization", "Basic !!!") }, 401},
	}
	for name, c := range cases {
		if got := try(c.auth); got != c.want {
			t.Errorf("%s: %d, want %d", name, got, c.want)
		}
	}
}
