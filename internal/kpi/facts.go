package kpi

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"layan/internal/events"
	"layan/internal/ticket"
)

// What a ticket contributes to the figures, one fact per measured event
// (docs/kpis.md, "Rollups"). extract mirrors the replay (replay.go) event by
// event; the facts are what kpi_facts stores and kpi_daily sums.
const (
	factCreated  = 1 // n tickets created, dimensions at creation
	factFirst    = 2 // the first staff reply: ms since creation; agent = the replier
	factResolved = 3 // the day's last resolution: ms since creation, fcr/esc/tr, next_day, reopen_day
	factTransfer = 4 // n transfers, dimensions before the transfer
	factReopened = 5 // a reopening (counted per distinct ticket, from kpi_facts)
	factBacklog  = 6 // n = ±1: the ticket entered or left the backlog of these dimensions that day
	factAnswered = 7 // a chat answered: ms waited in the queue; agent = who took it
	factAbandon  = 8 // a chat left by its visitor while queued
	factSLAMet   = 9 // an SLA target achieved (n = 1 per target)
	factSLAMiss  = 10
)

// noDay marks next_day / reopen_day as none (NULL).
const noDay = -1

const bins = 32

type dims struct {
	channel           string
	group, agent, org int64
	lang              string
	tags              []string
}

type fact struct {
	ticket int64
	kind   int
	day    int64
	dims
	n            int64
	ms           int64
	bin          int
	fcr, esc, tr bool
	nextDay      int64 // the next day with a resolution of the ticket, or noDay
	reopenDay    int64 // fcr only: the day of the first reopening after this resolution, or noDay
	work         int64 // resolutions: agent work time logged on the ticket before it, ms (handling time)
	biz          int64 // first replies: ms in the business hours of the ticket's group
	until        int64 // in memory only: a deleted ticket counts in periods ending at or before this (Unix ms)
}

func (f fact) hours() float64 { return (time.Duration(f.ms) * time.Millisecond).Hours() }

// dayOf is the UTC day number (days since 1970-01-01) of t.
func dayOf(t time.Time) int64 { return floorDiv(t.UnixMilli(), 86_400_000) }

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// binOf puts a duration into one of 32 histogram bins growing by 1.6× from
// one minute, so the bin holding a median has a small share of the sample
// (rollup_read.go fetches only that bin's values). Monotonic in ms.
func binOf(ms int64) int {
	minutes := float64(ms) / 60_000
	if minutes < 1 {
		return 0
	}
	b := int(math.Log(minutes)/math.Log(1.6)) + 1
	return min(b, bins-1)
}

