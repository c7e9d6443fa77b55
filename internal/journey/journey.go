// Package journey records customer events (signup, purchase, cancellation,
// custom, with a time and a value) and reads the journey from them: lifetime
// value and the churn-risk list.
package journey

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"sort"
	"strings"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/ticket"
)

// Event types.
var Types = []string{"signup", "purchase", "cancellation", "custom"}

// Event is one thing a customer did outside the help desk.
type Event struct {
	ID         int64     `json:"id"`
	CustomerID int64     `json:"customer_id"`
	Type       string    `json:"type"`
	Name       string    `json:"name,omitempty"`
	ValueCents int64     `json:"value_cents"`
	OccurredAt time.Time `json:"occurred_at"`
	CreatedAt  time.Time `json:"created_at"`
}

// Service records and reads customer events.
type Service struct {
	db  *db.DB
	now func() time.Time
	log *slog.Logger
	// Tickets opens the proactive tickets of ReachOut (nil: reaching out fails).
	Tickets *ticket.Service
}

// NewService returns the journey service.
func NewService(d *db.DB, now func() time.Time, log *slog.Logger) *Service {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Service{db: d, now: now, log: log}
}

func canWrite(a auth.Actor) bool { return a.System || a.CanEditTickets() }

// Record stores an event (admins and agents: integrations use their tokens).
func (s *Service) Record(ctx context.Context, a auth.Actor, e Event) (Event, error) {
	if !canWrite(a) {
		return Event{}, apperr.Forbidden("record customer events")
	}
	e.Name = strings.TrimSpace(e.Name)
	valid := false
	for _, t := range Types {
		valid = valid || t == e.Type
	}
	switch {
	case !valid:
		return Event{}, apperr.Invalid("type", "invalid", "must be signup, purchase, cancellation or custom")
	case e.Type == "custom" && e.Name == "":
		return Event{}, apperr.Invalid("name", "required", "a custom event needs a name")
	case len(e.Name) > 200:
		return Event{}, apperr.Invalid("name", "too_long", "at most 200 characters")
	case e.ValueCents < 0 && e.Type == "purchase":
		return Event{}, apperr.Invalid("value_cents", "invalid", "a purchase has a value of zero or more")
	}
	var role string
	err := s.db.R.QueryRowContext(ctx, `SELECT role FROM users WHERE id = $1`, e.CustomerID).Scan(&role)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && role != auth.RoleEndUser) {
		return Event{}, apperr.Invalid("customer_id", "invalid", "no such customer")
	}
	if err != nil {
		return Event{}, err
	}
	now := s.now().UTC()
	if e.OccurredAt.IsZero() {
		e.OccurredAt = now
	}
	if e.OccurredAt.After(now.Add(24 * time.Hour)) {
		return Event{}, apperr.Invalid("occurred_at", "invalid", "in the future")
	}
	e.CreatedAt = now
	err = s.db.W.QueryRowContext(ctx, `INSERT INTO customer_events (customer_id, type, name, value_cents, occurred_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, e.CustomerID, e.Type, e.Name, e.ValueCents, db.Millis(e.OccurredAt), db.Millis(now)).Scan(&e.ID)
	return e, err
}

// Journey is a customer's events and lifetime value.
type Journey struct {
	CustomerID         int64   `json:"customer_id"`
	Events             []Event `json:"events"`
	LifetimeValueCents int64   `json:"lifetime_value_cents"`
}

// ForCustomer returns a customer's events in time order (staff).
func (s *Service) ForCustomer(ctx context.Context, a auth.Actor, customerID int64) (Journey, error) {
	if !a.IsStaff() && !a.System {
		return Journey{}, apperr.Forbidden("customer events")
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, type, name, value_cents, occurred_at, created_at FROM customer_events
		WHERE customer_id = $1 ORDER BY occurred_at, id LIMIT 1000`, customerID)
	if err != nil {
		return Journey{}, err
	}
	defer rows.Close()
	j := Journey{CustomerID: customerID, Events: []Event{}}
	for rows.Next() {
		e := Event{CustomerID: customerID}
		var oc, cr int64
		if err := rows.Scan(&e.ID, &e.Type, &e.Name, &e.ValueCents, &oc, &cr); err != nil {
			return j, err
		}
		e.OccurredAt, e.CreatedAt = db.Time(oc), db.Time(cr)
		if e.Type == "purchase" {
			j.LifetimeValueCents += e.ValueCents
		}
		j.Events = append(j.Events, e)
	}
	return j, rows.Err()
}

