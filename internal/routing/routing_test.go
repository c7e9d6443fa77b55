package routing

import (
	"testing"
	"time"
)

var now = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func team() []Agent {
	return []Agent{
		{ID: 1, GroupIDs: []int64{10}, Skills: []string{"billing"}, Languages: []string{"en", "id"}, Capacity: 5, Load: 4, Status: Online},
		{ID: 2, GroupIDs: []int64{10}, Skills: []string{"billing", "refunds"}, Languages: []string{"en"}, Capacity: 5, Load: 1, Status: Online},
		{ID: 3, GroupIDs: []int64{10}, Languages: []string{"fa", "en"}, Capacity: 2, Load: 2, Status: Online}, // full
		{ID: 4, GroupIDs: []int64{10, 20}, Languages: []string{"fa"}, Status: Away},
		{ID: 5, GroupIDs: []int64{10}, Languages: []string{"id"}, Capacity: 10, Load: 0, Status: Online,
			OOOFrom: now.Add(-time.Hour), OOOUntil: now.Add(72 * time.Hour)},
		{ID: 6, GroupIDs: []int64{10}, Languages: []string{"id", "fa"}, Capacity: 3, Load: 0, Status: Online},
	}
}

func TestPick(t *testing.T) {
	tests := []struct {
		name string
		mode string
		req  Request
		want Decision
	}{
		{"skill billing+refunds", LeastLoaded, Request{GroupID: 10, Skills: []string{"refunds"}}, Decision{2, LeastLoaded}},
		{"skill billing, least loaded", LeastLoaded, Request{GroupID: 10, Skills: []string{"billing"}}, Decision{2, LeastLoaded}},
		{"language id skips out-of-office agent 5", LeastLoaded, Request{GroupID: 10, Language: "id"}, Decision{6, LeastLoaded}},
		{"language fa: agent 3 full, 4 away → 6", LeastLoaded, Request{GroupID: 10, Language: "fa"}, Decision{6, LeastLoaded}},
		{"no one with the skill → queued", RoundRobin, Request{GroupID: 10, Skills: []string{"legal"}}, Decision{0, "queued"}},
		{"account owner first even if busier", LeastLoaded, Request{GroupID: 10, AccountOwnerID: 1}, Decision{1, "account_owner"}},
		{"absent account owner → normal routing", LeastLoaded, Request{GroupID: 10, AccountOwnerID: 5, Language: "id"}, Decision{6, LeastLoaded}},
		{"group 20 only has an away agent", RoundRobin, Request{GroupID: 20}, Decision{0, "queued"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := NewRouter(tc.mode).Pick(team(), tc.req, now); got != tc.want {
				t.Fatalf("got %+v want %+v", got, tc.want)
			}
		})
	}
}

func TestRoundRobin(t *testing.T) {
	rt := NewRouter(RoundRobin)
	var got []int64
	for i := 0; i < 5; i++ {
		got = append(got, rt.Pick(team(), Request{GroupID: 10, Language: "en"}, now).AgentID)
	}
	// eligible in group 10 speaking en with capacity: 1, 2 (3 is full)
	want := []int64{1, 2, 1, 2, 1}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("round robin %v want %v", got, want)
		}
	}
}

func TestLeastLoadedCapacityShare(t *testing.T) {
	agents := []Agent{
		{ID: 1, Capacity: 10, Load: 4, Status: Online}, // 40%
		{ID: 2, Capacity: 4, Load: 2, Status: Online},  // 50%
	}
	if d := NewRouter(LeastLoaded).Pick(agents, Request{}, now); d.AgentID != 1 {
		t.Fatalf("got %+v", d)
	}
}

func TestReassignAbsent(t *testing.T) {
	agents := []Agent{
		{ID: 1, GroupIDs: []int64{10}, Status: OutOfOffice},
		{ID: 2, GroupIDs: []int64{10}, Capacity: 1, Load: 0, Status: Online},
		{ID: 3, GroupIDs: []int64{10}, Status: Online, OOOFrom: now.Add(24 * time.Hour)}, // leaves tomorrow
		{ID: 4, GroupIDs: []int64{20}, Status: Online, Skills: []string{"fulfilment"}},
	}
	open := []OpenTicket{
		{Request: Request{TicketID: 103, GroupID: 10}, AssigneeID: 1},
		{Request: Request{TicketID: 101, GroupID: 10}, AssigneeID: 1},
		{Request: Request{TicketID: 102, GroupID: 10, Skills: []string{"fulfilment"}}, AssigneeID: 1},
		{Request: Request{TicketID: 104, GroupID: 10}, AssigneeID: 2},
	}
	moves := NewRouter(LeastLoaded).ReassignAbsent(agents, open, now)
	want := []Move{
		{101, 1, 2, "out_of_office:least_loaded"},
		{102, 1, 0, "out_of_office:queued"},
		{103, 1, 3, "out_of_office:least_loaded"}, // 2 is now at capacity
	}
	if len(moves) != len(want) {
		t.Fatalf("moves %+v", moves)
	}
	for i := range want {
		if moves[i] != want[i] {
			t.Fatalf("move %d = %+v want %+v", i, moves[i], want[i])
		}
	}
	// Tomorrow agent 3 is away too.
	if !agents[2].Absent(now.Add(25 * time.Hour)) {
		t.Fatal("planned absence not honoured")
	}
}

func TestDetectLanguage(t *testing.T) {
	for text, want := range map[string]string{
		"Pesanan saya belum sampai, tolong dicek": "id",
		"My order has not arrived, please check":  "en",
		"سفارش من هنوز نرسیده است":                "fa",
		"12345": "",
		"Terima kasih, paket sudah saya terima dengan baik": "id",
	} {
		if got := DetectLanguage(text); got != want {
			t.Errorf("%q: %q want %q", text, got, want)
		}
	}
}
