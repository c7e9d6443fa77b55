package ui

import (
	"net/http"
	"strconv"
	"strings"

	"layan/internal/automation"
	"layan/internal/ticket"
)

// The flow-of-work admin pages: triggers and automations (a conditions and
// actions editor), macros, SLA policies, business hours, routing and
// webhooks. They call package automation, which checks again that the
// actor is an admin. Without a Flow service (tests of other areas) every
// one of them is a 404.

// registerFlow adds the flow and collaboration pages; page, admin and staff
// wrap handlers as in Register.
func (p *Pages) registerFlow(page, admin, staff func(string, http.HandlerFunc)) {
	for _, kind := range []string{automation.KindTrigger, automation.KindAutomation} {
		base := "/admin/" + kind + "s"
		admin("GET "+base, p.flowOnly(p.adminRules(kind)))
		admin("GET "+base+"/new", p.flowOnly(p.newRuleForm(kind)))
		admin("POST "+base, p.flowOnly(p.saveRule(kind)))
		admin("GET "+base+"/{id}", p.flowOnly(p.adminRule(kind)))
		admin("POST "+base+"/{id}", p.flowOnly(p.saveRule(kind)))
		admin("POST "+base+"/{id}/delete", p.flowOnly(p.deleteFlowObject(kind, base)))
	}
	admin("GET /admin/macros", p.flowOnly(p.adminMacros))
	admin("GET /admin/macros/new", p.flowOnly(p.newMacroForm))
	admin("POST /admin/macros", p.flowOnly(p.saveMacro))
	admin("GET /admin/macros/{id}", p.flowOnly(p.adminMacro))
	admin("POST /admin/macros/{id}", p.flowOnly(p.saveMacro))
	admin("POST /admin/macros/{id}/delete", p.flowOnly(p.deleteFlowObject(automation.KindMacro, "/admin/macros")))
	admin("GET /admin/sla", p.flowOnly(p.adminPolicies))
	admin("GET /admin/sla/new", p.flowOnly(p.newPolicyForm))
	admin("POST /admin/sla", p.flowOnly(p.savePolicy))
	admin("GET /admin/sla/{id}", p.flowOnly(p.adminPolicy))
	admin("POST /admin/sla/{id}", p.flowOnly(p.savePolicy))
	admin("POST /admin/sla/{id}/delete", p.flowOnly(p.deleteFlowObject(automation.KindSLAPolicy, "/admin/sla")))
	admin("GET /admin/schedules", p.flowOnly(p.adminSchedules))
	admin("GET /admin/schedules/new", p.flowOnly(p.newScheduleForm))
	admin("POST /admin/schedules", p.flowOnly(p.saveSchedule))
	admin("GET /admin/schedules/{id}", p.flowOnly(p.adminSchedule))
	admin("POST /admin/schedules/{id}", p.flowOnly(p.saveSchedule))
	admin("POST /admin/schedules/{id}/delete", p.flowOnly(p.deleteFlowObject(automation.KindSchedule, "/admin/schedules")))
	admin("GET /admin/routing", p.flowOnly(p.adminRouting))
	admin("POST /admin/routing", p.flowOnly(p.saveRouting))
	admin("POST /admin/routing/agents/{id}", p.flowOnly(p.saveAvailability))
	admin("GET /admin/webhooks", p.flowOnly(p.adminWebhooks))
	admin("POST /admin/webhooks", p.flowOnly(p.saveWebhook))
	admin("POST /admin/webhooks/allow", p.flowOnly(p.saveWebhookHosts))
	admin("GET /admin/webhooks/{id}", p.flowOnly(p.adminWebhook))
	admin("POST /admin/webhooks/{id}", p.flowOnly(p.saveWebhook))
	admin("POST /admin/webhooks/{id}/delete", p.flowOnly(p.deleteFlowObject(automation.KindWebhook, "/admin/webhooks")))
	staff("POST /agent/tickets/{id}/macro", p.flowOnly(p.applyMacro))

	// Collaboration (collab.go): the ticket's followers, CCs and side
	// conversations; my notifications; the third party's page of a side
	// conversation (anyone with its link).
	staff("POST /agent/tickets/{id}/followers", p.collabOnly(p.followTicket))
	staff("POST /agent/tickets/{id}/ccs", p.collabOnly(p.addCC))
	staff("POST /agent/tickets/{id}/ccs/{user}/remove", p.collabOnly(p.removeCC))
	staff("POST /agent/tickets/{id}/side", p.collabOnly(p.startSide))
	staff("POST /agent/side/{id}/reply", p.collabOnly(p.sideAction(false)))
	staff("POST /agent/side/{id}/close", p.collabOnly(p.sideAction(true)))
	staff("GET /agent/notifications", p.collabOnly(p.notificationsList))
	staff("POST /agent/notifications/read", p.collabOnly(p.readNotification))
	page("GET /portal/side/{token}", p.collabOnly(p.sidePublic))
	page("POST /portal/side/{token}", p.collabOnly(p.sideReplyPublic))
}

