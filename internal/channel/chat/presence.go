package chat

import (
	"context"
	"encoding/json"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
)

// Presence timing: an agent silent for offlineAfter (no socket heartbeat, no
// API call) is offline; one inactive for the idle setting is away.
const (
	offlineAfter = 90 * time.Second
	touchEvery   = 10 * time.Second
)

// effective is the status others see.
func effective(status string, lastSeen, lastActive, now time.Time, idle time.Duration) string {
	switch {
	case status == "offline" || now.Sub(lastSeen) > offlineAfter:
		return "offline"
	case status == "away" || now.Sub(lastActive) > idle:
		return "away"
	}
	return "online"
}

// touch records that an agent is there (seen) and, when active, doing
// something. Written at most every touchEvery per agent and node, except
// that a first touch creates the row as online.
func (s *Service) touch(ctx context.Context, a auth.Actor, active bool) {
	if !a.IsStaff() || a.UserID == 0 {
		return
	}
	now := s.now()
	s.mu.Lock()
	last, ok := s.touched[a.UserID]
	if ok && now.Sub(last) < touchEvery {
		s.mu.Unlock()
		return
	}
	s.touched[a.UserID] = now
	s.mu.Unlock()
	ms := db.Millis(now)
	q := `INSERT INTO chat_presence (user_id, status, last_seen_at, last_active_at) VALUES ($1, 'online', $2, $2)
		ON CONFLICT (user_id) DO UPDATE SET last_seen_at = excluded.last_seen_at`
	if active {
		q += `, last_active_at = excluded.last_active_at`
	}
	if _, err := s.db.W.ExecContext(ctx, q, a.UserID, ms); err != nil {
		s.log.Warn("chat: presence not recorded", "agent", a.UserID, "err", err)
	}
}

// Touch is the transports' heartbeat: seen, and active when the agent did something.
func (s *Service) Touch(ctx context.Context, a auth.Actor, active bool) { s.touch(ctx, a, active) }

// SetPresence sets the agent's own status and tells the other agents.
func (s *Service) SetPresence(ctx context.Context, a auth.Actor, status string) error {
	if !a.IsStaff() {
		return refuse(CodeForbidden, apperr.Forbidden("set presence"), "agents only")
	}
	if status != "online" && status != "away" && status != "offline" {
		return apperr.Invalid("status", "invalid", "must be online, away or offline")
	}
	ms := db.Millis(s.now())
	if _, err := s.db.W.ExecContext(ctx, `INSERT INTO chat_presence (user_id, status, last_seen_at, last_active_at) VALUES ($1, $2, $3, $3)
		ON CONFLICT (user_id) DO UPDATE SET status = excluded.status, last_seen_at = excluded.last_seen_at,
		last_active_at = excluded.last_active_at`, a.UserID, status, ms); err != nil {
		return err
	}
	s.mu.Lock()
	s.touched[a.UserID] = s.now()
	s.mu.Unlock()
	b, _ := json.Marshal(map[string]any{"type": "presence", "agent_id": a.UserID, "status": status})
	s.publish(Note{Kind: NotePresence, Frame: b})
	return nil
}

// PresenceList is every agent who has used chat, with their effective status.
func (s *Service) PresenceList(ctx context.Context, a auth.Actor) ([]Presence, error) {
	if !a.IsStaff() {
		return nil, refuse(CodeForbidden, apperr.Forbidden("read presence"), "agents only")
	}
	st, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT p.user_id, u.name, p.status, p.last_seen_at, p.last_active_at,
		(SELECT count(*) FROM chat_conversations c WHERE c.agent_id = p.user_id AND c.status = 'active')
		FROM chat_presence p JOIN users u ON u.id = p.user_id ORDER BY u.name, p.user_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	now := s.now()
	out := []Presence{}
	for rows.Next() {
		var p Presence
		var seen, active int64
		if err := rows.Scan(&p.AgentID, &p.Name, &p.Status, &seen, &active, &p.ActiveChats); err != nil {
			return nil, err
		}
		p.Status = effective(p.Status, db.Time(seen), db.Time(active), now, time.Duration(st.IdleAwayMinutes)*time.Minute)
		out = append(out, p)
	}
	return out, rows.Err()
}

// AgentsOnline reports whether any agent is effectively online.
func (s *Service) AgentsOnline(ctx context.Context) (bool, error) {
	st, err := s.Settings(ctx)
	if err != nil {
		return false, err
	}
	now := s.now()
	var n int
	err = s.db.R.QueryRowContext(ctx, `SELECT count(*) FROM chat_presence p JOIN users u ON u.id = p.user_id
		WHERE p.status = 'online' AND p.last_seen_at > $1 AND p.last_active_at > $2 AND u.role IN ('admin', 'agent') AND NOT u.suspended`,
		db.Millis(now.Add(-offlineAfter)), db.Millis(now.Add(-time.Duration(st.IdleAwayMinutes)*time.Minute))).Scan(&n)
	return n > 0, err
}
