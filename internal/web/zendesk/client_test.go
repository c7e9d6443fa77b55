package zendesk_test

import (
	"context"
	"strings"
	"testing"

	zd "github.com/nukosuke/go-zendesk/zendesk"

	"layan/internal/testkit"
)

// client is the real go-zendesk client pointed at a test server.
func client(t *testing.T, s *testkit.Server, email string, userID int64) *zd.Client {
	t.Helper()
	c, err := zd.NewClient(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetEndpointURL(s.URL + "/api/v2"); err != nil {
		t.Fatal(err)
	}
	c.SetCredential(zd.NewAPITokenCredential(email, s.Tokens[userID]))
	return c
}

func TestGoZendeskClientWorksUnchanged(t *testing.T) {
	testkit.EachServer(t, func(t *testing.T, s *testkit.Server) {
		ctx := context.Background()
		c := client(t, s, "agent@layan.test", s.Agent.UserID)

		// Create with a new requester, read back.
		created, err := c.CreateTicket(ctx, zd.Ticket{Subject: "Paket belum sampai", Priority: "high", Tags: []string{"pengiriman", "vip"},
			Comment:   &zd.TicketComment{Body: "Pesanan saya belum sampai sejak minggu lalu."},
			Requester: &zd.Requester{Name: "Budi", Email: "budi@nusantara.test"}})
		if err != nil {
			t.Fatalf("create: %v", err)
		}
		if created.ID == 0 || created.Status != "new" || created.RequesterID == 0 || len(created.Tags) != 2 {
			t.Fatalf("created = %+v", created)
		}
		got, err := c.GetTicket(ctx, created.ID)
		if err != nil || got.Subject != "Paket belum sampai" || got.Description != "Pesanan saya belum sampai sejak minggu lalu." {
			t.Fatalf("get = %+v, %v", got, err)
		}
		// Update with a comment: status and a public reply in one call.
		pub := true
		upd, err := c.UpdateTicket(ctx, created.ID, zd.Ticket{Status: "pending", Comment: &zd.TicketComment{Body: "Kami sedang mengecek kurir.", Public: &pub}})
		if err != nil || upd.Status != "pending" {
			t.Fatalf("update = %+v, %v", upd, err)
		}
		comments, err := c.ListTicketComments(ctx, created.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(comments.TicketComments) != 2 || comments.TicketComments[1].Body != "Kami sedang mengecek kurir." {
			t.Fatalf("comments = %+v", comments.TicketComments)
		}
		// Persian ticket, then search in both languages and by fields.
		if _, err := c.CreateTicket(ctx, zd.Ticket{Subject: "سفارش من نرسیده", Comment: &zd.TicketComment{Body: "سلام، سفارش من هنوز نرسیده است"},
			RequesterID: s.Alice.UserID}); err != nil {
			t.Fatal(err)
		}
		for q, want := range map[string]int{
			"type:ticket kurir":                  1,
			`"belum sampai"`:                     1,
			"type:ticket status<solved tags:vip": 1,
			"سفارش":                              1,
			"سفارش status:pending":               0,
			"type:ticket priority>=high":         1,
		} {
			res, page, err := c.Search(ctx, &zd.SearchOptions{Query: q})
			if err != nil {
				t.Fatalf("search %q: %v", q, err)
			}
			if len(res.List()) != want || page.Count != int64(want) {
				t.Errorf("search %q: %d results (count %d), want %d", q, len(res.List()), page.Count, want)
			}
		}
		// Pagination: 7 tickets, pages of 3, offset and cursor.
		for i := 0; i < 5; i++ {
			if _, err := c.CreateTicket(ctx, zd.Ticket{Subject: "Bulk " + strings.Repeat("x", i+1), Comment: &zd.TicketComment{Body: "body"},
				RequesterID: s.Bob.UserID}); err != nil {
				t.Fatal(err)
			}
		}
		for _, cbp := range []bool{false, true} {
			it := c.GetTicketsIterator(ctx, &zd.PaginationOptions{PageSize: 3, IsCBP: cbp})
			seen := map[int64]bool{}
			pages := 0
			for it.HasMore() {
				ts, err := it.GetNext()
				if err != nil {
					t.Fatalf("cbp=%v page %d: %v", cbp, pages, err)
				}
				for _, tk := range ts {
					if seen[tk.ID] {
						t.Fatalf("cbp=%v: ticket %d twice", cbp, tk.ID)
					}
					seen[tk.ID] = true
				}
				pages++
				if pages > 10 {
					t.Fatal("pagination does not end")
				}
			}
			if len(seen) != 7 || pages != 3 {
				t.Errorf("cbp=%v: %d tickets over %d pages, want 7 over 3", cbp, len(seen), pages)
			}
		}
		many, err := c.GetMultipleTickets(ctx, []int64{created.ID, 999999})
		if err != nil || len(many) != 1 {
			t.Fatalf("show_many = %d, %v", len(many), err)
		}
		if err := c.DeleteTicket(ctx, created.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := c.GetTicket(ctx, created.ID); err == nil {
			t.Fatal("deleted ticket still readable")
		}
	})
}

func TestGoZendeskUsersOrganizationsGroups(t *testing.T) {
	testkit.EachServer(t, func(t *testing.T, s *testkit.Server) {
		ctx := context.Background()
		admin := client(t, s, "admin@layan.test", s.Admin.UserID)
		u, err := admin.CreateUser(ctx, zd.User{Name: "Dewi Lestari", Email: "Dewi@Nusantara.test", Role: "end-user", Locale: "id"})
		if err == nil {
			t.Fatal("role end-user (not Zendesk's end_user spelling) accepted")
		}
		u, err = admin.CreateUser(ctx, zd.User{Name: "Dewi Lestari", Email: "Dewi@Nusantara.test", Role: "end_user", Locale: "id", IanaTimezone: "Asia/Jakarta"})
		if err != nil {
			t.Fatalf("create user: %v", err)
		}
		if u.Email != "dewi@nusantara.test" || u.Locale != "id" || u.Role != "end_user" {
			t.Fatalf("user = %+v", u)
		}
		u2, err := admin.UpdateUser(ctx, u.ID, zd.User{Name: "Dewi L.", Phone: "+62 812 0000"})
		if err != nil || u2.Name != "Dewi L." || u2.Phone != "+62 812 0000" {
			t.Fatalf("update user = %+v, %v", u2, err)
		}
		found, _, err := admin.SearchUsers(ctx, &zd.SearchUsersOptions{Query: "dewi"})
		if err != nil || len(found) != 1 || found[0].ID != u.ID {
			t.Fatalf("search users = %+v, %v", found, err)
		}
		all, page, err := admin.GetUsers(ctx, &zd.UserListOptions{PageOptions: zd.PageOptions{PerPage: 3}})
		if err != nil || len(all) != 3 || page.Count != 8 || !page.HasNext() {
			t.Fatalf("list users = %d count %d, %v", len(all), page.Count, err)
		}
		org, err := admin.CreateOrganization(ctx, zd.Organization{Name: "Toko Maju", DomainNames: []string{"maju.test"}, SharedTickets: true})
		if err != nil || org.ID == 0 || len(org.DomainNames) != 1 {
			t.Fatalf("create org = %+v, %v", org, err)
		}
		org2, err := admin.UpdateOrganization(ctx, org.ID, zd.Organization{Name: "Toko Maju Jaya", DomainNames: []string{"maju.test"}, SharedTickets: true})
		if err != nil || org2.Name != "Toko Maju Jaya" {
			t.Fatalf("update org = %+v, %v", org2, err)
		}
		orgs, _, err := admin.GetOrganizations(ctx, &zd.OrganizationListOptions{})
		if err != nil || len(orgs) != 2 {
			t.Fatalf("orgs = %d, %v", len(orgs), err)
		}
		groups, _, err := admin.GetGroups(ctx, &zd.GroupListOptions{})
		if err != nil || len(groups) != 2 {
			t.Fatalf("groups = %d, %v", len(groups), err)
		}
		g, err := admin.CreateGroup(ctx, zd.Group{Name: "VIP"})
		if err != nil || g.Name != "VIP" {
			t.Fatalf("create group = %+v, %v", g, err)
		}
		me := client(t, s, "bob@example.test", s.Bob.UserID)
		if _, err := me.CreateOrganization(ctx, zd.Organization{Name: "Evil"}); err == nil {
			t.Fatal("customer created an organization")
		}
	})
}
