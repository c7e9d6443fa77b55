package ticket_test

import (
	"context"
	"testing"
	"time"

	"layan/internal/db"
	"layan/internal/search"
	"layan/internal/testkit"
	"layan/internal/ticket"
)

func TestSearchSyntax(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := testkit.NewWorld(t, d)
		a := w.NewTicket(t, w.Alice, w.Support.ID, "Paket belum sampai", "Pesanan saya belum sampai ke Jakarta")
		w.Clock.Advance(48 * time.Hour)
		b := w.NewTicket(t, w.Bob, w.Billing.ID, "سفارش من نرسیده", "سفارش شماره ۱۲۳ هنوز نرسیده است. می‌توانم پیگیری کنم؟")
		w.Clock.Advance(48 * time.Hour)
		c := w.NewTicket(t, w.Carol, w.Support.ID, "Invoice wrong", "The invoice total is wrong, please send it again")
		high, pending := "high", "pending"
		if _, err := w.Tickets.Update(ctx, w.Agent, a.ID, ticket.Patch{AssigneeID: &w.Agent.UserID, Priority: &high, AddTags: []string{"vip"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Tickets.Update(ctx, w.Agent, c.ID, ticket.Patch{Status: &pending, Comment: &ticket.NewComment{Body: "We resent the corrected invoice."}}); err != nil {
			t.Fatal(err)
		}
		cases := map[string][]int64{
			"sampai":                          {a.ID},
			"SAMPAI jakarta":                  {a.ID},
			`"belum sampai"`:                  {a.ID},
			`"sampai belum"`:                  {},
			"سفارش":                           {b.ID},
			"سفارش -نرسیده":                   {},
			"نرسيده":                          {b.ID}, // Arabic yeh finds Persian yeh
			"123":                             {b.ID}, // Persian digits were indexed as ASCII
			"میتوانم":                         {b.ID}, // ZWNJ spelling variants meet
			"می توانم":                        {b.ID},
			"corrected":                       {c.ID}, // later comments are searchable
			"assignee:me":                     {a.ID},
			"assignee:none":                   {b.ID, c.ID},
			"-assignee:none":                  {a.ID},
			"tags:vip":                        {a.ID},
			"priority>=high":                  {a.ID},
			"status:pending":                  {c.ID},
			"status<pending":                  {a.ID, b.ID},
			"group:billing":                   {b.ID},
			"requester:alice@acme.test":       {a.ID},
			"organization:acme":               {a.ID, c.ID},
			"created>2026-11-03":              {b.ID, c.ID},
			"created<2026-11-03":              {a.ID},
			"created:2026-11-04":              {b.ID},
			"subject:invoice":                 {c.ID},
			"type:ticket status<solved -spam": {a.ID, b.ID, c.ID},
			"invoice organization:none":       {},
		}
		// Results come newest change first, also across the two-step read.
		all, _ := search.Parse("status<closed")
		ordered, _, err := w.Tickets.Search(ctx, w.Agent, all, ticket.SearchOptions{})
		if err != nil || len(ordered) != 3 {
			t.Fatalf("status<closed: %d, %v", len(ordered), err)
		}
		for i := 1; i < len(ordered); i++ {
			if ordered[i-1].UpdatedAt.Before(ordered[i].UpdatedAt) {
				t.Fatalf("search results not newest first: %v then %v", ordered[i-1].UpdatedAt, ordered[i].UpdatedAt)
			}
		}
		page2, _, _ := w.Tickets.Search(ctx, w.Agent, all, ticket.SearchOptions{Page: 2, PerPage: 2})
		if len(page2) != 1 || page2[0].ID != ordered[2].ID {
			t.Fatalf("page 2 of 2 = %v", page2)
		}
		for q, want := range cases {
			parsed, err := search.Parse(q)
			if err != nil {
				t.Fatalf("%q: %v", q, err)
			}
			got, total, err := w.Tickets.Search(ctx, w.Agent, parsed, ticket.SearchOptions{})
			if err != nil {
				t.Errorf("%q: %v", q, err)
				continue
			}
			ids := map[int64]bool{}
			for _, tk := range got {
				ids[tk.ID] = true
			}
			ok := len(ids) == len(want) && total == len(want)
			for _, id := range want {
				ok = ok && ids[id]
			}
			if !ok {
				t.Errorf("%q: got %v (total %d), want %v", q, ids, total, want)
			}
		}
	})
}

func TestListPagesForwardAndBackWithoutGapsOrRepeats(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := testkit.NewWorld(t, d)
		var all []int64
		for i := 0; i < 23; i++ {
			all = append(all, w.NewTicket(t, w.Alice, w.Support.ID, "T", "body").ID)
			if i%3 != 0 { // several tickets share an updated_at: the id breaks ties
				w.Clock.Advance(time.Second)
			}
		}
		for _, sort := range []string{"updated_at", "created_at", "id", "status"} {
			for _, desc := range []bool{false, true} {
				seen := map[int64]bool{}
				var pages []ticket.ListResult
				q := ticket.ListQuery{Sort: sort, Desc: desc, PerPage: 5, Keyset: true}
				for {
					res, err := w.Tickets.List(ctx, w.Agent, q)
					if err != nil {
						t.Fatal(err)
					}
					for _, tk := range res.Tickets {
						if seen[tk.ID] {
							t.Fatalf("%s desc=%v: ticket %d repeated", sort, desc, tk.ID)
						}
						seen[tk.ID] = true
					}
					pages = append(pages, res)
					if !res.HasMore {
						break
					}
					q.After = res.After
				}
				if len(seen) != len(all) || len(pages) != 5 {
					t.Fatalf("%s desc=%v: %d tickets in %d pages", sort, desc, len(seen), len(pages))
				}
				// The first keyset page is the first offset page, without a count.
				offset, err := w.Tickets.List(ctx, w.Agent, ticket.ListQuery{Sort: sort, Desc: desc, PerPage: 5})
				if err != nil {
					t.Fatal(err)
				}
				for i, tk := range offset.Tickets {
					if tk.ID != pages[0].Tickets[i].ID {
						t.Fatalf("%s desc=%v: first keyset page differs from the offset page at %d", sort, desc, i)
					}
				}
				if pages[0].Count != 0 || offset.Count != len(all) {
					t.Fatalf("counts: keyset %d, offset %d", pages[0].Count, offset.Count)
				}
				// Going back from the last page returns the page before it.
				back, err := w.Tickets.List(ctx, w.Agent, ticket.ListQuery{Sort: sort, Desc: desc, PerPage: 5, Before: pages[4].Before})
				if err != nil {
					t.Fatal(err)
				}
				for i, tk := range back.Tickets {
					if tk.ID != pages[3].Tickets[i].ID {
						t.Fatalf("%s desc=%v: page back differs at %d", sort, desc, i)
					}
				}
			}
		}
	})
}

