// Package collab is collaboration on tickets: followers (staff kept
// informed of a ticket's updates), CCs (people copied on its public
// replies: the email channel's ticket_followers), @mentions of staff in
// internal notes, in-app notifications, and side conversations — a
// ticket-linked thread with a third party (another team, a supplier) that
// staff see and the customer never does.
//
// Every change is written with its event in one transaction. Mentions and
// updates of followed tickets are found by a reader of the event log
// (reader.go), so a note added through any channel notifies.
package collab

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/directory"
	"layan/internal/events"
	"layan/internal/mail"
	"layan/internal/ticket"
)

// Event types written by this package (ticket events: webhooks and triggers see them).
const (
	FollowerAdded   = "ticket.follower_added"
	FollowerRemoved = "ticket.follower_removed"
	CCAdded         = "ticket.cc_added"
	CCRemoved       = "ticket.cc_removed"
	SideStarted     = "ticket.side_conversation_started"
	SideMessaged    = "ticket.side_conversation_message"
	SideClosed      = "ticket.side_conversation_closed"
)

// Service is the collaboration service.
type Service struct {
	db      *db.DB
	tickets *ticket.Service
	dir     *directory.Service
	bus     *events.Bus
	now     func() time.Time
	log     *slog.Logger

	// Mail sends side-conversation messages and mention notices (nil: none
	// are mailed; notifications stay in the app).
	Mail mail.Sender
	// BaseURL prefixes links in mails ("https://help.example.com").
	BaseURL string

	procMu sync.Mutex
	gaps   map[int64]time.Time // see reader.go
}

// NewService returns the service.
func NewService(d *db.DB, tickets *ticket.Service, dir *directory.Service, bus *events.Bus, now func() time.Time, log *slog.Logger) *Service {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Service{db: d, tickets: tickets, dir: dir, bus: bus, now: now, log: log}
}

// Person is someone on a ticket's lists.
type Person struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
	Role  string `json:"role"`
}

// Participants are a ticket's followers and CCs.
type Participants struct {
	Followers []Person `json:"followers"`
	CCs       []Person `json:"email_ccs"`
}

// seeTicket checks that a is staff who may read the ticket.
func (s *Service) seeTicket(ctx context.Context, a auth.Actor, ticketID int64) (ticket.Ticket, error) {
	if !a.IsStaff() && !a.System {
		return ticket.Ticket{}, apperr.Forbidden("collaborate on tickets")
	}
	return s.tickets.Get(ctx, a, ticketID)
}

// Participants lists a ticket's followers and CCs (staff who may read it).
func (s *Service) Participants(ctx context.Context, a auth.Actor, ticketID int64) (Participants, error) {
	if _, err := s.seeTicket(ctx, a, ticketID); err != nil {
		return Participants{}, err
	}
	out := Participants{Followers: []Person{}, CCs: []Person{}}
	var err error
	if out.Followers, err = s.people(ctx, `SELECT user_id FROM ticket_watchers WHERE ticket_id = $1 ORDER BY created_at, user_id`, ticketID); err != nil {
		return out, err
	}
	out.CCs, err = s.people(ctx, `SELECT user_id FROM ticket_followers WHERE ticket_id = $1 ORDER BY created_at, user_id`, ticketID)
	return out, err
}

func (s *Service) ids(ctx context.Context, q string, args ...any) ([]int64, error) {
	rows, err := s.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func (s *Service) people(ctx context.Context, q string, ticketID int64) ([]Person, error) {
	ids, err := s.ids(ctx, q, ticketID)
	if err != nil || len(ids) == 0 {
		return []Person{}, err
	}
	us, err := s.dir.UsersByIDs(ctx, auth.SystemActor(), ids)
	if err != nil {
		return nil, err
	}
	byID := map[int64]directory.User{}
	for _, u := range us {
		byID[u.ID] = u
	}
	out := make([]Person, 0, len(ids))
	for _, id := range ids {
		if u, ok := byID[id]; ok {
			out = append(out, Person{ID: u.ID, Name: u.Name, Email: u.Email, Role: u.Role})
		}
	}
	return out, nil
}

// canSee reports whether user may read the ticket (followers and mentioned
// people must: a notification must not leak a ticket).
func (s *Service) canSee(ctx context.Context, userID, ticketID int64) bool {
	ua, err := s.dir.ActorFor(ctx, userID)
	if err != nil || !ua.IsStaff() {
		return false
	}
	_, err = s.tickets.Get(ctx, ua, ticketID)
	return err == nil
}

// write runs fn and writes evs in one transaction, then publishes them.
func (s *Service) write(ctx context.Context, fn func(tx *sql.Tx) (bool, error), evs func() []events.Event) error {
	var out []events.Event
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		changed, err := fn(tx)
		if err != nil || !changed {
			return err
		}
		out = evs()
		return events.Insert(ctx, tx, out)
	})
	if err == nil && s.bus != nil && len(out) > 0 {
		s.bus.Publish(out)
	}
	return err
}

