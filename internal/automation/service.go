package automation

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/directory"
	"layan/internal/events"
	"layan/internal/jobs"
	"layan/internal/routing"
	"layan/internal/ticket"
)

// WebhookQueue is the job queue that delivers webhooks.
const WebhookQueue = "webhook"

// cursorName is this reader's row in flow_cursors.
const cursorName = "automation"

// Deliver posts one signed webhook payload (the HTTP adapter lives in
// channel/webhook). permanent means retrying cannot help.
type Deliver func(ctx context.Context, url string, secret []byte, event string, hookID int64, body []byte) (status int, permanent bool, err error)

// CheckURL validates a webhook endpoint against the SSRF guard's static rules.
type CheckURL func(raw string) error

// Service runs the flow of work.
type Service struct {
	db      *db.DB
	tickets *ticket.Service
	dir     *directory.Service
	jobs    *jobs.Queue
	now     func() time.Time
	log     *slog.Logger

	// Deliver and CheckURL are set by the composition root.
	Deliver  Deliver
	CheckURL CheckURL

	procMu sync.Mutex          // one Process or Tick at a time
	gaps   map[int64]time.Time // missing event id → first seen (under procMu)
	router *routing.Router

	cacheMu sync.Mutex
	cache   map[string]cached
	gen     uint64 // counts invalidations (under cacheMu)
}

type cached struct {
	at   time.Time
	objs []object
	set  *RuleSet // triggers compiled from objs (ruleSet)
}

// NewService returns the service.
func NewService(d *db.DB, tickets *ticket.Service, dir *directory.Service, q *jobs.Queue, now func() time.Time, log *slog.Logger) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: d, tickets: tickets, dir: dir, jobs: q, now: now, log: log,
		cache: map[string]cached{}, router: routing.NewRouter(routing.RoundRobin)}
}

func (s *Service) invalidate() {
	s.cacheMu.Lock()
	s.cache = map[string]cached{}
	s.gen++
	s.cacheMu.Unlock()
}

// ruleSet returns the active rules of a kind compiled for evaluation. It is
// built once per read of the rules (a change invalidates it at once; other
// nodes' changes arrive with the cache's few seconds), not on every update.
func (s *Service) ruleSet(ctx context.Context, kind string) (*RuleSet, error) {
	s.cacheMu.Lock()
	c, ok := s.cache[kind]
	gen := s.gen
	s.cacheMu.Unlock()
	if ok && c.set != nil && time.Since(c.at) < 5*time.Second {
		return c.set, nil
	}
	rules, err := s.rules(ctx, kind)
	if err != nil {
		return nil, err
	}
	set := Compile(rules)
	s.cacheMu.Lock()
	if c, ok := s.cache[kind]; ok && s.gen == gen && c.set == nil {
		c.set = set
		s.cache[kind] = c
	}
	s.cacheMu.Unlock()
	return set, nil
}

// objects returns the objects of a kind, cached for a few seconds (other
// nodes' changes arrive within that time).
func (s *Service) objects(ctx context.Context, kind string) ([]object, error) {
	s.cacheMu.Lock()
	c, ok := s.cache[kind]
	s.cacheMu.Unlock()
	if ok && time.Since(c.at) < 5*time.Second {
		return c.objs, nil
	}
	objs, err := s.listObjects(ctx, kind)
	if err != nil {
		return nil, err
	}
	s.cacheMu.Lock()
	s.cache[kind] = cached{at: time.Now(), objs: objs}
	s.cacheMu.Unlock()
	return objs, nil
}

func decode[T any](o object) (T, error) {
	var v T
	err := json.Unmarshal([]byte(o.Body), &v)
	return v, err
}

func adminOnly(a auth.Actor) error {
	if !a.IsAdmin() {
		return apperr.Forbidden("manage flow of work")
	}
	return nil
}

func staffOnly(a auth.Actor) error {
	if !a.IsStaff() && !a.System {
		return apperr.Forbidden("read flow of work")
	}
	return nil
}

// ---- rules (triggers and automations)