// collabOnly answers 404 when no collaboration service is configured.
func (p *Pages) collabOnly(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if p.d.Collab == nil {
			p.notFound(w, r)
			return
		}
		next(w, r)
	}
}

// flowOnly answers 404 when no flow service is configured.
func (p *Pages) flowOnly(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if p.d.Flow == nil {
			p.notFound(w, r)
			return
		}
		next(w, r)
	}
}

// deleteFlowObject: POST .../{id}/delete (confirm=1).
func (p *Pages) deleteFlowObject(kind, back string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := p.pathID(w, r, "id")
		if !ok {
			return
		}
		if r.PostFormValue("confirm") != "1" {
			http.Redirect(w, r, back+"/"+itoa(id), http.StatusSeeOther)
			return
		}
		if err := p.d.Flow.Delete(r.Context(), currentActor(r), kind, id); err != nil {
			p.fail(w, r, err)
			return
		}
		http.Redirect(w, r, back+"?done=deleted", http.StatusSeeOther)
	}
}

// option is one choice of a select, its label already translated.
type option struct{ Value, Label string }

// Condition fields, operators and action fields offered by the editor, in
// the order a person looks for them.
var (
	triggerFields = []string{"update_type", "via", "status", "priority", "type", "group_id", "assignee_id",
		"requester_id", "organization_id", "current_tags", "language", "subject_includes_word",
		"comment_includes_word", "comment_is_public", "business_hours"}
	automationFields = []string{"hours_since_created", "hours_since_updated", "hours_since_status", "status",
		"priority", "type", "group_id", "assignee_id", "organization_id", "current_tags", "language", "business_hours"}
	ruleOperators = []string{"is", "is_not", "includes", "not_includes", "less_than", "greater_than",
		"changed", "changed_to", "changed_from", "not_changed"}
	ruleActions = []string{"status", "priority", "type", "group_id", "assignee_id", "current_tags", "remove_tags",
		"set_tags", "comment_value", "comment_value_private", "notification_user", "notification_webhook"}
)

func (v *View) options(prefix string, values []string) []option {
	out := make([]option, len(values))
	for i, s := range values {
		out[i] = option{s, v.T(prefix + s)}
	}
	return out
}

// withCurrent adds a stored value the list does not offer (a custom field
// set through the API), so editing a rule never drops it silently.
func withCurrent(opts []option, current string) []option {
	if current == "" {
		return opts
	}
	for _, o := range opts {
		if o.Value == current {
			return opts
		}
	}
	return append(opts, option{current, current})
}

// condRow and actRow are one line of the editor.
type condRow struct {
	N                int // 1-based, for labels
	Field, Op, Value string
	Fields           []option
}

type actRow struct {
	N            int
	Field, Value string
	Fields       []option
}

// blankRows is how many empty lines the editor offers below the stored ones.
const blankRows = 2

// valueText writes an action or condition value as the editor's text:
// lists with " | " between the parts of a notification, else spaces.
func valueText(field string, v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case []any:
		parts := make([]string, len(x))
		for i := range x {
			parts[i] = valueText("", x[i])
		}
		if strings.HasPrefix(field, "notification_") {
			return strings.Join(parts, " | ")
		}
		return strings.Join(parts, " ")
	case []string:
		if strings.HasPrefix(field, "notification_") {
			return strings.Join(x, " | ")
		}
		return strings.Join(x, " ")
	}
	return ""
}

