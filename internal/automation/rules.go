package automation

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"layan/internal/apperr"
	"layan/internal/ticket"
)

// Condition compares one field of the ticket (or its update) with a value.
// Fields: status, priority, type, via, group_id, assignee_id, requester_id,
// organization_id, current_tags, language, subject_includes_word,
// comment_includes_word, update_type (Create|Change), comment_is_public,
// hours_since_created, hours_since_updated, hours_since_status (automations),
// business_hours (true|false: inside the group's working time),
// custom_fields_<id>. Operators: is, is_not, less_than, greater_than,
// includes, not_includes, changed, changed_to, changed_from, not_changed.
type Condition struct {
	Field    string `json:"field"`
	Operator string `json:"operator"`
	Value    any    `json:"value"`
}

// Conditions is Zendesk's shape: all must hold and, if any are given, at
// least one of any.
type Conditions struct {
	All []Condition `json:"all"`
	Any []Condition `json:"any"`
}

// Action changes the ticket or has an effect. Fields: status, priority,
// type, group_id, assignee_id, set_tags, current_tags (add), remove_tags,
// comment_value (public reply; a template with placeholders),
// comment_value_private (internal note), comment_mode_is_public,
// notification_user ([user id or "requester_id"/"assignee_id", subject, body]),
// notification_webhook ([webhook id, body]), custom_fields_<id>.
type Action struct {
	Field string `json:"field"`
	Value any    `json:"value"`
}

