package automation

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"layan/internal/apperr"
)

// WeekInterval is Zendesk's schedule interval: minutes from Sunday 00:00.
type WeekInterval struct {
	StartTime int `json:"start_time"`
	EndTime   int `json:"end_time"`
}

// Holiday is a closed date range (inclusive, local dates).
type Holiday struct {
	Name      string `json:"name"`
	StartDate string `json:"start_date"`
	EndDate   string `json:"end_date"`
}

// ScheduleDoc is the stored and API form of business hours.
type ScheduleDoc struct {
	ID        int64          `json:"id"`
	Name      string         `json:"name"`
	TimeZone  string         `json:"time_zone"`
	Intervals []WeekInterval `json:"intervals"`
	Holidays  []Holiday      `json:"holidays"`
	// GroupIDs use this schedule; the first schedule is the default for the rest.
	GroupIDs  []int64   `json:"group_ids"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Schedule converts the document, validating it.
func (d ScheduleDoc) Schedule() (*Schedule, error) {
	if strings.TrimSpace(d.Name) == "" {
		return nil, apperr.Invalid("name", "required", "a name is required")
	}
	loc, err := time.LoadLocation(d.TimeZone)
	if err != nil || d.TimeZone == "" {
		return nil, apperr.Invalid("time_zone", "invalid", "unknown time zone")
	}
	s := &Schedule{ID: d.ID, Name: d.Name, Location: loc, Holidays: map[string]bool{}}
	const week = 7 * 1440
	for _, iv := range d.Intervals {
		if iv.StartTime < 0 || iv.EndTime > week || iv.StartTime >= iv.EndTime {
			return nil, apperr.Invalid("intervals", "invalid", fmt.Sprintf("bad interval %d-%d", iv.StartTime, iv.EndTime))
		}
		for a := iv.StartTime; a < iv.EndTime; {
			day := a / 1440
			end := min(iv.EndTime, (day+1)*1440)
			s.Week[day] = append(s.Week[day], Interval{a - day*1440, end - day*1440})
			a = end
		}
	}
	for _, h := range d.Holidays {
		from, err1 := time.Parse(time.DateOnly, h.StartDate)
		to, err2 := time.Parse(time.DateOnly, h.EndDate)
		if h.EndDate == "" {
			to, err2 = from, nil
		}
		if err1 != nil || err2 != nil || to.Before(from) || to.Sub(from) > 366*24*time.Hour {
			return nil, apperr.Invalid("holidays", "invalid", "holiday dates must be YYYY-MM-DD, end not before start")
		}
		for t := from; !t.After(to); t = t.AddDate(0, 0, 1) {
			s.Holidays[t.Format(time.DateOnly)] = true
		}
	}
	return s, s.Validate()
}

// Webhook is a subscription: events of the listed types (or "*") are posted,
// signed with the secret, to the endpoint.
type Webhook struct {
	ID            int64     `json:"id"`
	Name          string    `json:"name"`
	Endpoint      string    `json:"endpoint"`
	Status        string    `json:"status"` // active | inactive
	Subscriptions []string  `json:"subscriptions"`
	Secret        string    `json:"signing_secret,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// Subscribed reports whether the webhook wants events of type typ.
func (w Webhook) Subscribed(typ string) bool {
	return w.Status == "active" && (slices.Contains(w.Subscriptions, "*") || slices.Contains(w.Subscriptions, typ))
}

// RoutingConfig is the workspace's routing settings.
type RoutingConfig struct {
	Enabled bool   `json:"enabled"`
	Mode    string `json:"mode"` // round_robin | least_loaded
	// SkillTagPrefix: a ticket tag "skill_billing" requires the skill "billing".
	SkillTagPrefix string `json:"skill_tag_prefix"`
	// ReassignAbsent moves open tickets of out-of-office agents.
	ReassignAbsent bool `json:"reassign_absent"`
}

// Availability is an agent's routing profile.
type Availability struct {
	UserID    int64     `json:"user_id"`
	Status    string    `json:"status"`
	OOOFrom   time.Time `json:"out_of_office_from"`
	OOOUntil  time.Time `json:"out_of_office_until"`
	Capacity  int       `json:"capacity"`
	Skills    []string  `json:"skills"`
	Languages []string  `json:"languages"`
}

// Delivery is one row of the webhook delivery log.
type Delivery struct {
	ID         int64     `json:"id"`
	WebhookID  int64     `json:"webhook_id"`
	EventID    int64     `json:"event_id"`
	EventType  string    `json:"event_type"`
	TicketID   int64     `json:"ticket_id"`
	Attempt    int       `json:"attempt"`
	Status     string    `json:"status"`
	HTTPStatus int       `json:"http_status"`
	Error      string    `json:"error"`
	DurationMS int64     `json:"duration_ms"`
	CreatedAt  time.Time `json:"created_at"`
}