// actionValue reads an action's typed value: notifications are a list
// ("target | subject | body"); everything else is text.
func actionValue(field, text string) any {
	if strings.HasPrefix(field, "notification_") {
		var out []any
		for _, part := range strings.Split(text, "|") {
			out = append(out, strings.TrimSpace(part))
		}
		return out
	}
	return text
}

// conditionsFrom reads the editor's rows of one block ("all" or "any").
func conditionsFrom(r *http.Request, block string) []automation.Condition {
	fs, ops, vals := r.PostForm[block+"_field"], r.PostForm[block+"_op"], r.PostForm[block+"_value"]
	var out []automation.Condition
	for i, f := range fs {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		c := automation.Condition{Field: f}
		if i < len(ops) {
			c.Operator = ops[i]
		}
		if i < len(vals) {
			c.Value = strings.TrimSpace(vals[i])
		}
		out = append(out, c)
	}
	return out
}

// actionsFrom reads the editor's action rows.
func actionsFrom(r *http.Request) []automation.Action {
	fs, vals := r.PostForm["act_field"], r.PostForm["act_value"]
	var out []automation.Action
	for i, f := range fs {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		text := ""
		if i < len(vals) {
			text = strings.TrimSpace(vals[i])
		}
		out = append(out, automation.Action{Field: f, Value: actionValue(f, text)})
	}
	return out
}

// condRows and actRows turn stored rules into editor lines plus blank ones.
func (v *View) condRows(cs []automation.Condition, fields []string) []condRow {
	base := v.options("flow.field.", fields)
	var out []condRow
	for _, c := range cs {
		out = append(out, condRow{N: len(out) + 1, Field: c.Field, Op: c.Operator, Value: valueText(c.Field, c.Value), Fields: withCurrent(base, c.Field)})
	}
	for range blankRows {
		out = append(out, condRow{N: len(out) + 1, Fields: base})
	}
	return out
}

func (v *View) actRows(as []automation.Action) []actRow {
	base := v.options("flow.action.", ruleActions)
	var out []actRow
	for _, a := range as {
		out = append(out, actRow{N: len(out) + 1, Field: a.Field, Value: valueText(a.Field, a.Value), Fields: withCurrent(base, a.Field)})
	}
	for range blankRows {
		out = append(out, actRow{N: len(out) + 1, Fields: base})
	}
	return out
}

// valueHints are the datalist of the value inputs: statuses, priorities,
// types, groups and agents by id, with their names.
func (p *Pages) valueHints(r *http.Request, v *View) []option {
	var out []option
	for _, s := range ticket.Statuses {
		out = append(out, option{s, v.T("status." + s)})
	}
	for _, s := range ticket.Priorities {
		out = append(out, option{s, v.T("priority." + s)})
	}
	for _, s := range ticket.Types {
		out = append(out, option{s, v.T("type." + s)})
	}
	for _, s := range []string{"email", "web", "api", "chat"} {
		out = append(out, option{s, v.T(channelKey(s))})
	}
	if gs, err := p.d.Dir.ListGroups(r.Context(), v.Actor); err == nil {
		for _, g := range gs {
			out = append(out, option{itoa(g.ID), v.T("flow.hint_group", "name", g.Name)})
		}
	}
	if as, err := p.agents(r.Context(), v.Actor); err == nil {
		for _, a := range as {
			out = append(out, option{itoa(a.ID), v.T("flow.hint_agent", "name", a.Name)})
		}
	}
	return out
}

// ---- triggers and automations

type rulesPage struct {
	Kind, Base string
	Rules      []automation.Rule
}

func ruleTitleKey(kind string) string { return "flow." + kind + "s" }

