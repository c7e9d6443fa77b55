package automation

import (
	"slices"
	"testing"
	"time"

	"layan/internal/ticket"
)

func cond(field, op string, v any) Condition { return Condition{Field: field, Operator: op, Value: v} }
func act(field string, v any) Action         { return Action{Field: field, Value: v} }

func TestTriggersOrderAndConditions(t *testing.T) {
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	tk := ticket.Ticket{ID: 9, Subject: "Paket saya belum sampai", Status: "new", Priority: "normal", Via: "email",
		RequesterID: 5, Tags: []string{"web"}, CreatedAt: now}
	rules := []Rule{
		{ID: 3, Position: 2, Active: true, Title: "urgent to tier2",
			Conditions: Conditions{All: []Condition{cond("priority", "is", "urgent")}},
			Actions:    []Action{act("group_id", "42")}},
		{ID: 1, Position: 1, Active: true, Title: "Indonesian shipping",
			Conditions: Conditions{All: []Condition{cond("update_type", "is", "Create"), cond("language", "is", "id")},
				Any: []Condition{cond("subject_includes_word", "includes", "paket kiriman"), cond("comment_includes_word", "includes", "paket")}},
			Actions: []Action{act("current_tags", "pengiriman"), act("priority", "urgent"),
				act("comment_value", "Halo {{customer.first_name}}, tiket #{{ticket.id}} kami terima."),
				act("notification_webhook", []any{"7", `{"id": {{ticket.id}}}`})}},
		{ID: 2, Position: 1, Active: false, Title: "inactive", Actions: []Action{act("status", "solved")}},
		{ID: 4, Position: 3, Active: true, Title: "not on change",
			Conditions: Conditions{All: []Condition{cond("update_type", "is", "Change")}},
			Actions:    []Action{act("status", "closed")}},
		{ID: 5, Position: 4, Active: true, Title: "priority changed to urgent",
			Conditions: Conditions{All: []Condition{cond("priority", "changed_to", "urgent"), cond("current_tags", "not_includes", "vip")}},
			Actions:    []Action{act("current_tags", "escalated")}},
	}
	ph := Placeholders{}
	out := RunTriggers(rules, Facts{Ticket: tk, Created: true, Language: "id", Requester: "Budi Santoso", Now: now}, ph.Render)
	if want := []int64{1, 3, 5}; !slices.Equal(out.Fired, want) {
		t.Fatalf("fired %v want %v", out.Fired, want)
	}
	p := out.Patch
	if *p.Priority != "urgent" || *p.GroupID != 42 || !slices.Equal(p.AddTags, []string{"pengiriman", "escalated"}) {
		t.Fatalf("patch %+v", p)
	}
	if p.Comment == nil || p.Comment.Body != "Halo Budi, tiket #9 kami terima." || !*p.Comment.Public {
		t.Fatalf("comment %+v", p.Comment)
	}
	if len(out.Effects) != 1 || out.Effects[0].Target != "7" || out.Effects[0].Args[0] != `{"id": 9}` {
		t.Fatalf("effects %+v", out.Effects)
	}
	// English ticket: nothing fires, runs one pass.
	out = RunTriggers(rules, Facts{Ticket: tk, Created: true, Language: "en", Now: now}, nil)
	if len(out.Fired) != 0 || out.Changed || out.Passes != 1 {
		t.Fatalf("english: %+v", out)
	}
}

func TestTriggersLoopGuard(t *testing.T) {
	tk := ticket.Ticket{ID: 1, Status: "open", Priority: "normal"}
	// Two rules that undo each other, and two that keep flipping tags: each
	// fires at most once per update and the run ends.
	rules := []Rule{
		{ID: 1, Active: true, Conditions: Conditions{All: []Condition{cond("status", "is", "open")}}, Actions: []Action{act("status", "pending")}},
		{ID: 2, Active: true, Conditions: Conditions{All: []Condition{cond("status", "is", "pending")}}, Actions: []Action{act("status", "open")}},
		{ID: 3, Active: true, Conditions: Conditions{All: []Condition{cond("current_tags", "not_includes", "a")}}, Actions: []Action{act("current_tags", "a"), act("remove_tags", "b")}},
		{ID: 4, Active: true, Conditions: Conditions{All: []Condition{cond("current_tags", "not_includes", "b")}}, Actions: []Action{act("current_tags", "b"), act("remove_tags", "a")}},
	}
	out := RunTriggers(rules, Facts{Ticket: tk}, nil)
	if len(out.Fired) != 4 || out.Passes > MaxPasses {
		t.Fatalf("fired %v passes %d", out.Fired, out.Passes)
	}
	if *out.Patch.Status != "open" {
		t.Fatalf("status %q", *out.Patch.Status)
	}
	// Same input, same output: deterministic.
	again := RunTriggers(rules, Facts{Ticket: tk}, nil)
	if !slices.Equal(again.Fired, out.Fired) {
		t.Fatal("not deterministic")
	}
	// A later rule enabling an earlier one runs in the next pass.
	chain := []Rule{
		{ID: 1, Position: 1, Active: true, Conditions: Conditions{All: []Condition{cond("current_tags", "includes", "step2")}}, Actions: []Action{act("current_tags", "done")}},
		{ID: 2, Position: 2, Active: true, Conditions: Conditions{All: []Condition{cond("status", "is", "open")}}, Actions: []Action{act("current_tags", "step2")}},
	}
	out = RunTriggers(chain, Facts{Ticket: tk}, nil)
	if !slices.Equal(out.Fired, []int64{2, 1}) || out.Passes != 3 {
		t.Fatalf("chain fired %v passes %d", out.Fired, out.Passes)
	}
}