// Risk is one customer on the churn-risk list.
type Risk struct {
	CustomerID         int64     `json:"customer_id"`
	Name               string    `json:"name"`
	Locale             string    `json:"locale"` // the customer's language, for a message to them
	Reason             string    `json:"reason"` // cancelled | silent
	Since              time.Time `json:"since"`  // the cancellation, or the last contact
	Tickets            int       `json:"tickets"`
	LifetimeValueCents int64     `json:"lifetime_value_cents"`
}

// ChurnRisk lists customers at risk (admins): those whose latest
// signup/purchase/cancellation in the last 26 weeks is a cancellation
// ("cancelled"), and those who opened at least two tickets in the last 26
// weeks and none in the last silentWeeks ("silent"). Highest value first.
func (s *Service) ChurnRisk(ctx context.Context, a auth.Actor, silentWeeks int) ([]Risk, error) {
	if !a.IsAdmin() && !a.System {
		return nil, apperr.Forbidden("churn risk")
	}
	if silentWeeks < 1 || silentWeeks > 52 {
		return nil, apperr.Invalid("weeks", "invalid", "between 1 and 52")
	}
	now := s.now().UTC()
	window := db.Millis(now.AddDate(0, 0, -26*7))
	silentSince := db.Millis(now.AddDate(0, 0, -7*silentWeeks))
	risks := map[int64]*Risk{}
	rows, err := s.db.R.QueryContext(ctx, `SELECT customer_id, type, occurred_at FROM customer_events
		WHERE type IN ('signup', 'purchase', 'cancellation') AND occurred_at >= $1 ORDER BY occurred_at, id`, window)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id, at int64
		var typ string
		if err := rows.Scan(&id, &typ, &at); err != nil {
			rows.Close()
			return nil, err
		}
		if typ == "cancellation" {
			risks[id] = &Risk{CustomerID: id, Reason: "cancelled", Since: db.Time(at)}
		} else {
			delete(risks, id)
		}
	}
	rows.Close()
	rows, err = s.db.R.QueryContext(ctx, `SELECT requester_id, COUNT(*), MAX(created_at) FROM tickets
		WHERE deleted_at IS NULL AND created_at >= $1 GROUP BY requester_id`, window)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id, last int64
		var n int
		if err := rows.Scan(&id, &n, &last); err != nil {
			rows.Close()
			return nil, err
		}
		if r := risks[id]; r != nil {
			r.Tickets = n
		} else if n >= 2 && last < silentSince {
			risks[id] = &Risk{CustomerID: id, Reason: "silent", Since: db.Time(last), Tickets: n}
		}
	}
	rows.Close()
	// Names and lifetime values, a few hundred customers per query.
	ids := make([]int64, 0, len(risks))
	for id := range risks {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	out := []Risk{}
	const chunk = 500
	for lo := 0; lo < len(ids); lo += chunk {
		part := ids[lo:min(lo+chunk, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		rows, err := s.db.R.QueryContext(ctx, `SELECT u.id, u.name, u.locale, COALESCE(SUM(ce.value_cents), 0) FROM users u
			LEFT JOIN customer_events ce ON ce.customer_id = u.id AND ce.type = 'purchase'
			WHERE u.role = '`+auth.RoleEndUser+`' AND u.id IN (`+db.Placeholders(1, len(part))+`) GROUP BY u.id, u.name, u.locale`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id, value int64
			var name, locale string
			if err := rows.Scan(&id, &name, &locale, &value); err != nil {
				rows.Close()
				return nil, err
			}
			r := risks[id]
			r.Name, r.Locale, r.LifetimeValueCents = name, locale, value
			out = append(out, *r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].LifetimeValueCents != out[j].LifetimeValueCents {
			return out[i].LifetimeValueCents > out[j].LifetimeValueCents
		}
		return out[i].CustomerID < out[j].CustomerID
	})
	return out, nil
}
