package flowapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"layan/internal/testkit"
	"layan/internal/ticket"
)

// Followers, CCs, side conversations and notifications over the API: staff
// only, bad input is a 4xx that changes nothing.
func TestCollabAPI(t *testing.T) {
	testkit.EachServer(t, func(t *testing.T, s *testkit.Server) {
		ctx := context.Background()
		admin, agent, alice, light := s.Admin.UserID, s.Agent.UserID, s.Alice.UserID, s.Light.UserID
		tk := s.NewTicket(t, s.Alice, s.Support.ID, "Paket hilang", "Tolong")
		base := fmt.Sprintf("/api/layan/v1/tickets/%d", tk.ID)

		if st, _ := call(t, s, alice, "GET", base+"/followers", nil); st != http.StatusForbidden {
			t.Fatalf("customer listed followers: %d", st)
		}
		// The light agent follows it themself; the agent adds the admin.
		if st, body := call(t, s, light, "POST", base+"/followers", map[string]any{"follower": map[string]any{}}); st != http.StatusOK {
			t.Fatalf("follow: %d %v", st, body)
		}
		if st, _ := call(t, s, light, "POST", base+"/followers", map[string]any{"follower": map[string]any{"user_id": admin}}); st != http.StatusForbidden {
			t.Fatalf("a light agent added someone else: %d", st)
		}
		st, body := call(t, s, agent, "POST", base+"/followers", map[string]any{"follower": map[string]any{"user_id": admin}})
		if st != http.StatusOK || len(body["followers"].([]any)) != 2 {
			t.Fatalf("add follower: %d %v", st, body)
		}
		if st, _ := call(t, s, agent, "POST", base+"/followers", map[string]any{"follower": map[string]any{"user_id": s.Bob.UserID}}); st != http.StatusUnprocessableEntity {
			t.Fatalf("customer as follower: %d", st)
		}
		if st, _ := call(t, s, agent, "POST", base+"/followers", map[string]any{"follower": map[string]any{"user_id": "x"}}); st != http.StatusBadRequest && st != http.StatusUnprocessableEntity {
			t.Fatalf("bad user id: %d", st)
		}
		if st, _ := call(t, s, agent, "POST", base+"/email_ccs", map[string]any{"email_cc": map[string]any{"email": "bob@example.test"}}); st != http.StatusCreated {
			t.Fatalf("add CC: %d", st)
		}
		if st, _ := call(t, s, agent, "POST", base+"/email_ccs", map[string]any{"email_cc": map[string]any{}}); st != http.StatusUnprocessableEntity {
			t.Fatalf("empty CC: %d", st)
		}
		_, body = call(t, s, agent, "GET", base+"/followers", nil)
		if len(body["followers"].([]any)) != 2 || len(body["email_ccs"].([]any)) != 1 {
			t.Fatalf("participants = %v", body)
		}
		if st, _ := call(t, s, light, "DELETE", fmt.Sprintf("%s/followers/%d", base, light), nil); st != http.StatusNoContent {
			t.Fatalf("unfollow: %d", st)
		}

		// A mention in an internal note reaches the agent's notifications
		// (an unknown address mentions nobody).
		priv := false
		if _, err := s.Tickets.Update(ctx, s.Admin, tk.ID, ticket.Patch{Comment: &ticket.NewComment{Body: "@agent@example.test please look", Public: &priv}}); err != nil {
			t.Fatal(err)
		}
		agentUser, _ := s.Dir.GetUser(ctx, s.Admin, agent)
		if _, err := s.Tickets.Update(ctx, s.Admin, tk.ID, ticket.Patch{Comment: &ticket.NewComment{Body: "@" + agentUser.Email + " please look", Public: &priv}}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.App.Collab.Process(ctx); err != nil {
			t.Fatal(err)
		}
		_, body = call(t, s, agent, "GET", "/api/layan/v1/notifications", nil)
		ns := body["notifications"].([]any)
		if len(ns) != 1 || ns[0].(map[string]any)["kind"] != "mention" || num(body["unread_count"]) != 1 {
			t.Fatalf("notifications = %v", body)
		}
		nid := num(ns[0].(map[string]any)["id"])
		if st, _ := call(t, s, admin, "POST", fmt.Sprintf("/api/layan/v1/notifications/%d/read", nid), nil); st != http.StatusNotFound {
			t.Fatalf("read someone else's notification: %d", st)
		}
		if st, _ := call(t, s, agent, "POST", fmt.Sprintf("/api/layan/v1/notifications/%d/read", nid), nil); st != http.StatusNoContent {
			t.Fatalf("read: %d", st)
		}

		// Side conversations.
		if st, _ := call(t, s, agent, "POST", base+"/side_conversations", map[string]any{"side_conversation": map[string]any{"to": "nope", "body": "x"}}); st != http.StatusUnprocessableEntity {
			t.Fatalf("bad address: %d", st)
		}
		st, body = call(t, s, agent, "POST", base+"/side_conversations", map[string]any{"side_conversation": map[string]any{
			"to": "gudang@example.com", "subject": "Cek paket", "body": "Mohon cek paket NUS-7"}})
		if st != http.StatusCreated {
			t.Fatalf("start: %d %v", st, body)
		}
		sid := num(body["side_conversation"].(map[string]any)["id"])
		if st, _ := call(t, s, alice, "GET", base+"/side_conversations", nil); st != http.StatusForbidden {
			t.Fatalf("customer listed side conversations: %d", st)
		}
		if st, _ := call(t, s, s.Restricted.UserID, "GET", fmt.Sprintf("/api/layan/v1/side_conversations/%d", sid), nil); st != http.StatusNotFound {
			t.Fatalf("agent without access read it: %d", st)
		}
		if st, _ := call(t, s, light, "POST", fmt.Sprintf("/api/layan/v1/side_conversations/%d/messages", sid), map[string]any{"message": map[string]any{"body": "Sudah?"}}); st != http.StatusCreated {
			t.Fatalf("light agent reply: %d", st)
		}
		st, body = call(t, s, agent, "POST", fmt.Sprintf("/api/layan/v1/side_conversations/%d/close", sid), nil)
		c := body["side_conversation"].(map[string]any)
		if st != http.StatusOK || c["status"] != "closed" || len(c["messages"].([]any)) != 2 {
			t.Fatalf("close: %d %v", st, body)
		}
		// The customer's API view of the ticket shows none of it.
		_, body = call(t, s, alice, "GET", fmt.Sprintf("/api/v2/requests/%d/comments.json", tk.ID), nil)
		if strings.Contains(fmt.Sprint(body), "NUS-7") {
			t.Fatalf("the customer sees the side conversation: %v", body)
		}
	})
}
