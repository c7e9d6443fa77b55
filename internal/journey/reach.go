package journey

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"unicode/utf8"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/ticket"
)

// ReachOut is a proactive message to a customer on the churn-risk list.
type ReachOut struct {
	CustomerID int64
	Subject    string
	Message    string
	// Via is the channel the agent used: "web" from the agent workspace,
	// "api" through the REST API (one of ticket.Channels).
	Via string
}

// ReachOut opens a proactive ticket (admins and agents): the customer is the
// requester, the agent the assignee (in the agent's first group), tagged
// ProactiveTag, and the message is the agent's public first comment, so it
// reaches the customer by the ordinary notification of a public reply. The
// ticket is the record of the outreach; no customer event is written (those
// are the customer's own actions).
func (s *Service) ReachOut(ctx context.Context, a auth.Actor, in ReachOut) (ticket.Ticket, error) {
	if !a.CanEditTickets() {
		return ticket.Ticket{}, apperr.Forbidden("reach out to customers")
	}
	if s.Tickets == nil {
		return ticket.Ticket{}, errors.New("journey: no ticket service")
	}
	in.Subject, in.Message = strings.TrimSpace(in.Subject), strings.TrimSpace(in.Message)
	switch {
	case in.Subject == "":
		return ticket.Ticket{}, apperr.Invalid("subject", "required", "is required")
	case utf8.RuneCountInString(in.Subject) > 200:
		return ticket.Ticket{}, apperr.Invalid("subject", "too_long", "at most 200 characters")
	case in.Message == "":
		return ticket.Ticket{}, apperr.Invalid("message", "required", "is required")
	case utf8.RuneCountInString(in.Message) > 10000:
		return ticket.Ticket{}, apperr.Invalid("message", "too_long", "at most 10,000 characters")
	}
	if _, err := s.customer(ctx, in.CustomerID); err != nil {
		return ticket.Ticket{}, err
	}
	if in.Via == "" {
		in.Via = "api"
	}
	var group int64
	if len(a.GroupIDs) > 0 {
		group = a.GroupIDs[0]
	}
	public := true
	return s.Tickets.Create(ctx, a, ticket.NewTicket{Subject: in.Subject, Via: in.Via, RequesterID: in.CustomerID,
		AssigneeID: a.UserID, GroupID: group, Tags: []string{ProactiveTag},
		Comment: ticket.NewComment{Body: in.Message, Public: &public, Via: in.Via}})
}

// Customer is what the reach-out form needs to know of a customer.
type Customer struct {
	ID     int64
	Name   string
	Locale string
}

// Customer returns an end user's name and language (staff); another role or
// an unknown id is not found.
func (s *Service) Customer(ctx context.Context, a auth.Actor, id int64) (Customer, error) {
	if !a.IsStaff() && !a.System {
		return Customer{}, apperr.Forbidden("customers")
	}
	return s.customer(ctx, id)
}

func (s *Service) customer(ctx context.Context, id int64) (Customer, error) {
	c := Customer{ID: id}
	var role string
	err := s.db.R.QueryRowContext(ctx, `SELECT name, locale, role FROM users WHERE id = $1`, id).Scan(&c.Name, &c.Locale, &role)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && role != auth.RoleEndUser) {
		return c, apperr.NotFound("customer")
	}
	return c, err
}