// extract returns the ticket's facts from its whole history (t.evs in time
// order, t.init its state at creation) and the time of its first deletion
// (zero when never deleted). staff tells the staff; lang is the requester's;
// worked measures business hours.
func extract(t *tick, staff func(int64) bool, lang string, worked WorkingTime) ([]fact, time.Time) {
	evs := t.evs
	var deleted time.Time
	if len(evs) == 0 || evs[0].Type != events.TicketCreated {
		return nil, deleted
	}
	st := t.init
	st.tags = slices.Clone(t.init.tags)
	dimsOf := func(st tstate) dims {
		return dims{channel: t.channel, group: st.group, agent: st.assignee, org: st.org, lang: lang, tags: st.tags}
	}
	var out []fact
	add := func(kind int, at time.Time, d dims, n int64) *fact {
		out = append(out, fact{ticket: t.id, kind: kind, day: dayOf(at), dims: d, n: n, nextDay: noDay, reopenDay: noDay})
		return &out[len(out)-1]
	}
	created := evs[0].CreatedAt

	// The backlog at midnight is the state after the day's last event: each
	// day with events moves the ticket from its state at the day's start to
	// its state at the day's end.
	curDay := dayOf(created)
	startActive, startDims := false, dims{}
	closeDay := func() {
		endActive, endDims := !resolvedStatus(st.status), dimsOf(st)
		if startActive == endActive && (!endActive || sameDims(startDims, endDims)) {
			return
		}
		if startActive {
			out = append(out, fact{ticket: t.id, kind: factBacklog, day: curDay, dims: startDims, n: -1, nextDay: noDay, reopenDay: noDay})
		}
		if endActive {
			out = append(out, fact{ticket: t.id, kind: factBacklog, day: curDay, dims: endDims, n: 1, nextDay: noDay, reopenDay: noDay})
		}
		startActive, startDims = endActive, endDims
		startDims.tags = slices.Clone(endDims.tags)
	}

	type solve struct {
		at      time.Time
		idx     int
		replies int
		esc, tr bool
		work    int64
		st      tstate
	}
	var solves []solve // the last resolution of each day
	var reopens []int  // indexes in evs
	firstComment, responded := true, false
	replies := 0
	escalated, transferred := false, false
	var work int64 // ms of agent work logged so far
	for i, e := range evs {
		if d := dayOf(e.CreatedAt); d != curDay {
			closeDay()
			curDay = d
		}
		switch e.Type {
		case events.TicketCreated:
			add(factCreated, e.CreatedAt, dimsOf(st), 1).tags = slices.Clone(st.tags)
		case events.CommentAdded:
			if firstComment {
				firstComment = false
				break
			}
			if e.Field == "public" && staff(e.ActorID) {
				replies++
				if !responded {
					responded = true
					d := dimsOf(st)
					d.agent = e.ActorID
					f := add(factFirst, e.CreatedAt, d, 1)
					f.ms = e.CreatedAt.Sub(created).Milliseconds()
					f.biz = worked(st.group, created, e.CreatedAt).Milliseconds()
					f.bin = binOf(f.ms)
					f.tags = slices.Clone(st.tags)
				}
			}
		case events.Assigned, events.Reassigned:
			if e.Type == events.Reassigned {
				transferred = true
				add(factTransfer, e.CreatedAt, dimsOf(st), 1).tags = slices.Clone(st.tags)
			}
			apply(&st, "assignee_id", e.After)
		case events.FieldChanged:
			if e.Field == "group_id" && st.group != 0 {
				transferred = true
				add(factTransfer, e.CreatedAt, dimsOf(st), 1).tags = slices.Clone(st.tags)
			}
			if escalates(e, st) {
				escalated = true
			}
			apply(&st, e.Field, e.After)
		case events.StatusChanged:
			if resolves(e) {
				sv := solve{at: e.CreatedAt, idx: i, replies: replies, esc: escalated, tr: transferred, work: work, st: st}
				sv.st.tags = slices.Clone(st.tags)
				if n := len(solves); n > 0 && dayOf(solves[n-1].at) == dayOf(e.CreatedAt) {
					solves[n-1] = sv
				} else {
					solves = append(solves, sv)
				}
			}
			apply(&st, "status", e.After)
		case events.Reopened:
			reopens = append(reopens, i)
			add(factReopened, e.CreatedAt, dimsOf(st), 1).tags = slices.Clone(st.tags)
		case events.TicketDeleted:
			if deleted.IsZero() {
				deleted = e.CreatedAt
			}
		case EventChatAnswered:
			d := dimsOf(st)
			d.agent = e.ActorID
			f := add(factAnswered, e.CreatedAt, d, 1)
			f.ms = eventMs(e)
			f.tags = slices.Clone(st.tags)
		case EventChatAbandoned:
			add(factAbandon, e.CreatedAt, dimsOf(st), 1).tags = slices.Clone(st.tags)
		case EventSLAAchieved, EventSLABreached:
			kind := factSLAMet
			if e.Type == EventSLABreached {
				kind = factSLAMiss
			}
			add(kind, e.CreatedAt, dimsOf(st), 1).tags = slices.Clone(st.tags)
		case EventWorkLogged, EventChatEnded:
			work += workMs(e)
		}
	}
	closeDay()

	for i, sv := range solves {
		f := add(factResolved, sv.at, dimsOf(sv.st), 1)
		f.ms = sv.at.Sub(created).Milliseconds()
		f.bin = binOf(f.ms)
		f.esc, f.tr, f.work = sv.esc, sv.tr, sv.work
		if i+1 < len(solves) {
			f.nextDay = dayOf(solves[i+1].at)
		}
		// FCR: one reply and no reopening before the end of the period; a
		// reopening after this resolution takes it back from the day it happens.
		if sv.replies == 1 && (len(reopens) == 0 || reopens[0] > sv.idx) {
			f.fcr = true
			for _, r := range reopens {
				if r > sv.idx {
					f.reopenDay = dayOf(evs[r].CreatedAt)
					break
				}
			}
		}
	}
	return out, deleted
}

// maxWork bounds one logged stretch of work, in ms (ticket.LogWork refuses more).
const maxWork = int64(ticket.MaxWork / time.Millisecond)

// eventMs reads a duration in ms written as decimal text in after.
func eventMs(e events.Event) int64 {
	if e.After == nil {
		return 0
	}
	n, err := strconv.ParseInt(*e.After, 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// workMs is the agent work time an event records: a logged stretch, or a
// chat's time from answer to end.
func workMs(e events.Event) int64 {
	if e.Type == EventChatEnded {
		var sum struct {
			Handle int64 `json:"handle_ms"`
		}
		if e.After == nil || json.Unmarshal([]byte(*e.After), &sum) != nil || sum.Handle < 0 {
			return 0
		}
		return min(sum.Handle, maxWork)
	}
	return min(eventMs(e), maxWork)
}

func sameDims(a, b dims) bool {
	return a.channel == b.channel && a.group == b.group && a.agent == b.agent && a.org == b.org && a.lang == b.lang && slices.Equal(a.tags, b.tags)
}

// tagsText stores tags as " a b " (tags never hold spaces), so one tag is
// found with LIKE '% a %'.
func tagsText(tags []string) string {
	if len(tags) == 0 {
		return ""
	}
	return " " + strings.Join(tags, " ") + " "
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