func ruleFrom(o object) (Rule, error) {
	r, err := decode[Rule](o)
	r.ID, r.Kind, r.Title, r.Active, r.Position, r.CreatedAt, r.UpdatedAt = o.ID, o.Kind, o.Title, o.Active, o.Position, o.CreatedAt, o.UpdatedAt
	return r, err
}

// Rules lists triggers or automations (kind) in their order.
func (s *Service) Rules(ctx context.Context, a auth.Actor, kind string) ([]Rule, error) {
	if err := staffOnly(a); err != nil {
		return nil, err
	}
	return s.rules(ctx, kind)
}

func (s *Service) rules(ctx context.Context, kind string) ([]Rule, error) {
	objs, err := s.objects(ctx, kind)
	if err != nil {
		return nil, err
	}
	out := make([]Rule, 0, len(objs))
	for _, o := range objs {
		r, err := ruleFrom(o)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// Rule reads one trigger or automation.
func (s *Service) Rule(ctx context.Context, a auth.Actor, kind string, id int64) (Rule, error) {
	if err := staffOnly(a); err != nil {
		return Rule{}, err
	}
	o, err := s.getObject(ctx, kind, id)
	if err != nil {
		return Rule{}, err
	}
	return ruleFrom(o)
}

// SaveRule creates (ID 0) or replaces a trigger or automation.
func (s *Service) SaveRule(ctx context.Context, a auth.Actor, r Rule) (Rule, error) {
	if err := adminOnly(a); err != nil {
		return Rule{}, err
	}
	if r.Kind != KindTrigger && r.Kind != KindAutomation {
		return Rule{}, apperr.Invalid("kind", "invalid", "trigger or automation")
	}
	if err := r.Validate(); err != nil {
		return Rule{}, err
	}
	o, err := s.saveObject(ctx, object{ID: r.ID, Kind: r.Kind, Title: r.Title, Active: r.Active, Position: r.Position},
		Rule{Description: r.Description, Conditions: r.Conditions, Actions: r.Actions})
	if err != nil {
		return Rule{}, err
	}
	return ruleFrom(o)
}

// Delete removes an object of a kind.
func (s *Service) Delete(ctx context.Context, a auth.Actor, kind string, id int64) error {
	if err := adminOnly(a); err != nil {
		return err
	}
	return s.deleteObject(ctx, kind, id)
}

// ---- macros

func macroFrom(o object) (Macro, error) {
	m, err := decode[Macro](o)
	m.ID, m.Title, m.Active, m.Position, m.CreatedAt, m.UpdatedAt = o.ID, o.Title, o.Active, o.Position, o.CreatedAt, o.UpdatedAt
	return m, err
}

// Macros lists macros and canned responses (agents read them).
func (s *Service) Macros(ctx context.Context, a auth.Actor) ([]Macro, error) {
	if err := staffOnly(a); err != nil {
		return nil, err
	}
	objs, err := s.objects(ctx, KindMacro)
	if err != nil {
		return nil, err
	}
	out := make([]Macro, 0, len(objs))
	for _, o := range objs {
		m, err := macroFrom(o)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// Macro reads one macro.
func (s *Service) Macro(ctx context.Context, a auth.Actor, id int64) (Macro, error) {
	if err := staffOnly(a); err != nil {
		return Macro{}, err
	}
	o, err := s.getObject(ctx, KindMacro, id)
	if err != nil {
		return Macro{}, err
	}
	return macroFrom(o)
}

// SaveMacro creates or replaces a macro.
func (s *Service) SaveMacro(ctx context.Context, a auth.Actor, m Macro) (Macro, error) {
	if err := adminOnly(a); err != nil {
		return Macro{}, err
	}
	if err := m.Validate(); err != nil {
		return Macro{}, err
	}
	o, err := s.saveObject(ctx, object{ID: m.ID, Kind: KindMacro, Title: m.Title, Active: m.Active, Position: m.Position},
		Macro{Description: m.Description, Actions: m.Actions, Replies: m.Replies, Canned: m.Canned})
	if err != nil {
		return Macro{}, err
	}
	return macroFrom(o)
}

// MacroPreview computes what a macro would do to a ticket, without applying it.
func (s *Service) MacroPreview(ctx context.Context, a auth.Actor, macroID, ticketID int64) (ticket.Ticket, ticket.Patch, error) {
	m, err := s.Macro(ctx, a, macroID)
	if err != nil {
		return ticket.Ticket{}, ticket.Patch{}, err
	}
	if !m.Active {
		return ticket.Ticket{}, ticket.Patch{}, apperr.NotFound("macro")
	}
	t, err := s.tickets.Get(ctx, a, ticketID)
	if err != nil {
		return ticket.Ticket{}, ticket.Patch{}, err
	}
	f := s.facts(ctx, t)
	p := m.Apply(f, Placeholders{AgentName: a.Name})
	return t, p, nil
}

// ApplyMacro applies a macro to a ticket as the agent (the ticket service
// checks the agent may edit it).
func (s *Service) ApplyMacro(ctx context.Context, a auth.Actor, macroID, ticketID int64) (ticket.Ticket, error) {
	if !a.CanEditTickets() {
		return ticket.Ticket{}, apperr.Forbidden("apply macro")
	}
	_, p, err := s.MacroPreview(ctx, a, macroID, ticketID)
	if err != nil {
		return ticket.Ticket{}, err
	}
	return s.tickets.Update(ctx, a, ticketID, p)
}

// ---- SLA policies and schedules

func policyFrom(o object) (Policy, error) {
	p, err := decode[Policy](o)
	p.ID, p.Title, p.Position = o.ID, o.Title, o.Position
	return p, err
}

// Policies lists SLA policies in order.
func (s *Service) Policies(ctx context.Context, a auth.Actor) ([]Policy, error) {
	if err := staffOnly(a); err != nil {
		return nil, err
	}
	return s.policies(ctx)
}

func (s *Service) policies(ctx context.Context) ([]Policy, error) {
	objs, err := s.objects(ctx, KindSLAPolicy)
	if err != nil {
		return nil, err
	}
	out := make([]Policy, 0, len(objs))
	for _, o := range objs {
		p, err := policyFrom(o)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// Policy reads one SLA policy.
func (s *Service) Policy(ctx context.Context, a auth.Actor, id int64) (Policy, error) {
	if err := staffOnly(a); err != nil {
		return Policy{}, err
	}
	o, err := s.getObject(ctx, KindSLAPolicy, id)
	if err != nil {
		return Policy{}, err
	}
	return policyFrom(o)
}

// SavePolicy creates or replaces an SLA policy.
func (s *Service) SavePolicy(ctx context.Context, a auth.Actor, p Policy) (Policy, error) {
	if err := adminOnly(a); err != nil {
		return Policy{}, err
	}
	p.Title = strings.TrimSpace(p.Title)
	if p.Title == "" {
		return Policy{}, apperr.Invalid("title", "required", "a title is required")
	}
	if len(p.Targets) == 0 {
		return Policy{}, apperr.Invalid("policy_metrics", "required", "at least one target is required")
	}
	for _, t := range p.Targets {
		if !slices.Contains(Metrics, t.Metric) || !slices.Contains(ticket.Priorities, t.Priority) || t.Minutes <= 0 {
			return Policy{}, apperr.Invalid("policy_metrics", "invalid", "metric, priority and a positive target are required")
		}
	}
	for _, st := range p.PauseOn {
		if !slices.Contains(ticket.Statuses, st) {
			return Policy{}, apperr.Invalid("pause_on", "invalid", "unknown status "+st)
		}
	}
	for _, a := range p.EscalationActions {
		if !validActionField(a.Field) {
			return Policy{}, apperr.Invalid("escalation_actions", "invalid", "unknown action field "+a.Field)
		}
	}
	doc := p
	doc.ID = 0
	o, err := s.saveObject(ctx, object{ID: p.ID, Kind: KindSLAPolicy, Title: p.Title, Active: true, Position: p.Position}, doc)
	if err != nil {
		return Policy{}, err
	}
	return policyFrom(o)
}

func scheduleFrom(o object) (ScheduleDoc, error) {
	d, err := decode[ScheduleDoc](o)
	d.ID, d.Name, d.CreatedAt, d.UpdatedAt = o.ID, o.Title, o.CreatedAt, o.UpdatedAt
	return d, err
}

// Schedules lists business-hours schedules; the first is the default.
func (s *Service) Schedules(ctx context.Context, a auth.Actor) ([]ScheduleDoc, error) {
	if err := staffOnly(a); err != nil {
		return nil, err
	}
	objs, err := s.objects(ctx, KindSchedule)
	if err != nil {
		return nil, err
	}
	out := make([]ScheduleDoc, 0, len(objs))
	for _, o := range objs {
		d, err := scheduleFrom(o)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// SaveSchedule creates or replaces a schedule.
func (s *Service) SaveSchedule(ctx context.Context, a auth.Actor, d ScheduleDoc) (ScheduleDoc, error) {
	if err := adminOnly(a); err != nil {
		return ScheduleDoc{}, err
	}
	if _, err := d.Schedule(); err != nil {
		return ScheduleDoc{}, err
	}
	doc := d
	doc.ID, doc.Name = 0, ""
	o, err := s.saveObject(ctx, object{ID: d.ID, Kind: KindSchedule, Title: strings.TrimSpace(d.Name), Active: true}, doc)
	if err != nil {
		return ScheduleDoc{}, err
	}
	return scheduleFrom(o)
}

// scheduleFor returns the business hours of a group: a schedule listing the
// group, else the first schedule, else nil (calendar hours).
func (s *Service) scheduleFor(ctx context.Context, groupID int64) *Schedule {
	return s.schedules(ctx).of(groupID)
}

// scheduleSet is every valid schedule by group, and the default (the first).
type scheduleSet struct {
	byGroup map[int64]*Schedule
	def     *Schedule
}

func (s *Service) schedules(ctx context.Context) scheduleSet {
	set := scheduleSet{byGroup: map[int64]*Schedule{}}
	objs, err := s.objects(ctx, KindSchedule)
	if err != nil {
		return set
	}
	for i, o := range objs {
		d, err := scheduleFrom(o)
		if err != nil {
			continue
		}
		sc, err := d.Schedule()
		if err != nil {
			continue
		}
		for _, g := range d.GroupIDs {
			if _, taken := set.byGroup[g]; !taken {
				set.byGroup[g] = sc
			}
		}
		if i == 0 {
			set.def = sc
		}
	}
	return set
}

// of is the group's schedule, else the default; nil: calendar time.
func (set scheduleSet) of(groupID int64) *Schedule {
	if sc, ok := set.byGroup[groupID]; ok && groupID != 0 {
		return sc
	}
	return set.def
}

// WorkingTime returns a function measuring the business time between two
// instants for a group (its schedule, else the default one; calendar time
// when there is none), with the schedules read once: the KPI engine measures
// every ticket's first reply with it.
func (s *Service) WorkingTime(ctx context.Context) func(group int64, from, to time.Time) time.Duration {
	set := s.schedules(ctx)
	return func(group int64, from, to time.Time) time.Duration { return set.of(group).Elapsed(from, to) }
}

// ---- webhooks

func webhookFrom(o object) (Webhook, error) {
	w, err := decode[Webhook](o)
	w.ID, w.Name, w.CreatedAt, w.UpdatedAt = o.ID, o.Title, o.CreatedAt, o.UpdatedAt
	return w, err
}

func (s *Service) webhooks(ctx context.Context) ([]Webhook, error) {
	objs, err := s.objects(ctx, KindWebhook)
	if err != nil {
		return nil, err
	}
	out := make([]Webhook, 0, len(objs))
	for _, o := range objs {
		w, err := webhookFrom(o)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, nil
}

// Webhooks lists webhooks without their secrets (admins only).
func (s *Service) Webhooks(ctx context.Context, a auth.Actor) ([]Webhook, error) {
	if err := adminOnly(a); err != nil {
		return nil, err
	}
	ws, err := s.webhooks(ctx)
	for i := range ws {
		ws[i].Secret = ""
	}
	return ws, err
}

// SaveWebhook creates or replaces a webhook. A new webhook without a secret
// gets a random one, returned once; an update without a secret keeps the old.
func (s *Service) SaveWebhook(ctx context.Context, a auth.Actor, w Webhook) (Webhook, error) {
	if err := adminOnly(a); err != nil {
		return Webhook{}, err
	}
	w.Name = strings.TrimSpace(w.Name)
	if w.Name == "" {
		return Webhook{}, apperr.Invalid("name", "required", "a name is required")
	}
	if s.CheckURL != nil {
		if err := s.CheckURL(w.Endpoint); err != nil {
			return Webhook{}, apperr.Invalid("endpoint", "invalid", err.Error())
		}
	} else if !strings.HasPrefix(w.Endpoint, "https://") && !strings.HasPrefix(w.Endpoint, "http://") {
		return Webhook{}, apperr.Invalid("endpoint", "invalid", "an http(s) URL is required")
	}
	if w.Status == "" {
		w.Status = "active"
	}
	if w.Status != "active" && w.Status != "inactive" {
		return Webhook{}, apperr.Invalid("status", "invalid", "active or inactive")
	}
	if len(w.Subscriptions) == 0 {
		w.Subscriptions = []string{"*"}
	}
	fresh := ""
	if w.Secret == "" {
		if w.ID != 0 {
			old, err := s.getObject(ctx, KindWebhook, w.ID)
			if err != nil {
				return Webhook{}, err
			}
			ow, _ := webhookFrom(old)
			w.Secret = ow.Secret
		} else {
			b := make([]byte, 24)
			_, _ = rand.Read(b)
			w.Secret = hex.EncodeToString(b)
			fresh = w.Secret
		}
	}
	doc := w
	doc.ID, doc.Name = 0, ""
	o, err := s.saveObject(ctx, object{ID: w.ID, Kind: KindWebhook, Title: w.Name, Active: w.Status == "active"}, doc)
	if err != nil {
		return Webhook{}, err
	}
	out, err := webhookFrom(o)
	out.Secret = fresh
	return out, err
}

// Deliveries lists a webhook's delivery log, newest first.
func (s *Service) Deliveries(ctx context.Context, a auth.Actor, webhookID int64, limit int) ([]Delivery, error) {
	if err := adminOnly(a); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 200 {
		limit = 100
	}
	rows, err := s.db.R.QueryContext(ctx,
		`SELECT id, webhook_id, event_id, event_type, ticket_id, attempt, status, http_status, error, duration_ms, created_at
		 FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY id DESC LIMIT $2`, webhookID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Delivery{}
	for rows.Next() {
		var d Delivery
		var at int64
		if err := rows.Scan(&d.ID, &d.WebhookID, &d.EventID, &d.EventType, &d.TicketID, &d.Attempt, &d.Status, &d.HTTPStatus, &d.Error, &d.DurationMS, &at); err != nil {
			return nil, err
		}
		d.CreatedAt = db.Time(at)
		out = append(out, d)
	}
	return out, rows.Err()
}

type webhookJob struct {
	WebhookID int64           `json:"webhook_id"`
	EventID   int64           `json:"event_id"`
	EventType string          `json:"event_type"`
	TicketID  int64           `json:"ticket_id"`
	Body      json.RawMessage `json:"body"`
}

func (s *Service) enqueueWebhook(ctx context.Context, key string, j webhookJob) error {
	if s.jobs == nil {
		return nil
	}
	b, err := json.Marshal(j)
	if err != nil {
		return err
	}
	_, err = s.jobs.Enqueue(ctx, WebhookQueue, string(b), jobs.Options{Key: key, MaxAttempts: 8})
	return err
}

// HandleWebhookJob delivers one queued webhook and logs the attempt. It is
// the jobs.Handler of WebhookQueue.
func (s *Service) HandleWebhookJob(ctx context.Context, jb *jobs.Job) error {
	var j webhookJob
	if err := json.Unmarshal([]byte(jb.Payload), &j); err != nil {
		return jobs.Permanent{Err: err}
	}
	o, err := s.getObject(ctx, KindWebhook, j.WebhookID)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil // deleted meanwhile
	}
	if err != nil {
		return err
	}
	w, err := webhookFrom(o)
	if err != nil {
		return jobs.Permanent{Err: err}
	}
	if w.Status != "active" {
		return nil
	}
	if s.Deliver == nil {
		return errors.New("webhook: no sender configured")
	}
	start := s.now()
	status, permanent, derr := s.Deliver(ctx, w.Endpoint, []byte(w.Secret), j.EventType, w.ID, j.Body)
	state, msg := "succeeded", ""
	if derr != nil {
		state, msg = "failed", derr.Error()
		if permanent && strings.Contains(msg, "refused") {
			state = "refused"
		}
	}
	_, lerr := s.db.W.ExecContext(ctx,
		`INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, ticket_id, attempt, status, http_status, error, duration_ms, created_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		w.ID, j.EventID, j.EventType, j.TicketID, jb.Attempt, state, status, truncate(msg, 500), s.now().Sub(start).Milliseconds(), db.Millis(s.now()))
	if lerr != nil {
		s.log.Warn("webhook delivery log", "err", lerr)
	}
	if derr != nil && permanent {
		return jobs.Permanent{Err: derr}
	}
	return derr
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// ---- routing settings and availability

// Routing returns the routing settings.
func (s *Service) Routing(ctx context.Context, a auth.Actor) (RoutingConfig, error) {
	if err := staffOnly(a); err != nil {
		return RoutingConfig{}, err
	}
	return s.routingConfig(ctx), nil
}

func (s *Service) routingConfig(ctx context.Context) RoutingConfig {
	objs, err := s.objects(ctx, KindRouting)
	if err != nil || len(objs) == 0 {
		return RoutingConfig{Mode: routing.RoundRobin, SkillTagPrefix: "skill_"}
	}
	c, _ := decode[RoutingConfig](objs[0])
	if c.SkillTagPrefix == "" {
		c.SkillTagPrefix = "skill_"
	}
	return c
}

// SaveRouting replaces the routing settings.
func (s *Service) SaveRouting(ctx context.Context, a auth.Actor, c RoutingConfig) (RoutingConfig, error) {
	if err := adminOnly(a); err != nil {
		return RoutingConfig{}, err
	}
	if c.Mode == "" {
		c.Mode = routing.RoundRobin
	}
	if c.Mode != routing.RoundRobin && c.Mode != routing.LeastLoaded {
		return RoutingConfig{}, apperr.Invalid("mode", "invalid", "round_robin or least_loaded")
	}
	objs, err := s.listObjects(ctx, KindRouting)
	if err != nil {
		return RoutingConfig{}, err
	}
	o := object{Kind: KindRouting, Title: "routing", Active: c.Enabled}
	if len(objs) > 0 {
		o.ID = objs[0].ID
	}
	if _, err := s.saveObject(ctx, o, c); err != nil {
		return RoutingConfig{}, err
	}
	return s.routingConfig(ctx), nil
}

// SetAvailability sets an agent's routing profile: the agent themself or an admin.
func (s *Service) SetAvailability(ctx context.Context, a auth.Actor, v Availability) (Availability, error) {
	if !a.IsAdmin() && a.UserID != v.UserID {
		return Availability{}, apperr.Forbidden("set availability")
	}
	if !a.IsStaff() {
		return Availability{}, apperr.Forbidden("set availability")
	}
	if !slices.Contains([]string{routing.Online, routing.Away, routing.OutOfOffice, routing.Offline}, v.Status) {
		return Availability{}, apperr.Invalid("status", "invalid", "online, away, out_of_office or offline")
	}
	if v.Capacity < 0 || v.Capacity > 10000 {
		return Availability{}, apperr.Invalid("capacity", "invalid", "0 (no limit) to 10000")
	}
	if !v.OOOFrom.IsZero() && !v.OOOUntil.IsZero() && v.OOOUntil.Before(v.OOOFrom) {
		return Availability{}, apperr.Invalid("out_of_office_until", "invalid", "ends before it starts")
	}
	_, err := s.db.W.ExecContext(ctx,
		`INSERT INTO agent_availability (user_id, status, ooo_from, ooo_until, capacity, skills, languages, updated_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		 ON CONFLICT (user_id) DO UPDATE SET status = excluded.status, ooo_from = excluded.ooo_from,
		   ooo_until = excluded.ooo_until, capacity = excluded.capacity, skills = excluded.skills,
		   languages = excluded.languages, updated_at = excluded.updated_at`,
		v.UserID, v.Status, db.NullMillis(v.OOOFrom), db.NullMillis(v.OOOUntil), v.Capacity,
		strings.Join(v.Skills, " "), strings.Join(v.Languages, " "), db.Millis(s.now()))
	if db.IsForeignKeyViolation(err) {
		return Availability{}, apperr.NotFound("user")
	}
	return v, err
}

// Availabilities lists agents' routing profiles.
func (s *Service) Availabilities(ctx context.Context, a auth.Actor) ([]Availability, error) {
	if err := staffOnly(a); err != nil {
		return nil, err
	}
	return s.availabilities(ctx)
}

func (s *Service) availabilities(ctx context.Context) ([]Availability, error) {
	rows, err := s.db.R.QueryContext(ctx,
		`SELECT user_id, status, ooo_from, ooo_until, capacity, skills, languages FROM agent_availability ORDER BY user_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Availability{}
	for rows.Next() {
		var v Availability
		var from, until *int64
		var skills, langs string
		if err := rows.Scan(&v.UserID, &v.Status, &from, &until, &v.Capacity, &skills, &langs); err != nil {
			return nil, err
		}
		if from != nil {
			v.OOOFrom = db.Time(*from)
		}
		if until != nil {
			v.OOOUntil = db.Time(*until)
		}
		v.Skills, v.Languages = strings.Fields(skills), strings.Fields(langs)
		out = append(out, v)
	}
	return out, rows.Err()
}

// agents builds routing's view: availability profiles of active staff, their
// groups and current open load.
func (s *Service) agents(ctx context.Context) ([]routing.Agent, error) {
	avs, err := s.availabilities(ctx)
	if err != nil {
		return nil, err
	}
	var out []routing.Agent
	for _, v := range avs {
		actor, err := s.dir.ActorFor(ctx, v.UserID)
		if err != nil || !actor.CanEditTickets() {
			continue
		}
		var load int
		if err := s.db.R.QueryRowContext(ctx,
			`SELECT COUNT(*) FROM tickets WHERE assignee_id = $1 AND status IN ('new', 'open', 'pending', 'hold')`, v.UserID).Scan(&load); err != nil {
			return nil, err
		}
		out = append(out, routing.Agent{ID: v.UserID, GroupIDs: actor.GroupIDs, Skills: v.Skills, Languages: v.Languages,
			Capacity: v.Capacity, Load: load, Status: v.Status, OOOFrom: v.OOOFrom, OOOUntil: v.OOOUntil})
	}
	return out, nil
}

func (s *Service) accountOwner(ctx context.Context, orgID int64) int64 {
	if orgID == 0 {
		return 0
	}
	org, err := s.dir.GetOrganization(ctx, auth.SystemActor(), orgID)
	if err != nil {
		return 0
	}
	return org.AccountOwnerID
}

func (s *Service) routeRequest(ctx context.Context, t ticket.Ticket, lang string, c RoutingConfig) routing.Request {
	r := routing.Request{TicketID: t.ID, GroupID: t.GroupID, Language: lang, AccountOwnerID: s.accountOwner(ctx, t.OrganizationID)}
	for _, tag := range t.Tags {
		if skill, ok := strings.CutPrefix(tag, c.SkillTagPrefix); ok && skill != "" {
			r.Skills = append(r.Skills, skill)
		}
	}
	return r
}

// ---- facts

// facts gathers what conditions and placeholders need about a ticket.
func (s *Service) facts(ctx context.Context, t ticket.Ticket) Facts {
	f := Facts{Ticket: t, Now: s.now(), Changed: map[string]string{}}
	if t.RequesterID != 0 {
		if u, err := s.dir.GetUser(ctx, auth.SystemActor(), t.RequesterID); err == nil {
			f.Requester, f.Language = u.Name, u.Locale
		}
	}
	f.Schedule = s.scheduleFor(ctx, t.GroupID)
	return f
}

func (s *Service) statusSince(ctx context.Context, ticketID int64) time.Time {
	var at *int64
	_ = s.db.R.QueryRowContext(ctx,
		`SELECT MAX(created_at) FROM events WHERE ticket_id = $1 AND type IN ($2, $3)`,
		ticketID, events.TicketCreated, events.StatusChanged).Scan(&at)
	if at == nil {
		return time.Time{}
	}
	return db.Time(*at)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// withAuthor gives a rule's comment an author: the ticket's assignee, else
// the first admin (comments need a person; the event's actor stays the system).
func (s *Service) withAuthor(ctx context.Context, t ticket.Ticket, p *ticket.Patch) {
	if p.Comment == nil || p.Comment.AuthorID != 0 {
		return
	}
	if p.AssigneeID != nil && *p.AssigneeID != 0 {
		p.Comment.AuthorID = *p.AssigneeID
		return
	}
	if t.AssigneeID != 0 {
		p.Comment.AuthorID = t.AssigneeID
		return
	}
	var id int64
	_ = s.db.R.QueryRowContext(ctx, `SELECT id FROM users WHERE role = 'admin' AND active ORDER BY id LIMIT 1`).Scan(&id)
	p.Comment.AuthorID = id
}

// FlowSettings are workspace settings of the flow of work.
type FlowSettings struct {
	// WebhookAllowHosts are hosts (names or addresses) an admin allows as
	// webhook targets even though they are internal.
	WebhookAllowHosts []string `json:"webhook_allow_hosts"`
}

func (s *Service) settings(ctx context.Context) FlowSettings {
	objs, err := s.objects(ctx, KindSettings)
	if err != nil || len(objs) == 0 {
		return FlowSettings{WebhookAllowHosts: []string{}}
	}
	v, _ := decode[FlowSettings](objs[0])
	if v.WebhookAllowHosts == nil {
		v.WebhookAllowHosts = []string{}
	}
	return v
}

// Settings returns the flow settings (admins).
func (s *Service) Settings(ctx context.Context, a auth.Actor) (FlowSettings, error) {
	if err := adminOnly(a); err != nil {
		return FlowSettings{}, err
	}
	return s.settings(ctx), nil
}

// SaveSettings replaces the flow settings (admins).
func (s *Service) SaveSettings(ctx context.Context, a auth.Actor, v FlowSettings) (FlowSettings, error) {
	if err := adminOnly(a); err != nil {
		return FlowSettings{}, err
	}
	hosts := []string{}
	for _, h := range v.WebhookAllowHosts {
		h = strings.ToLower(strings.TrimSpace(h))
		h = strings.Trim(h, "[]")
		_, ipErr := netip.ParseAddr(h)
		if h == "" || len(h) > 253 || strings.ContainsAny(h, "/@ ") || (strings.Contains(h, ":") && ipErr != nil) {
			return FlowSettings{}, apperr.Invalid("webhook_allow_hosts", "invalid", "host names or addresses, without scheme or port")
		}
		hosts = append(hosts, h)
	}
	v.WebhookAllowHosts = hosts
	objs, err := s.listObjects(ctx, KindSettings)
	if err != nil {
		return FlowSettings{}, err
	}
	o := object{Kind: KindSettings, Title: "settings", Active: true}
	if len(objs) > 0 {
		o.ID = objs[0].ID
	}
	if _, err := s.saveObject(ctx, o, v); err != nil {
		return FlowSettings{}, err
	}
	return s.settings(ctx), nil
}

// AllowedWebhookHost reports whether an admin allowed host as a webhook
// target (the SSRF guard's allow-list).
func (s *Service) AllowedWebhookHost(host string) bool {
	host = strings.ToLower(strings.Trim(host, "[]"))
	return slices.Contains(s.settings(context.Background()).WebhookAllowHosts, host)
}