// Rule is a trigger or an automation.
type Rule struct {
	ID          int64      `json:"id"`
	Kind        string     `json:"-"` // trigger | automation
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Active      bool       `json:"active"`
	Position    int        `json:"position"`
	Conditions  Conditions `json:"conditions"`
	Actions     []Action   `json:"actions"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// Facts are what conditions see: the ticket as it is now, what the current
// update changed, and context.
type Facts struct {
	Ticket    ticket.Ticket
	Created   bool              // the update created the ticket
	Changed   map[string]string // field → value before the update, for changed_* operators
	Comment   string            // text of the comment added by the update
	Public    bool              // that comment is public
	Language  string            // the requester's (or detected) language
	Now       time.Time
	StatusAt  time.Time // when the status last changed (automations)
	Schedule  *Schedule // the group's business hours
	Requester string    // requester name, for placeholders
}

var conditionFields = []string{"status", "priority", "type", "via", "group_id", "assignee_id", "requester_id",
	"organization_id", "current_tags", "language", "subject_includes_word", "comment_includes_word",
	"update_type", "comment_is_public", "hours_since_created", "hours_since_updated", "hours_since_status",
	"business_hours"}

var actionFields = []string{"status", "priority", "type", "group_id", "assignee_id", "set_tags", "current_tags",
	"remove_tags", "comment_value", "comment_value_private", "notification_user", "notification_webhook"}

var operators = []string{"is", "is_not", "less_than", "greater_than", "includes", "not_includes",
	"changed", "changed_to", "changed_from", "not_changed"}

// Validate checks a rule's shape. Automations must have a time condition so
// they cannot fire on every tick forever without one.
func (r *Rule) Validate() error {
	r.Title = strings.TrimSpace(r.Title)
	if r.Title == "" {
		return apperr.Invalid("title", "required", "a title is required")
	}
	if len(r.Title) > 255 {
		return apperr.Invalid("title", "too_long", "at most 255 characters")
	}
	if len(r.Actions) == 0 {
		return apperr.Invalid("actions", "required", "at least one action is required")
	}
	timed := false
	for _, c := range append(slices.Clone(r.Conditions.All), r.Conditions.Any...) {
		if !slices.Contains(conditionFields, c.Field) && !strings.HasPrefix(c.Field, "custom_fields_") {
			return apperr.Invalid("conditions", "invalid", "unknown condition field "+c.Field)
		}
		if !slices.Contains(operators, c.Operator) {
			return apperr.Invalid("conditions", "invalid", "unknown operator "+c.Operator)
		}
		if strings.HasPrefix(c.Field, "hours_since_") {
			timed = true
		}
	}
	for _, a := range r.Actions {
		if !slices.Contains(actionFields, a.Field) && !strings.HasPrefix(a.Field, "custom_fields_") {
			return apperr.Invalid("actions", "invalid", "unknown action field "+a.Field)
		}
	}
	if r.Kind == "automation" && !timed {
		return apperr.Invalid("conditions", "required", "an automation needs a hours_since_* condition")
	}
	return nil
}

func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case bool:
		return strconv.FormatBool(x)
	default:
		return fmt.Sprint(x)
	}
}

func idStr(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r == '-' || r == '_' || r == '\u200c' || strings.ContainsRune("0123456789", r) || isLetter(r))
	})
}

func isLetter(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 127
}

// value returns the field's current value as text (lists as space-separated).
func (f Facts) value(field string) string {
	t := f.Ticket
	hours := func(since time.Time) string {
		if since.IsZero() {
			return "0"
		}
		return strconv.FormatInt(int64(f.Now.Sub(since)/time.Hour), 10)
	}
	switch field {
	case "status":
		return t.Status
	case "priority":
		return t.Priority
	case "type":
		return t.Type
	case "via":
		return t.Via
	case "group_id":
		return idStr(t.GroupID)
	case "assignee_id":
		return idStr(t.AssigneeID)
	case "requester_id":
		return idStr(t.RequesterID)
	case "organization_id":
		return idStr(t.OrganizationID)
	case "current_tags":
		return strings.Join(t.Tags, " ")
	case "language":
		return f.Language
	case "update_type":
		if f.Created {
			return "Create"
		}
		return "Change"
	case "comment_is_public":
		return strconv.FormatBool(f.Comment != "" && f.Public)
	case "hours_since_created":
		return hours(t.CreatedAt)
	case "hours_since_updated":
		return hours(t.UpdatedAt)
	case "hours_since_status":
		if f.StatusAt.IsZero() {
			return hours(t.UpdatedAt)
		}
		return hours(f.StatusAt)
	case "business_hours":
		return strconv.FormatBool(f.Schedule.Open(f.Now))
	}
	if id, ok := strings.CutPrefix(field, "custom_fields_"); ok {
		n, _ := strconv.ParseInt(id, 10, 64)
		return str(t.CustomFields[n])
	}
	return ""
}

// Match reports whether c holds for f.
func (c Condition) Match(f Facts) bool {
	want := str(c.Value)
	switch c.Field {
	case "subject_includes_word", "comment_includes_word":
		text := f.Ticket.Subject
		if c.Field == "comment_includes_word" {
			text = f.Comment
		}
		have := words(text)
		hit := false
		for _, w := range words(want) {
			if slices.Contains(have, w) {
				hit = true
				break
			}
		}
		if c.Operator == "not_includes" || c.Operator == "is_not" {
			return !hit
		}
		return hit
	case "current_tags":
		have := f.Ticket.Tags
		wantTags := strings.Fields(want)
		switch c.Operator {
		case "includes", "is":
			for _, w := range wantTags {
				if slices.Contains(have, w) {
					return true
				}
			}
			return false
		case "not_includes", "is_not":
			for _, w := range wantTags {
				if slices.Contains(have, w) {
					return false
				}
			}
			return true
		}
	}
	have := f.value(c.Field)
	before, changed := f.Changed[c.Field]
	if f.Created && c.Field != "update_type" {
		// On create every set field counts as changed from nothing.
		before, changed = "", have != ""
	}
	switch c.Operator {
	case "is":
		return strings.EqualFold(have, want)
	case "is_not":
		return !strings.EqualFold(have, want)
	case "less_than", "greater_than":
		if c.Field == "priority" || c.Field == "status" {
			order := ticket.Priorities
			if c.Field == "status" {
				order = ticket.Statuses
			}
			a, b := slices.Index(order, have), slices.Index(order, want)
			if a < 0 || b < 0 {
				return false
			}
			if c.Operator == "less_than" {
				return a < b
			}
			return a > b
		}
		a, err1 := strconv.ParseFloat(have, 64)
		b, err2 := strconv.ParseFloat(want, 64)
		if err1 != nil || err2 != nil {
			return false
		}
		if c.Operator == "less_than" {
			return a < b
		}
		return a > b
	case "includes":
		return strings.Contains(strings.ToLower(have), strings.ToLower(want))
	case "not_includes":
		return !strings.Contains(strings.ToLower(have), strings.ToLower(want))
	case "changed":
		return changed
	case "not_changed":
		return !changed
	case "changed_to":
		return changed && strings.EqualFold(have, want)
	case "changed_from":
		return changed && strings.EqualFold(before, want)
	}
	return false
}

// Match reports whether the rule's conditions hold.
func (r Rule) Match(f Facts) bool {
	for _, c := range r.Conditions.All {
		if !c.Match(f) {
			return false
		}
	}
	if len(r.Conditions.Any) == 0 {
		return true
	}
	for _, c := range r.Conditions.Any {
		if c.Match(f) {
			return true
		}
	}
	return false
}

// Effect is something a rule does besides changing fields.
type Effect struct {
	RuleID int64
	Kind   string // notify_user | webhook
	Target string // user id, "requester_id", "assignee_id", or the webhook id
	Args   []string
}

// Outcome is the result of running rules on one update.
type Outcome struct {
	Fired   []int64 // rule ids in firing order
	Patch   ticket.Patch
	Changed bool
	Effects []Effect
	// Passes is how many evaluation rounds ran (the loop guard bounds it).
	Passes int
	// Ticket is the ticket as the rules left it (what routing then sees).
	Ticket ticket.Ticket
}

// MaxPasses bounds the re-evaluation rounds of one update.
const MaxPasses = 10

// RunTriggers evaluates active rules in order (position, then id). A rule that
// fires changes the in-memory ticket; the remaining rules see the change, and
// after a round in which anything fired the rules are evaluated again (so a
// later rule can enable an earlier one). Each rule fires at most once per
// update, and at most MaxPasses rounds run: the run always ends.
func RunTriggers(rules []Rule, f Facts, render func(tmpl string, f Facts) string) Outcome {
	sorted := slices.Clone(rules)
	slices.SortStableFunc(sorted, func(a, b Rule) int {
		if a.Position != b.Position {
			return a.Position - b.Position
		}
		return int(a.ID - b.ID)
	})
	out := Outcome{}
	fired := map[int64]bool{}
	f.Ticket.Tags = slices.Clone(f.Ticket.Tags)
	if f.Changed == nil {
		f.Changed = map[string]string{}
	}
	for out.Passes < MaxPasses {
		out.Passes++
		any := false
		for _, r := range sorted {
			if !r.Active || fired[r.ID] || !r.Match(f) {
				continue
			}
			fired[r.ID] = true
			any = true
			out.Fired = append(out.Fired, r.ID)
			for _, a := range r.Actions {
				applyAction(&out, &f, r.ID, a, render)
			}
		}
		if !any {
			break
		}
	}
	out.Ticket = f.Ticket
	return out
}

func setChanged(f *Facts, field, before string) {
	if _, ok := f.Changed[field]; !ok {
		f.Changed[field] = before
	}
}

func applyAction(out *Outcome, f *Facts, ruleID int64, a Action, render func(string, Facts) string) {
	v := str(a.Value)
	t := &f.Ticket
	p := &out.Patch
	out.Changed = true
	list := func() []string {
		switch x := a.Value.(type) {
		case []any:
			s := make([]string, len(x))
			for i := range x {
				s[i] = str(x[i])
			}
			return s
		case []string:
			return x
		}
		return strings.Fields(v)
	}
	id := func() int64 { n, _ := strconv.ParseInt(v, 10, 64); return n }
	switch a.Field {
	case "status":
		setChanged(f, "status", t.Status)
		t.Status = v
		p.Status = &t.Status
	case "priority":
		setChanged(f, "priority", t.Priority)
		t.Priority = v
		p.Priority = &t.Priority
	case "type":
		setChanged(f, "type", t.Type)
		t.Type = v
		p.Type = &t.Type
	case "group_id":
		setChanged(f, "group_id", idStr(t.GroupID))
		t.GroupID = id()
		p.GroupID = &t.GroupID
	case "assignee_id":
		setChanged(f, "assignee_id", idStr(t.AssigneeID))
		if v == "current_user" {
			return
		}
		t.AssigneeID = id()
		p.AssigneeID = &t.AssigneeID
	case "set_tags":
		t.Tags = slices.Clone(list())
		tags := slices.Clone(t.Tags)
		p.Tags, p.AddTags, p.RemoveTags = &tags, nil, nil
	case "current_tags":
		for _, tag := range list() {
			if !slices.Contains(t.Tags, tag) {
				t.Tags = append(t.Tags, tag)
				p.AddTags = append(p.AddTags, tag)
			}
			p.RemoveTags = slices.DeleteFunc(p.RemoveTags, func(x string) bool { return x == tag })
		}
		if p.Tags != nil {
			tags := slices.Clone(t.Tags)
			p.Tags, p.AddTags = &tags, nil
		}
	case "remove_tags":
		for _, tag := range list() {
			t.Tags = slices.DeleteFunc(t.Tags, func(x string) bool { return x == tag })
			p.AddTags = slices.DeleteFunc(p.AddTags, func(x string) bool { return x == tag })
			p.RemoveTags = append(p.RemoveTags, tag)
		}
		if p.Tags != nil {
			tags := slices.Clone(t.Tags)
			p.Tags, p.RemoveTags = &tags, nil
		}
	case "comment_value", "comment_value_private":
		body := v
		if render != nil {
			body = render(v, *f)
		}
		public := a.Field == "comment_value"
		if p.Comment != nil {
			p.Comment.Body += "\n\n" + body
			if !public {
				pub := false
				p.Comment.Public = &pub
			}
		} else {
			p.Comment = &ticket.NewComment{Body: body, Public: &public, Via: "rule"}
		}
	case "notification_user", "notification_webhook":
		args := list()
		if len(args) == 0 {
			return
		}
		kind := "notify_user"
		if a.Field == "notification_webhook" {
			kind = "webhook"
		}
		rest := slices.Clone(args[1:])
		if render != nil {
			for i := range rest {
				rest[i] = render(rest[i], *f)
			}
		}
		out.Effects = append(out.Effects, Effect{RuleID: ruleID, Kind: kind, Target: args[0], Args: rest})
	default:
		if sid, ok := strings.CutPrefix(a.Field, "custom_fields_"); ok {
			n, _ := strconv.ParseInt(sid, 10, 64)
			if n > 0 {
				if t.CustomFields == nil {
					t.CustomFields = map[int64]any{}
				}
				setChanged(f, a.Field, str(t.CustomFields[n]))
				t.CustomFields[n] = a.Value
				if p.CustomFields == nil {
					p.CustomFields = map[int64]any{}
				}
				p.CustomFields[n] = a.Value
			}
		}
	}
}