func TestAutomationConditions(t *testing.T) {
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	remind := Rule{ID: 1, Kind: "automation", Title: "pending 3 days", Active: true,
		Conditions: Conditions{All: []Condition{cond("status", "is", "pending"), cond("hours_since_status", "greater_than", 72), cond("current_tags", "not_includes", "reminded")}},
		Actions:    []Action{act("current_tags", "reminded"), act("comment_value", "Hi {{customer.name}}, any news?")}}
	closeIt := Rule{ID: 2, Kind: "automation", Title: "solved 4 days", Active: true,
		Conditions: Conditions{All: []Condition{cond("status", "is", "solved"), cond("hours_since_status", "greater_than", 96)}},
		Actions:    []Action{act("status", "closed")}}
	for _, r := range []Rule{remind, closeIt} {
		if err := r.Validate(); err != nil {
			t.Fatal(err)
		}
	}
	bad := Rule{Kind: "automation", Title: "x", Actions: []Action{act("status", "closed")}}
	if bad.Validate() == nil {
		t.Fatal("automation without time condition validated")
	}
	pending := ticket.Ticket{ID: 1, Status: "pending"}
	for _, tc := range []struct {
		after time.Duration
		fire  bool
	}{{71 * time.Hour, false}, {73 * time.Hour, true}} {
		out := RunTriggers([]Rule{remind}, Facts{Ticket: pending, StatusAt: start, Now: start.Add(tc.after)}, nil)
		if (len(out.Fired) == 1) != tc.fire {
			t.Errorf("after %v fired %v", tc.after, out.Fired)
		}
	}
	solved := ticket.Ticket{ID: 2, Status: "solved"}
	out := RunTriggers([]Rule{remind, closeIt}, Facts{Ticket: solved, StatusAt: start, Now: start.Add(97 * time.Hour)}, nil)
	if !slices.Equal(out.Fired, []int64{2}) || *out.Patch.Status != "closed" {
		t.Fatalf("close: %+v", out)
	}
}

func TestMacroLanguagesAndPlaceholders(t *testing.T) {
	m := Macro{ID: 1, Title: "Refund", Actions: []Action{act("status", "pending"), act("current_tags", "refund")},
		Replies: map[string]string{
			"en": "Hello {{customer.name}}, your refund for #{{ticket.id}} is on its way. — {{current_user.name}}",
			"id": "Halo {{customer.name}}, pengembalian dana untuk #{{ticket.id}} sedang diproses.",
			"fa": "سلام {{customer.name}}، بازپرداخت درخواست #{{ticket.id}} در جریان است.",
		}}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	tk := ticket.Ticket{ID: 12, Status: "open"}
	for _, tc := range []struct{ lang, name, want string }{
		{"en", "Ann Lee", "Hello Ann Lee, your refund for #12 is on its way. — Agent Smith"},
		{"id-ID", "Budi", "Halo Budi, pengembalian dana untuk #12 sedang diproses."},
		{"fa", "مریم", "سلام مریم، بازپرداخت درخواست #12 در جریان است."},
		{"de", "Hans", "Hello Hans, your refund for #12 is on its way. — Agent Smith"},
	} {
		p := m.Apply(Facts{Ticket: tk, Language: tc.lang, Requester: tc.name}, Placeholders{AgentName: "Agent Smith"})
		if p.Comment == nil || p.Comment.Body != tc.want {
			t.Errorf("%s: %+v", tc.lang, p.Comment)
		}
		if *p.Status != "pending" || !slices.Equal(p.AddTags, []string{"refund"}) {
			t.Errorf("%s: patch %+v", tc.lang, p)
		}
	}
	if got := (Placeholders{}).Render("{{unknown.thing}} {{ ticket.id }}", Facts{Ticket: tk}); got != "{{unknown.thing}} 12" {
		t.Errorf("render %q", got)
	}
	canned := Macro{Title: "c", Canned: true, Actions: []Action{act("status", "solved")}}
	if canned.Validate() == nil {
		t.Error("canned response with field change validated")
	}
}
