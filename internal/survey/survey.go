// Package survey offers and records customer surveys: CSAT (good/bad or 1–5
// with a comment) when a ticket is solved, NPS (0–10 with "why?") sampled per
// customer at most once per cooldown, CES (1–7) after resolution. Responses
// come through one-click links signed with a workspace secret (HMAC-SHA256),
// so a link for one ticket cannot answer another.
package survey

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"log/slog"
	mrand "math/rand/v2"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/events"
	"layan/internal/ticket"
)

// Kinds of survey.
const (
	CSAT = "csat"
	NPS  = "nps"
	CES  = "ces"
)

// MaxComment bounds a response's comment, in characters.
const MaxComment = 2000

// secretKey is this package's row in the settings table.
const secretKey = "survey.link_secret"

// Config holds the fatigue rules.
type Config struct {
	// CSATCooldown: a customer is offered at most one CSAT survey per this
	// period (0: one per solved ticket).
	CSATCooldown time.Duration
	// CES: also offer a CES survey when a ticket is solved.
	CES bool
	// NPSSample is the share (0..1) of eligible customers offered NPS.
	NPSSample float64
	// NPSCooldown: at most one NPS survey per customer per this period.
	NPSCooldown time.Duration
	// AnyCooldown: no survey of any kind within this period of the last
	// offer to the same customer, except CSAT (tied to a ticket they just had solved).
	AnyCooldown time.Duration
}

// DefaultConfig: CSAT on every solved ticket, CES too, NPS to a quarter of
// customers at most once per 90 days and never within 7 days of another survey.
func DefaultConfig() Config {
	return Config{CES: true, NPSSample: 0.25, NPSCooldown: 90 * 24 * time.Hour, AnyCooldown: 7 * 24 * time.Hour}
}

// Response is one offered survey and its answer.
type Response struct {
	ID         int64     `json:"id"`
	Kind       string    `json:"kind"`
	TicketID   int64     `json:"ticket_id,omitempty"`
	CustomerID int64     `json:"customer_id"`
	AgentID    int64     `json:"agent_id,omitempty"`
	GroupID    int64     `json:"group_id,omitempty"`
	Channel    string    `json:"channel,omitempty"`
	Score      *int      `json:"score"`
	Comment    string    `json:"comment"`
	OfferedAt  time.Time `json:"offered_at"`
	AnsweredAt time.Time `json:"answered_at,omitzero"`
}

// Service runs surveys.
type Service struct {
	db      *db.DB
	tickets *ticket.Service
	now     func() time.Time
	log     *slog.Logger
	cfg     Config
	// Sample returns a number in [0, 1) for NPS sampling (tests replace it).
	Sample func() float64
}

// NewService returns the survey service.
func NewService(d *db.DB, tickets *ticket.Service, cfg Config, now func() time.Time, log *slog.Logger) *Service {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Service{db: d, tickets: tickets, now: now, log: log, cfg: cfg, Sample: mrand.Float64}
}