// The list and search totals are remembered between reads; every create,
// update and delete must show in the next read's total.
func TestTotalsFollowEveryWrite(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := testkit.NewWorld(t, d)
		totals := func() (list, open int) {
			t.Helper()
			res, err := w.Tickets.List(ctx, w.Agent, ticket.ListQuery{PerPage: 5})
			if err != nil {
				t.Fatal(err)
			}
			q, err := search.Parse("status:open")
			if err != nil {
				t.Fatal(err)
			}
			_, n, err := w.Tickets.Search(ctx, w.Agent, q, ticket.SearchOptions{PerPage: 5})
			if err != nil {
				t.Fatal(err)
			}
			return res.Count, n
		}
		l0, o0 := totals()
		a := w.NewTicket(t, w.Alice, w.Support.ID, "First", "body")
		if l, _ := totals(); l != l0+1 {
			t.Fatalf("after a create the list counts %d, want %d", l, l0+1)
		}
		open := "open"
		if _, err := w.Tickets.Update(ctx, w.Agent, a.ID, ticket.Patch{Status: &open}); err != nil {
			t.Fatal(err)
		}
		if _, o := totals(); o != o0+1 {
			t.Fatalf("after opening a ticket status:open counts %d, want %d", o, o0+1)
		}
		if err := w.Tickets.Delete(ctx, w.Admin, a.ID); err != nil {
			t.Fatal(err)
		}
		if l, o := totals(); l != l0 || o != o0 {
			t.Fatalf("after the delete: list %d, open %d; want %d, %d", l, o, l0, o0)
		}
	})
}

// A ticket's language is detected from its first message unless given;
// agents correct it (an event); searches filter by it; a bad one is refused.
func TestTicketLanguage(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := testkit.NewWorld(t, d)
		fa := w.NewTicket(t, w.Bob, w.Support.ID, "سفارش من نرسیده", "سفارش شماره ۱۲۳ هنوز نرسیده است.")
		id := w.NewTicket(t, w.Alice, w.Support.ID, "Paket belum sampai", "Pesanan saya belum sampai, mohon dicek.")
		en := w.NewTicket(t, w.Carol, w.Support.ID, "Invoice wrong", "The invoice total is wrong, please send it again.")
		for want, tk := range map[string]ticket.Ticket{"fa": fa, "id": id, "en": en} {
			if tk.Language != want {
				t.Errorf("%q detected as %q, want %q", tk.Subject, tk.Language, want)
			}
		}
		set, err := w.Tickets.Create(ctx, w.Agent, ticket.NewTicket{Subject: "Halo", RequesterID: w.Alice.UserID, Language: "id",
			Comment: ticket.NewComment{Body: "ok"}})
		if err != nil || set.Language != "id" {
			t.Fatalf("a given language: %q, %v", set.Language, err)
		}
		if _, err := w.Tickets.Create(ctx, w.Agent, ticket.NewTicket{Subject: "x", RequesterID: w.Alice.UserID, Language: "de",
			Comment: ticket.NewComment{Body: "x"}}); err == nil {
			t.Fatal("an unknown language was accepted")
		}
		fix := "id"
		if _, err := w.Tickets.Update(ctx, w.Agent, en.ID, ticket.Patch{Language: &fix}); err != nil {
			t.Fatal(err)
		}
		bad := "xx"
		if _, err := w.Tickets.Update(ctx, w.Agent, en.ID, ticket.Patch{Language: &bad}); err == nil {
			t.Fatal("an unknown language was saved")
		}
		if _, err := w.Tickets.Update(ctx, w.Alice, id.ID, ticket.Patch{Language: &fix}); err == nil {
			t.Fatal("a customer changed the language")
		}
		evs, _ := w.Tickets.Events(ctx, w.Agent, en.ID)
		found := false
		for _, e := range evs {
			found = found || (e.Field == "language" && e.After != nil && *e.After == "id")
		}
		if !found {
			t.Fatal("no event for the language change")
		}
		q, _ := search.Parse("language:id")
		got, n, err := w.Tickets.Search(ctx, w.Agent, q, ticket.SearchOptions{})
		if err != nil || n != 3 {
			t.Fatalf("language:id found %d (%v), want 3", n, err)
		}
		for _, tk := range got {
			if tk.Language != "id" {
				t.Fatalf("language:id found %+v", tk)
			}
		}
		if q, _ = search.Parse("language:klingon"); q.Clauses != nil {
			if _, _, err := w.Tickets.Search(ctx, w.Agent, q, ticket.SearchOptions{}); err == nil {
				t.Fatal("an unknown language in a search was accepted")
			}
		}
	})
}
