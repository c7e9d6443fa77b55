// Package routing picks the agent for a ticket: the organisation's account
// owner first, then agents of the ticket's group who have its skills and
// language and free capacity, by round robin or least load; and it moves an
// absent agent's open tickets. It decides only: the caller applies the moves
// through the ticket service, so every reassignment is an event.
package routing

import (
	"slices"
	"strings"
	"time"
	"unicode"
)

// Availability of an agent.
const (
	Online      = "online"
	Away        = "away"
	OutOfOffice = "out_of_office"
	Offline     = "offline"
)

// Modes of picking among eligible agents.
const (
	RoundRobin  = "round_robin"
	LeastLoaded = "least_loaded"
)

// Agent is what routing knows about an agent.
type Agent struct {
	ID        int64
	GroupIDs  []int64
	Skills    []string
	Languages []string // empty: any language
	// Capacity is the most open tickets the agent takes; 0 means no limit.
	Capacity int
	Load     int // open tickets assigned now
	Status   string
	// OOOFrom/OOOUntil is a planned absence (either may be zero: open-ended).
	OOOFrom, OOOUntil time.Time
}

// Absent reports whether the agent cannot take work at now.
func (a Agent) Absent(now time.Time) bool {
	if a.Status == OutOfOffice && a.OOOFrom.IsZero() && a.OOOUntil.IsZero() {
		return true
	}
	if !a.OOOFrom.IsZero() || !a.OOOUntil.IsZero() {
		from := a.OOOFrom.IsZero() || !now.Before(a.OOOFrom)
		until := a.OOOUntil.IsZero() || now.Before(a.OOOUntil)
		if from && until {
			return true
		}
	}
	return false
}

// Available: online, not absent, with capacity left.
func (a Agent) Available(now time.Time) bool {
	return a.Status == Online && !a.Absent(now) && (a.Capacity == 0 || a.Load < a.Capacity)
}

// Request is a ticket to route.
type Request struct {
	TicketID int64
	GroupID  int64
	Skills   []string
	Language string
	// AccountOwnerID is the requester's organisation's account owner (0: none).
	AccountOwnerID int64
}

// Decision is the routing result. AgentID 0 means queued for the group.
type Decision struct {
	AgentID int64
	Reason  string // account_owner | round_robin | least_loaded | queued
}

func (a Agent) fits(r Request) bool {
	if r.GroupID != 0 && !slices.Contains(a.GroupIDs, r.GroupID) {
		return false
	}
	for _, s := range r.Skills {
		if !slices.Contains(a.Skills, s) {
			return false
		}
	}
	if r.Language != "" && len(a.Languages) > 0 && !slices.Contains(a.Languages, r.Language) {
		return false
	}
	return true
}

// Router keeps the round-robin position per group. Not safe for concurrent
// use: the caller serialises routing (one routing loop).
type Router struct {
	Mode string
	last map[int64]int64 // group → last agent id picked
}

// NewRouter returns a router in the given mode.
func NewRouter(mode string) *Router {
	if mode != LeastLoaded {
		mode = RoundRobin
	}
	return &Router{Mode: mode, last: map[int64]int64{}}
}

// Pick chooses an agent for r among agents at now. The account owner comes
// first when available (skills and language are not required of them: the
// relationship wins). Then eligible agents: available, in the group, with
// every required skill and the language.
func (rt *Router) Pick(agents []Agent, r Request, now time.Time) Decision {
	if r.AccountOwnerID != 0 {
		for _, a := range agents {
			if a.ID == r.AccountOwnerID && a.Available(now) {
				return Decision{AgentID: a.ID, Reason: "account_owner"}
			}
		}
	}
	var ok []Agent
	for _, a := range agents {
		if a.Available(now) && a.fits(r) {
			ok = append(ok, a)
		}
	}
	if len(ok) == 0 {
		return Decision{Reason: "queued"}
	}
	slices.SortFunc(ok, func(a, b Agent) int { return int(a.ID - b.ID) })
	if rt.Mode == LeastLoaded {
		best := ok[0]
		for _, a := range ok[1:] {
			// Compare load as a share of capacity when both have one.
			if less(a, best) {
				best = a
			}
		}
		return Decision{AgentID: best.ID, Reason: LeastLoaded}
	}
	last := rt.last[r.GroupID]
	pick := ok[0]
	for _, a := range ok {
		if a.ID > last {
			pick = a
			break
		}
	}
	rt.last[r.GroupID] = pick.ID
	return Decision{AgentID: pick.ID, Reason: RoundRobin}
}

func less(a, b Agent) bool {
	if a.Capacity > 0 && b.Capacity > 0 {
		// a.Load/a.Capacity < b.Load/b.Capacity without floats
		return a.Load*b.Capacity < b.Load*a.Capacity
	}
	return a.Load < b.Load
}

// OpenTicket is an assigned, unsolved ticket.
type OpenTicket struct {
	Request
	AssigneeID int64
}

// Move is one reassignment to apply.
type Move struct {
	TicketID int64
	From, To int64 // To 0: back to the group's queue
	Reason   string
}

// ReassignAbsent moves the open tickets of absent agents to available ones
// (by the router's mode, loads updated as it goes) or back to the queue.
// Tickets are handled in id order so the result is deterministic.
func (rt *Router) ReassignAbsent(agents []Agent, open []OpenTicket, now time.Time) []Move {
	agents = slices.Clone(agents)
	byID := map[int64]int{}
	for i, a := range agents {
		byID[a.ID] = i
	}
	open = slices.Clone(open)
	slices.SortFunc(open, func(a, b OpenTicket) int { return int(a.TicketID - b.TicketID) })
	var moves []Move
	for _, t := range open {
		i, known := byID[t.AssigneeID]
		if !known || !agents[i].Absent(now) {
			continue
		}
		d := rt.Pick(agents, t.Request, now)
		if d.AgentID == t.AssigneeID {
			d = Decision{Reason: "queued"}
		}
		moves = append(moves, Move{TicketID: t.TicketID, From: t.AssigneeID, To: d.AgentID, Reason: "out_of_office:" + d.Reason})
		agents[i].Load--
		if j, ok := byID[d.AgentID]; ok {
			agents[j].Load++
		}
	}
	return moves
}

var idWords = map[string]bool{"saya": true, "tidak": true, "dan": true, "yang": true, "untuk": true, "dengan": true,
	"ini": true, "itu": true, "sudah": true, "belum": true, "bisa": true, "mohon": true, "terima": true, "kasih": true,
	"pesanan": true, "apa": true, "ada": true, "di": true, "ke": true, "dari": true, "kami": true, "anda": true, "tolong": true}
var enWords = map[string]bool{"the": true, "and": true, "is": true, "my": true, "i": true, "not": true, "to": true,
	"you": true, "please": true, "with": true, "for": true, "have": true, "was": true, "order": true, "thanks": true,
	"it": true, "of": true, "a": true, "can": true, "this": true, "has": true}

// DetectLanguage guesses en, id or fa from text ("" if it cannot tell):
// Arabic script means Persian; otherwise common-word counts decide.
func DetectLanguage(text string) string {
	arabic, latin := 0, 0
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Arabic, r):
			arabic++
		case unicode.Is(unicode.Latin, r):
			latin++
		}
	}
	if arabic > 0 && arabic >= latin {
		return "fa"
	}
	id, en := 0, 0
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) }) {
		if idWords[w] {
			id++
		}
		if enWords[w] {
			en++
		}
	}
	switch {
	case id > en:
		return "id"
	case en > id:
		return "en"
	}
	return ""
}