// secret returns the workspace's link secret, creating it on first use.
func (s *Service) secret(ctx context.Context) ([]byte, error) {
	var v string
	err := s.db.R.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, secretKey).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		if _, err := s.db.W.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`,
			secretKey, base64.RawURLEncoding.EncodeToString(b)); err != nil {
			return nil, err
		}
		err = s.db.W.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, secretKey).Scan(&v)
	}
	if err != nil {
		return nil, err
	}
	return base64.RawURLEncoding.DecodeString(v)
}

func mac(secret []byte, r Response) string {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte("layan-survey-v1\x00" + r.Kind + "\x00" + strconv.FormatInt(r.ID, 10) + "\x00" +
		strconv.FormatInt(r.TicketID, 10) + "\x00" + strconv.FormatInt(r.CustomerID, 10)))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}

// Token returns the signed token of a response's one-click links.
func (s *Service) Token(ctx context.Context, r Response) (string, error) {
	sec, err := s.secret(ctx)
	if err != nil {
		return "", err
	}
	return strconv.FormatInt(r.ID, 10) + "." + mac(sec, r), nil
}

// byToken finds the response a token signs; any mismatch is "not found".
func (s *Service) byToken(ctx context.Context, token string) (Response, error) {
	idStr, sig, ok := strings.Cut(token, ".")
	id, err := strconv.ParseInt(idStr, 10, 64)
	if !ok || err != nil {
		return Response{}, apperr.NotFound("survey")
	}
	r, err := s.get(ctx, id)
	if err != nil {
		return Response{}, err
	}
	sec, err := s.secret(ctx)
	if err != nil {
		return Response{}, err
	}
	if !hmac.Equal([]byte(sig), []byte(mac(sec, r))) {
		return Response{}, apperr.NotFound("survey")
	}
	return r, nil
}

const cols = `id, kind, COALESCE(ticket_id, 0), customer_id, COALESCE(agent_id, 0), COALESCE(group_id, 0), channel, score, comment, offered_at, answered_at`

func scan(row interface{ Scan(...any) error }) (Response, error) {
	var r Response
	var score, answered sql.NullInt64
	var offered int64
	if err := row.Scan(&r.ID, &r.Kind, &r.TicketID, &r.CustomerID, &r.AgentID, &r.GroupID, &r.Channel, &score, &r.Comment, &offered, &answered); err != nil {
		return r, err
	}
	if score.Valid {
		v := int(score.Int64)
		r.Score = &v
	}
	r.OfferedAt = db.Time(offered)
	if answered.Valid {
		r.AnsweredAt = db.Time(answered.Int64)
	}
	return r, nil
}

func (s *Service) get(ctx context.Context, id int64) (Response, error) {
	r, err := scan(s.db.R.QueryRowContext(ctx, `SELECT `+cols+` FROM survey_responses WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.NotFound("survey")
	}
	return r, err
}

// lastOffer is the customer's latest offer of a kind ("" = any kind).
func (s *Service) lastOffer(ctx context.Context, customer int64, kind string) (time.Time, bool, error) {
	var at sql.NullInt64
	var err error
	if kind == "" {
		err = s.db.R.QueryRowContext(ctx, `SELECT MAX(offered_at) FROM survey_responses WHERE customer_id = $1`, customer).Scan(&at)
	} else {
		err = s.db.R.QueryRowContext(ctx, `SELECT MAX(offered_at) FROM survey_responses WHERE customer_id = $1 AND kind = $2`, customer, kind).Scan(&at)
	}
	if err != nil || !at.Valid {
		return time.Time{}, false, err
	}
	return db.Time(at.Int64), true, nil
}

