package automation

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"layan/internal/ticket"
)

// randomRules makes rules over a small vocabulary so that many match, chain
// (one rule's action enables another) and fight (undo each other).
func randomRules(r *rand.Rand, n int) []Rule {
	statuses := []string{"new", "open", "pending", "solved"}
	prios := []string{"low", "normal", "high", "urgent"}
	wordsV := []string{"paket", "refund", "invoice", "login", "سفارش", "akun"}
	tags := []string{"a", "b", "c", "vip"}
	randCond := func() Condition {
		switch r.IntN(9) {
		case 0:
			return cond("status", []string{"is", "is_not", "changed_to", "less_than"}[r.IntN(4)], statuses[r.IntN(4)])
		case 1:
			return cond("priority", []string{"is", "is_not", "changed", "greater_than"}[r.IntN(4)], prios[r.IntN(4)])
		case 2:
			return cond("subject_includes_word", []string{"includes", "not_includes", "is"}[r.IntN(3)], wordsV[r.IntN(len(wordsV))])
		case 3:
			return cond("comment_includes_word", "includes", wordsV[r.IntN(len(wordsV))]+" "+wordsV[r.IntN(len(wordsV))])
		case 4:
			return cond("current_tags", []string{"includes", "not_includes", "is"}[r.IntN(3)], tags[r.IntN(4)])
		case 5:
			return cond("update_type", "is", []string{"Create", "Change"}[r.IntN(2)])
		case 6:
			return cond("via", []string{"is", "is_not"}[r.IntN(2)], []string{"email", "api", "web"}[r.IntN(3)])
		case 7:
			return cond("group_id", "is", fmt.Sprint(r.IntN(3)+1))
		default:
			return cond("language", "is", []string{"en", "id", "fa", "EN"}[r.IntN(4)])
		}
	}
	randAct := func() Action {
		switch r.IntN(6) {
		case 0:
			return act("status", statuses[r.IntN(4)])
		case 1:
			return act("priority", prios[r.IntN(4)])
		case 2:
			return act("current_tags", tags[r.IntN(4)])
		case 3:
			return act("remove_tags", tags[r.IntN(4)])
		case 4:
			return act("group_id", fmt.Sprint(r.IntN(3)+1))
		default:
			return act("set_tags", tags[r.IntN(4)]+" "+tags[r.IntN(4)])
		}
	}
	var rules []Rule
	for i := range n {
		rule := Rule{ID: int64(i + 1), Position: r.IntN(5), Active: r.IntN(8) != 0}
		for range r.IntN(3) {
			rule.Conditions.All = append(rule.Conditions.All, randCond())
		}
		for range r.IntN(3) {
			rule.Conditions.Any = append(rule.Conditions.Any, randCond())
		}
		for range 1 + r.IntN(2) {
			rule.Actions = append(rule.Actions, randAct())
		}
		rules = append(rules, rule)
	}
	return rules
}

// The index only skips rules that cannot match: on thousands of random rule
// sets and tickets, the indexed run and the plain one give the same outcome.
func TestRuleSetMatchesLinearEvaluation(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	subjects := []string{"Paket saya belum sampai", "Refund for invoice 12", "Cannot login", "سفارش من نرسید", "hello"}
	comments := []string{"", "refund please", "akun saya terkunci", "paket invoice"}
	fired := 0
	for i := range 3000 {
		rules := randomRules(r, 1+r.IntN(25))
		tk := ticket.Ticket{ID: int64(i + 1), Subject: subjects[r.IntN(len(subjects))], Status: []string{"new", "open", "pending"}[r.IntN(3)],
			Priority: []string{"", "low", "normal", "urgent"}[r.IntN(4)], Via: []string{"email", "api", "web"}[r.IntN(3)],
			GroupID: int64(r.IntN(4)), Tags: [][]string{nil, {"a"}, {"vip", "b"}}[r.IntN(3)]}
		f := Facts{Ticket: tk, Created: r.IntN(2) == 0, Comment: comments[r.IntN(len(comments))], Public: true,
			Language: []string{"en", "id", "fa"}[r.IntN(3)], Now: time.Unix(1e9, 0), Changed: map[string]string{}}
		if !f.Created && r.IntN(2) == 0 {
			f.Changed["status"] = "new"
		}
		g := f
		g.Changed = maps.Clone(f.Changed) // both runs record changes in the map
		want := RunTriggers(rules, f, nil)
		got := Compile(rules).Run(g, nil)
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("case %d: indexed %+v\nlinear %+v\nrules %+v\nfacts %+v", i, got, want, rules, f)
		}
		fired += len(want.Fired)
	}
	if fired < 1000 {
		t.Fatalf("only %d rules fired: the cases do not exercise matching", fired)
	}
}

// The index is what makes many triggers cheap: the rules filed under keys
// the ticket lacks are not evaluated at all.
func TestRuleSetSkipsRulesWithoutTheirKey(t *testing.T) {
	var rules []Rule
	for i := range 200 {
		rules = append(rules, Rule{ID: int64(i + 1), Active: true,
			Conditions: Conditions{All: []Condition{cond("update_type", "is", "Create"), cond("subject_includes_word", "includes", fmt.Sprintf("word%d", i))}},
			Actions:    []Action{act("current_tags", fmt.Sprintf("t%d", i))}})
	}
	rs := Compile(rules)
	f := Facts{Ticket: ticket.Ticket{Subject: "about word7 and word150"}, Created: true}
	mark := make([]bool, rs.Len())
	subject := words(f.Ticket.Subject)
	rs.candidates(&f, subject, nil, mark)
	n := 0
	for _, m := range mark {
		if m {
			n++
		}
	}
	if n != 2 {
		t.Fatalf("%d candidates, want 2", n)
	}
	out := rs.Run(f, nil)
	if len(out.Fired) != 2 || out.Fired[0] != 8 || out.Fired[1] != 151 {
		t.Fatalf("fired %v", out.Fired)
	}
}

func benchRules(n int) []Rule {
	var rules []Rule
	for i := range n {
		c := cond("subject_includes_word", "includes", fmt.Sprintf("kata%d", i))
		if i%4 == 1 {
			c = cond("current_tags", "includes", fmt.Sprintf("tag%d", i))
		} else if i%4 == 2 {
			c = cond("group_id", "is", fmt.Sprint(1000+i))
		}
		rules = append(rules, Rule{ID: int64(i + 1), Active: true, Position: i % 7,
			Conditions: Conditions{All: []Condition{cond("update_type", "is", "Create"), c},
				Any: []Condition{cond("priority", "is", "high"), cond("priority", "is", "urgent")}},
			Actions: []Action{act("current_tags", fmt.Sprintf("fired%d", i))}})
	}
	return rules
}

var benchFacts = Facts{Ticket: ticket.Ticket{ID: 1, Subject: "My order has not arrived after five days, please check kata3",
	Status: "new", Priority: "high", Via: "api", GroupID: 3, Tags: []string{"mobile", "tag9"}}, Created: true,
	Comment: "Hi, my order still has not arrived although it has been more than a week.", Public: true, Language: "en"}

// BenchmarkTriggers200: evaluating 200 triggers on one new ticket, plainly
// and through the compiled, indexed set.
func BenchmarkTriggers200Linear(b *testing.B) {
	rules := benchRules(200)
	for b.Loop() {
		RunTriggers(rules, benchFacts, nil)
	}
}

func BenchmarkTriggers200Indexed(b *testing.B) {
	rs := Compile(benchRules(200))
	for b.Loop() {
		rs.Run(benchFacts, nil)
	}
}