// adminRules: GET /admin/triggers and /admin/automations.
func (p *Pages) adminRules(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v := p.adminView(r, ruleTitleKey(kind))
		rules, err := p.d.Flow.Rules(r.Context(), v.Actor, kind)
		if err != nil {
			p.fail(w, r, err)
			return
		}
		v.Data = &rulesPage{Kind: kind, Base: "/admin/" + kind + "s", Rules: rules}
		p.render(w, r, http.StatusOK, "admin_rules", v)
	}
}

type rulePage struct {
	Kind, Base string
	ID         int64
	Form       *formState
	All, Any   []condRow
	Actions    []actRow
	Ops        []option
	Hints      []option
}

func (p *Pages) renderRule(w http.ResponseWriter, r *http.Request, v *View, status int, rule automation.Rule, f *formState) {
	fields := triggerFields
	if rule.Kind == automation.KindAutomation {
		fields = automationFields
	}
	rp := &rulePage{Kind: rule.Kind, Base: "/admin/" + rule.Kind + "s", ID: rule.ID, Form: f,
		All: v.condRows(rule.Conditions.All, fields), Any: v.condRows(rule.Conditions.Any, fields),
		Actions: v.actRows(rule.Actions), Ops: v.options("flow.op.", ruleOperators), Hints: p.valueHints(r, v)}
	if rule.ID != 0 {
		v.Title = rule.Title
	}
	v.Data = rp
	p.render(w, r, status, "admin_rule", v)
}

func ruleForm(rule automation.Rule) *formState {
	f := newForm()
	f.Values.Set("title", rule.Title)
	f.Values.Set("description", rule.Description)
	f.Values.Set("position", strconv.Itoa(rule.Position))
	if rule.Active {
		f.Values.Set("active", "1")
	}
	return f
}

// newRuleForm: GET /admin/triggers/new.
func (p *Pages) newRuleForm(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v := p.adminView(r, ruleTitleKey(kind))
		rule := automation.Rule{Kind: kind, Active: true}
		p.renderRule(w, r, v, http.StatusOK, rule, ruleForm(rule))
	}
}

// adminRule: GET /admin/triggers/{id}.
func (p *Pages) adminRule(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := p.pathID(w, r, "id")
		if !ok {
			return
		}
		v := p.adminView(r, ruleTitleKey(kind))
		rule, err := p.d.Flow.Rule(r.Context(), v.Actor, kind, id)
		if err != nil {
			p.fail(w, r, err)
			return
		}
		p.renderRule(w, r, v, http.StatusOK, rule, ruleForm(rule))
	}
}

var ruleFields = map[string][2]string{
	"title": {"title", "flow.rule_title"}, "conditions": {"conditions", "flow.conditions"},
	"actions": {"actions", "flow.actions"}, "position": {"position", "flow.position"},
}

// saveRule: POST /admin/triggers (create) and /admin/triggers/{id} (replace).
func (p *Pages) saveRule(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v := p.adminView(r, ruleTitleKey(kind))
		var id int64
		if r.PathValue("id") != "" {
			var ok bool
			if id, ok = p.pathID(w, r, "id"); !ok {
				return
			}
		}
		f := formFrom(r, "title", "description", "position", "active")
		rule := automation.Rule{ID: id, Kind: kind, Title: f.V("title"), Description: f.V("description"), Active: f.On("active"),
			Conditions: automation.Conditions{All: conditionsFrom(r, "all"), Any: conditionsFrom(r, "any")}, Actions: actionsFrom(r)}
		pos, err := strconv.Atoi(f.V("position"))
		if f.V("position") != "" && (err != nil || pos < 0 || pos > 100000) {
			f.Set("position", v.T("error.invalid", "field", v.T("flow.position")))
		}
		rule.Position = pos
		if !f.Failed(v) {
			saved, err := p.d.Flow.SaveRule(r.Context(), v.Actor, rule)
			if err == nil {
				http.Redirect(w, r, "/admin/"+kind+"s/"+itoa(saved.ID)+"?done=saved", http.StatusSeeOther)
				return
			}
			if !applyError(v, f, err, ruleFields) {
				p.fail(w, r, err)
				return
			}
			f.Failed(v)
		}
		p.renderRule(w, r, v, http.StatusUnprocessableEntity, rule, f)
	}
}