func (s *Service) insert(ctx context.Context, r *Response) error {
	err := s.db.W.QueryRowContext(ctx, `INSERT INTO survey_responses (kind, ticket_id, customer_id, agent_id, group_id, channel, offered_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, r.Kind, db.NullID(r.TicketID), r.CustomerID, db.NullID(r.AgentID),
		db.NullID(r.GroupID), r.Channel, db.Millis(r.OfferedAt)).Scan(&r.ID)
	if db.IsUniqueViolation(err) {
		return apperr.Conflict("survey already offered")
	}
	return err
}

// OfferForTicket offers a CSAT (or CES) survey on a solved ticket, tied to its
// requester, assignee, group and channel at this moment. ok is false when a
// fatigue rule or an earlier offer holds it back. System callers only.
func (s *Service) OfferForTicket(ctx context.Context, a auth.Actor, ticketID int64, kind string) (Response, bool, error) {
	if !a.System && !a.IsAdmin() {
		return Response{}, false, apperr.Forbidden("offer surveys")
	}
	if kind != CSAT && kind != CES {
		return Response{}, false, apperr.Invalid("kind", "invalid", "must be csat or ces")
	}
	t, err := s.tickets.Get(ctx, auth.SystemActor(), ticketID)
	if err != nil {
		return Response{}, false, err
	}
	if t.Status != "solved" && t.Status != "closed" {
		return Response{}, false, apperr.Invalid("ticket_id", "not_solved", "the ticket is not solved")
	}
	if existing, err := s.forTicket(ctx, kind, ticketID); err == nil {
		return existing, false, nil
	}
	now := s.now().UTC()
	if kind == CSAT && s.cfg.CSATCooldown > 0 {
		if last, ok, err := s.lastOffer(ctx, t.RequesterID, CSAT); err != nil {
			return Response{}, false, err
		} else if ok && now.Sub(last) < s.cfg.CSATCooldown {
			return Response{}, false, nil
		}
	}
	r := Response{Kind: kind, TicketID: t.ID, CustomerID: t.RequesterID, AgentID: t.AssigneeID, GroupID: t.GroupID,
		Channel: t.Via, OfferedAt: now}
	if err := s.insert(ctx, &r); err != nil {
		if errors.Is(err, apperr.ErrConflict) {
			existing, gerr := s.forTicket(ctx, kind, ticketID)
			return existing, false, gerr
		}
		return Response{}, false, err
	}
	return r, true, nil
}

func (s *Service) forTicket(ctx context.Context, kind string, ticketID int64) (Response, error) {
	r, err := scan(s.db.R.QueryRowContext(ctx, `SELECT `+cols+` FROM survey_responses WHERE kind = $1 AND ticket_id = $2`, kind, ticketID))
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.NotFound("survey")
	}
	return r, err
}

// OfferNPS offers an NPS survey to a customer when they are sampled and no
// NPS survey was offered within the NPS cooldown nor any survey within the
// general cooldown. System callers only.
func (s *Service) OfferNPS(ctx context.Context, a auth.Actor, customerID int64) (Response, bool, error) {
	if !a.System && !a.IsAdmin() {
		return Response{}, false, apperr.Forbidden("offer surveys")
	}
	now := s.now().UTC()
	if last, ok, err := s.lastOffer(ctx, customerID, NPS); err != nil {
		return Response{}, false, err
	} else if ok && now.Sub(last) < s.cfg.NPSCooldown {
		return Response{}, false, nil
	}
	if last, ok, err := s.lastOffer(ctx, customerID, ""); err != nil {
		return Response{}, false, err
	} else if ok && now.Sub(last) < s.cfg.AnyCooldown {
		return Response{}, false, nil
	}
	if s.Sample() >= s.cfg.NPSSample {
		return Response{}, false, nil
	}
	r := Response{Kind: NPS, CustomerID: customerID, OfferedAt: now}
	if err := s.insert(ctx, &r); err != nil {
		return Response{}, false, err
	}
	return r, true, nil
}

func checkScore(kind string, score int) error {
	lo, hi := 1, 5
	switch kind {
	case NPS:
		lo, hi = 0, 10
	case CES:
		lo, hi = 1, 7
	}
	if score < lo || score > hi {
		return apperr.Invalid("score", "out_of_range", "score out of range")
	}
	return nil
}

// ParseScore reads a CSAT answer: "good" (5), "bad" (1) or a number.
func ParseScore(s string) (int, error) {
	switch s {
	case "good":
		return 5, nil
	case "bad":
		return 1, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, apperr.Invalid("score", "invalid", "must be good, bad or a number")
	}
	return n, nil
}

func (s *Service) answer(ctx context.Context, r Response, score int, comment *string) (Response, error) {
	if err := checkScore(r.Kind, score); err != nil {
		return r, err
	}
	c := r.Comment
	if comment != nil {
		c = strings.TrimSpace(*comment)
		if !utf8.ValidString(c) || utf8.RuneCountInString(c) > MaxComment {
			return r, apperr.Invalid("comment", "too_long", "comment too long")
		}
	}
	now := s.now().UTC()
	if _, err := s.db.W.ExecContext(ctx, `UPDATE survey_responses SET score = $1, comment = $2, answered_at = $3 WHERE id = $4`,
		score, c, db.Millis(now), r.ID); err != nil {
		return r, err
	}
	r.Score, r.Comment, r.AnsweredAt = &score, c, now
	return r, nil
}

// AnswerByToken records a one-click answer from a signed link (the customer
// may change it later through the same link; the comment stays unless given).
func (s *Service) AnswerByToken(ctx context.Context, token string, score int, comment *string) (Response, error) {
	r, err := s.byToken(ctx, token)
	if err != nil {
		return r, err
	}
	return s.answer(ctx, r, score, comment)
}

// ByToken shows the survey a signed link is for.
func (s *Service) ByToken(ctx context.Context, token string) (Response, error) {
	return s.byToken(ctx, token)
}

// RateTicket is a signed-in requester rating their solved ticket (Zendesk's
// POST /api/v2/tickets/{id}/satisfaction_rating): offers CSAT if needed.
func (s *Service) RateTicket(ctx context.Context, a auth.Actor, ticketID int64, score int, comment *string) (Response, error) {
	t, err := s.tickets.Get(ctx, a, ticketID)
	if err != nil {
		return Response{}, err
	}
	if t.RequesterID != a.UserID {
		return Response{}, apperr.Forbidden("only the requester rates a ticket")
	}
	r, err := s.forTicket(ctx, CSAT, ticketID)
	if errors.Is(err, apperr.ErrNotFound) {
		if t.Status != "solved" && t.Status != "closed" {
			return Response{}, apperr.Invalid("ticket_id", "not_solved", "the ticket is not solved")
		}
		r = Response{Kind: CSAT, TicketID: t.ID, CustomerID: t.RequesterID, AgentID: t.AssigneeID, GroupID: t.GroupID,
			Channel: t.Via, OfferedAt: s.now().UTC()}
		err = s.insert(ctx, &r)
	}
	if err != nil {
		return Response{}, err
	}
	return s.answer(ctx, r, score, comment)
}

// ListQuery selects responses.
type ListQuery struct {
	Kind     string
	Answered bool // only answered ones
	From, To time.Time
	Limit    int
	AfterID  int64
}

// List returns responses: admins all, agents those on their tickets; customers none.
func (s *Service) List(ctx context.Context, a auth.Actor, q ListQuery) ([]Response, error) {
	if !a.IsStaff() && !a.System {
		return nil, apperr.Forbidden("survey results")
	}
	sqlq := `SELECT ` + cols + ` FROM survey_responses WHERE id > $1`
	args := []any{q.AfterID}
	add := func(cond string, v any) {
		args = append(args, v)
		sqlq += " AND " + strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args)))
	}
	if !a.IsAdmin() && !a.System {
		add("agent_id = ?", a.UserID)
	}
	if q.Kind != "" {
		add("kind = ?", q.Kind)
	}
	if q.Answered {
		sqlq += " AND answered_at IS NOT NULL"
	}
	if !q.From.IsZero() {
		add("offered_at >= ?", db.Millis(q.From))
	}
	if !q.To.IsZero() {
		add("offered_at < ?", db.Millis(q.To))
	}
	if q.Limit <= 0 || q.Limit > 100 {
		q.Limit = 100
	}
	sqlq += " ORDER BY id LIMIT " + strconv.Itoa(q.Limit)
	rows, err := s.db.R.QueryContext(ctx, sqlq, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Response
	for rows.Next() {
		r, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Get shows one response to staff allowed to see it.
func (s *Service) Get(ctx context.Context, a auth.Actor, id int64) (Response, error) {
	if !a.IsStaff() && !a.System {
		return Response{}, apperr.Forbidden("survey results")
	}
	r, err := s.get(ctx, id)
	if err != nil {
		return r, err
	}
	if !a.IsAdmin() && !a.System && r.AgentID != a.UserID {
		return Response{}, apperr.NotFound("survey")
	}
	return r, nil
}

// Watch offers CSAT (and CES when configured) on every ticket that becomes
// solved, from the bus. It returns the unsubscribe function.
func (s *Service) Watch(bus *events.Bus) func() {
	return bus.Subscribe(func(e events.Event) {
		if e.Type != events.StatusChanged || e.After == nil || *e.After != "solved" {
			return
		}
		ctx := context.Background()
		if _, _, err := s.OfferForTicket(ctx, auth.SystemActor(), e.TicketID, CSAT); err != nil {
			s.log.Warn("survey: offer csat", "ticket", e.TicketID, "err", err)
		}
		if s.cfg.CES {
			if _, _, err := s.OfferForTicket(ctx, auth.SystemActor(), e.TicketID, CES); err != nil {
				s.log.Warn("survey: offer ces", "ticket", e.TicketID, "err", err)
			}
		}
	})
}

// TicketRating is the requester's own CSAT answer on a ticket, for the
// portal (ok is false when none was offered or given yet).
func (s *Service) TicketRating(ctx context.Context, a auth.Actor, ticketID int64) (Response, bool, error) {
	t, err := s.tickets.Get(ctx, a, ticketID)
	if err != nil {
		return Response{}, false, err
	}
	if t.RequesterID != a.UserID {
		return Response{}, false, apperr.Forbidden("only the requester rates a ticket")
	}
	r, err := s.forTicket(ctx, CSAT, ticketID)
	if errors.Is(err, apperr.ErrNotFound) {
		return Response{}, false, nil
	}
	return r, err == nil, err
}