func (s *Service) event(a auth.Actor, ticketID int64, typ, field string, after int64) events.Event {
	return events.Event{TicketID: ticketID, ActorID: a.UserID, Type: typ, Field: field,
		After: events.Str(itoa(after)), CreatedAt: s.now()}
}

// Follow makes userID a follower: staff may follow a ticket they can read;
// agents and admins may add other staff who can read it.
func (s *Service) Follow(ctx context.Context, a auth.Actor, ticketID, userID int64) error {
	if _, err := s.seeTicket(ctx, a, ticketID); err != nil {
		return err
	}
	if userID != a.UserID && !a.CanEditTickets() && !a.System {
		return apperr.Forbidden("add followers")
	}
	if !s.canSee(ctx, userID, ticketID) {
		return apperr.Invalid("user_id", "not_staff", "followers are staff who may read the ticket")
	}
	return s.write(ctx, func(tx *sql.Tx) (bool, error) {
		res, err := tx.ExecContext(ctx, `INSERT INTO ticket_watchers (ticket_id, user_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
			ticketID, userID, db.Millis(s.now()))
		return affected(res, err)
	}, func() []events.Event { return []events.Event{s.event(a, ticketID, FollowerAdded, "follower", userID)} })
}

// Unfollow removes a follower (themself, or by an agent or admin).
func (s *Service) Unfollow(ctx context.Context, a auth.Actor, ticketID, userID int64) error {
	if _, err := s.seeTicket(ctx, a, ticketID); err != nil {
		return err
	}
	if userID != a.UserID && !a.CanEditTickets() && !a.System {
		return apperr.Forbidden("remove followers")
	}
	return s.write(ctx, func(tx *sql.Tx) (bool, error) {
		res, err := tx.ExecContext(ctx, `DELETE FROM ticket_watchers WHERE ticket_id = $1 AND user_id = $2`, ticketID, userID)
		return affected(res, err)
	}, func() []events.Event {
		return []events.Event{s.event(a, ticketID, FollowerRemoved, "follower", userID)}
	})
}

// AddCC copies a person (by id, or by the address of an existing user) on
// the ticket's public replies. Agents and admins who may edit it.
func (s *Service) AddCC(ctx context.Context, a auth.Actor, ticketID, userID int64, email string) (Person, error) {
	t, err := s.seeTicket(ctx, a, ticketID)
	if err != nil {
		return Person{}, err
	}
	if !a.CanEditTickets() && !a.System {
		return Person{}, apperr.Forbidden("copy people on tickets")
	}
	var u directory.User
	if userID != 0 {
		u, err = s.dir.GetUser(ctx, auth.SystemActor(), userID)
	} else {
		addr, verr := directory.NormalizeEmail("email", email)
		if verr != nil {
			return Person{}, verr
		}
		u, err = s.dir.UserByEmail(ctx, auth.SystemActor(), addr)
	}
	if errors.Is(err, apperr.ErrNotFound) {
		return Person{}, apperr.Invalid("user_id", "invalid", "no such person")
	}
	if err != nil {
		return Person{}, err
	}
	if u.ID == t.RequesterID {
		return Person{}, apperr.Invalid("user_id", "invalid", "the requester receives the replies already")
	}
	err = s.write(ctx, func(tx *sql.Tx) (bool, error) {
		res, err := tx.ExecContext(ctx, `INSERT INTO ticket_followers (ticket_id, user_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
			ticketID, u.ID, db.Millis(s.now()))
		return affected(res, err)
	}, func() []events.Event { return []events.Event{s.event(a, ticketID, CCAdded, "cc", u.ID)} })
	return Person{ID: u.ID, Name: u.Name, Email: u.Email, Role: u.Role}, err
}

// RemoveCC stops copying a person.
func (s *Service) RemoveCC(ctx context.Context, a auth.Actor, ticketID, userID int64) error {
	if _, err := s.seeTicket(ctx, a, ticketID); err != nil {
		return err
	}
	if !a.CanEditTickets() && !a.System {
		return apperr.Forbidden("copy people on tickets")
	}
	return s.write(ctx, func(tx *sql.Tx) (bool, error) {
		res, err := tx.ExecContext(ctx, `DELETE FROM ticket_followers WHERE ticket_id = $1 AND user_id = $2`, ticketID, userID)
		return affected(res, err)
	}, func() []events.Event { return []events.Event{s.event(a, ticketID, CCRemoved, "cc", userID)} })
}

func affected(res sql.Result, err error) (bool, error) {
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
