package automation

import (
	"maps"
	"slices"
	"strings"
)

// RuleSet is a list of rules compiled once for evaluation: sorted in firing
// order, inactive ones dropped, and indexed by a condition each rule needs.
// Most of a workspace's triggers test something selective — a word in the
// subject, a tag, a channel, a group — so for one update only the few rules
// whose key the ticket has are evaluated, not all of them. The service
// keeps one per kind and rebuilds it when a rule changes.
type RuleSet struct {
	rules  []Rule
	always []int            // rules without an index key: evaluated every time
	index  map[string][]int // key → rules (positions in rules) that need it
}

// indexed fields: "is" on these compares the whole value (case-insensitive).
var keyFields = []string{"status", "priority", "type", "via", "group_id", "assignee_id", "requester_id",
	"organization_id", "language", "update_type", "comment_is_public"}

// conditionKeys returns the keys of which the ticket must have at least one
// for c to hold, or nil when c cannot be indexed. rank orders keys by how
// selective they usually are (higher is better).
func conditionKeys(c Condition) (keys []string, rank int) {
	want := str(c.Value)
	switch c.Field {
	case "subject_includes_word", "comment_includes_word":
		if c.Operator != "includes" && c.Operator != "is" {
			return nil, 0
		}
		prefix := "s:"
		if c.Field == "comment_includes_word" {
			prefix = "c:"
		}
		for _, w := range words(want) {
			keys = append(keys, prefix+w)
		}
		return keys, 4
	case "current_tags":
		if c.Operator != "includes" && c.Operator != "is" {
			return nil, 0
		}
		for _, t := range strings.Fields(want) {
			keys = append(keys, "t:"+t)
		}
		return keys, 3
	}
	if c.Operator != "is" || !slices.Contains(keyFields, c.Field) {
		return nil, 0
	}
	rank = 2
	if c.Field == "update_type" || c.Field == "comment_is_public" {
		rank = 1 // half of all updates have either value
	}
	return []string{c.Field + "=" + strings.ToLower(want)}, rank
}

// ruleKeys picks the keys a rule is filed under: those of its most
// selective "all" condition, else of its "any" conditions if every one of
// them can be indexed; nil means the rule is evaluated every time.
func ruleKeys(r Rule) []string {
	var best []string
	bestRank := 0
	for _, c := range r.Conditions.All {
		if keys, rank := conditionKeys(c); len(keys) > 0 && rank > bestRank {
			best, bestRank = keys, rank
		}
	}
	if best != nil || len(r.Conditions.Any) == 0 {
		return best
	}
	var any []string
	for _, c := range r.Conditions.Any {
		keys, _ := conditionKeys(c)
		if len(keys) == 0 {
			return nil
		}
		any = append(any, keys...)
	}
	return any
}

// Compile builds the rule set of rules.
func Compile(rules []Rule) *RuleSet {
	sorted := slices.DeleteFunc(slices.Clone(rules), func(r Rule) bool { return !r.Active })
	slices.SortStableFunc(sorted, func(a, b Rule) int {
		if a.Position != b.Position {
			return a.Position - b.Position
		}
		return int(a.ID - b.ID)
	})
	rs := &RuleSet{rules: sorted, index: map[string][]int{}}
	for i, r := range sorted {
		keys := ruleKeys(r)
		if keys == nil {
			rs.always = append(rs.always, i)
			continue
		}
		for _, k := range keys {
			if l := rs.index[k]; len(l) == 0 || l[len(l)-1] != i {
				rs.index[k] = append(l, i)
			}
		}
	}
	return rs
}

// Len is how many active rules the set holds.
func (rs *RuleSet) Len() int { return len(rs.rules) }

// factKeys are the keys the ticket has now.
func factKeys(f *Facts, subject, comment []string) []string {
	keys := make([]string, 0, len(keyFields)+len(subject)+len(comment)+len(f.Ticket.Tags))
	for _, field := range keyFields {
		keys = append(keys, field+"="+strings.ToLower(f.value(field)))
	}
	for _, w := range subject {
		keys = append(keys, "s:"+w)
	}
	for _, w := range comment {
		keys = append(keys, "c:"+w)
	}
	for _, t := range f.Ticket.Tags {
		keys = append(keys, "t:"+t)
	}
	return keys
}

// candidates marks the rules that may match f: those filed under a key f
// has, and those without a key.
func (rs *RuleSet) candidates(f *Facts, subject, comment []string, mark []bool) {
	clear(mark)
	for _, i := range rs.always {
		mark[i] = true
	}
	for _, k := range factKeys(f, subject, comment) {
		for _, i := range rs.index[k] {
			mark[i] = true
		}
	}
}

// Run evaluates the set on f exactly as RunTriggers does (same order, same
// rounds, same loop guard), evaluating only candidate rules. A rule that is
// not a candidate cannot match: its key condition fails. Candidates are
// recomputed after each firing, the only moment the facts change.
func (rs *RuleSet) Run(f Facts, render func(tmpl string, f Facts) string) Outcome {
	out := Outcome{}
	f.Ticket.Tags = slices.Clone(f.Ticket.Tags)
	f.Changed = maps.Clone(f.Changed) // the caller's map stays as it was
	if f.Changed == nil {
		f.Changed = map[string]string{}
	}
	// Rules change neither the subject nor the comment: split them once.
	subject, comment := words(f.Ticket.Subject), words(f.Comment)
	fired := make([]bool, len(rs.rules))
	mark := make([]bool, len(rs.rules))
	rs.candidates(&f, subject, comment, mark)
	for out.Passes < MaxPasses {
		out.Passes++
		any := false
		for i, r := range rs.rules {
			if !mark[i] || fired[i] || !r.Match(f) {
				continue
			}
			fired[i] = true
			any = true
			out.Fired = append(out.Fired, r.ID)
			for _, a := range r.Actions {
				applyAction(&out, &f, r.ID, a, render)
			}
			rs.candidates(&f, subject, comment, mark)
		}
		if !any {
			break
		}
	}
	out.Ticket = f.Ticket
	return out
}
