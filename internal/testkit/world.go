package testkit

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/directory"
	"layan/internal/events"
	"layan/internal/ticket"
)

// World is a small workspace with one person of every role, for permission tests.
type World struct {
	DB      *db.DB
	Bus     *events.Bus
	Dir     *directory.Service
	Tickets *ticket.Service
	Clock   *Clock

	Admin, Agent, Restricted, Light, Alice, Bob, Carol auth.Actor
	// Support and Billing are groups; Restricted is in Billing only.
	Support, Billing directory.Group
	// Acme shares tickets among its members (Alice and Carol); Bob has no organisation.
	Acme directory.Organization
}

// Clock is a fake clock for tests.
type Clock struct{ t time.Time }

// NewClock starts at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the current fake time.
func (c *Clock) Now() time.Time { return c.t }

// Advance moves the clock on.
func (c *Clock) Advance(d time.Duration) { c.t = c.t.Add(d) }

// QuietLogger discards logs.
func QuietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// NewWorld seeds a workspace on d.
func NewWorld(t testing.TB, d *db.DB) *World {
	t.Helper()
	clock := NewClock(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	w := &World{DB: d, Bus: events.NewBus(), Clock: clock}
	w.Dir = directory.NewService(d, clock.Now, QuietLogger())
	w.Tickets = ticket.NewService(d, w.Dir, w.Bus, clock.Now, QuietLogger())
	w.seed(t)
	return w
}

// seed creates the groups, organisation and people of the world.
func (w *World) seed(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	sys := auth.SystemActor()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	var err error
	w.Support, err = w.Dir.CreateGroup(ctx, sys, "Support", "")
	must(err)
	w.Billing, err = w.Dir.CreateGroup(ctx, sys, "Billing", "")
	must(err)
	w.Acme, err = w.Dir.CreateOrganization(ctx, sys, directory.OrgInput{Name: "Acme", SharedTickets: true, SharedComments: true, DomainNames: []string{"acme.test"}})
	must(err)
	// Only Admin and Agent get a password ("password-Admin", "password-Agent"):
	// argon2id is deliberately slow, and slower still under -race, and the
	// others sign in through sessions or tokens in tests.
	mk := func(name, email, role string, groups ...int64) auth.Actor {
		t.Helper()
		in := directory.UserInput{Name: name, Email: email, Role: role}
		if name == "Admin" || name == "Agent" {
			in.Password = "password-" + name
		}
		u, err := w.Dir.CreateUser(ctx, sys, in)
		must(err)
		for _, g := range groups {
			must(w.Dir.AddMember(ctx, sys, u.ID, g))
		}
		a, err := w.Dir.ActorFor(ctx, u.ID)
		must(err)
		return a
	}
	w.Admin = mk("Admin", "admin@layan.test", auth.RoleAdmin, w.Support.ID)
	w.Agent = mk("Agent", "agent@layan.test", auth.RoleAgent, w.Support.ID)
	w.Restricted = mk("Restricted", "restricted@layan.test", auth.RoleAgent, w.Billing.ID)
	_, err = w.Dir.UpdateUser(ctx, sys, w.Restricted.UserID, directory.UserPatch{RestrictedToGroups: ptr(true)})
	must(err)
	w.Restricted, err = w.Dir.ActorFor(ctx, w.Restricted.UserID)
	must(err)
	w.Light = mk("Light", "light@layan.test", auth.RoleLightAgent)
	w.Alice = mk("Alice", "alice@acme.test", auth.RoleEndUser)
	w.Bob = mk("Bob", "bob@example.test", auth.RoleEndUser)
	w.Carol = mk("Carol", "carol@acme.test", auth.RoleEndUser)
}

func ptr[T any](v T) *T { return &v }

// Ptr returns a pointer to v, for patches.
func Ptr[T any](v T) *T { return &v }

// NewTicket creates a ticket for requester in group, with body text.
func (w *World) NewTicket(t testing.TB, requester auth.Actor, groupID int64, subject, body string) ticket.Ticket {
	t.Helper()
	tk, err := w.Tickets.Create(context.Background(), w.Agent, ticket.NewTicket{Subject: subject, RequesterID: requester.UserID,
		GroupID: groupID, Comment: ticket.NewComment{Body: body}})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}
