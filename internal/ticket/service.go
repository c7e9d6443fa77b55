package ticket

import (
	"context"
	"database/sql"
	"log/slog"
	"strings"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/directory"
	"layan/internal/events"
	"layan/internal/routing"
	"layan/internal/sanitize"
	"layan/internal/search/analyze"
)

// Service runs every ticket change.
type Service struct {
	db  *db.DB
	dir *directory.Service
	bus *events.Bus
	now func() time.Time
	log *slog.Logger

	counts counts // list and search totals, dropped on every ticket write
}

// NewService builds the service.
func NewService(d *db.DB, dir *directory.Service, bus *events.Bus, now func() time.Time, log *slog.Logger) *Service {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Service{db: d, dir: dir, bus: bus, now: now, log: log}
}

// change collects the events of one transaction.
type change struct {
	actor  int64
	at     time.Time
	ticket int64
	evs    []events.Event
}

func (c *change) add(typ, field string, before, after *string) {
	c.evs = append(c.evs, events.Event{TicketID: c.ticket, ActorID: c.actor, Type: typ, Field: field,
		Before: before, After: after, CreatedAt: c.at})
}

func idStr(id int64) *string {
	if id == 0 {
		return nil
	}
	return events.Str(itoa(id))
}

// prepareComment validates a new comment and fills its bodies.
func (s *Service) prepareComment(a auth.Actor, nc NewComment, ticketID int64, at time.Time) (Comment, error) {
	if err := checkText("comment.body", nc.Body, MaxCommentBody); err != nil {
		return Comment{}, err
	}
	if err := checkText("comment.html_body", nc.HTMLBody, 4*MaxCommentBody); err != nil {
		return Comment{}, err
	}
	c := Comment{TicketID: ticketID, AuthorID: a.UserID, Public: true, Via: nc.Via, CreatedAt: at}
	if nc.AuthorID != 0 && a.IsStaff() {
		c.AuthorID = nc.AuthorID
	}
	if nc.Public != nil {
		c.Public = *nc.Public
	}
	if a.Role == auth.RoleLightAgent {
		c.Public = false // light agents write internal notes only
	}
	if a.Role == auth.RoleEndUser && !c.Public {
		return Comment{}, apperr.Forbidden("write internal notes")
	}
	if strings.TrimSpace(nc.HTMLBody) != "" {
		c.HTMLBody = sanitize.HTML(nc.HTMLBody)
		c.Body = sanitize.Text(nc.HTMLBody)
	} else {
		c.Body = strings.TrimSpace(strings.ReplaceAll(nc.Body, "\r\n", "\n"))
		c.HTMLBody = sanitize.FromText(c.Body)
	}
	if strings.TrimSpace(c.Body) == "" && len(nc.Uploads) == 0 {
		return Comment{}, apperr.Invalid("comment.body", "required", "is required")
	}
	if len(nc.Uploads) > MaxUploads {
		return Comment{}, apperr.Invalid("comment.uploads", "too_many", "has too many attachments")
	}
	if c.Via == "" {
		c.Via = "api"
	}
	return c, nil
}

// attachUploads links the actor's pending uploads to a comment.
func attachUploads(ctx context.Context, tx *sql.Tx, a auth.Actor, c *Comment, tokens []string) error {
	for _, tok := range tokens {
		res, err := tx.ExecContext(ctx, `UPDATE attachments SET comment_id = $1 WHERE token = $2 AND comment_id IS NULL AND uploader_id = $3`,
			c.ID, tok, a.UserID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.Invalid("comment.uploads", "invalid_upload", "refers to an unknown or already used upload token")
		}
	}
	if len(tokens) > 0 {
		atts, err := attachmentsFor(ctx, tx, []int64{c.ID})
		if err != nil {
			return err
		}
		c.Attachments = atts[c.ID]
	}
	return nil
}

// Create opens a ticket with its first comment (the description).
func (s *Service) Create(ctx context.Context, a auth.Actor, in NewTicket) (Ticket, error) {
	t, evs, err := s.create(ctx, a, in)
	if err != nil {
		return Ticket{}, err
	}
	s.counts.changed()
	s.bus.Publish(evs)
	return t, nil
}

func (s *Service) create(ctx context.Context, a auth.Actor, in NewTicket) (Ticket, []events.Event, error) {
	if !a.IsStaff() && !a.System && a.Role != auth.RoleEndUser {
		return Ticket{}, nil, apperr.Forbidden("create tickets")
	}
	if a.Role == auth.RoleLightAgent {
		return Ticket{}, nil, apperr.Forbidden("create tickets as a light agent")
	}
	now := s.now().UTC()
	t := Ticket{Subject: strings.TrimSpace(in.Subject), Status: in.Status, Priority: in.Priority, Type: in.Type,
		Via: in.Via, RequesterID: in.RequesterID, SubmitterID: a.UserID, AssigneeID: in.AssigneeID, GroupID: in.GroupID,
		OrganizationID: in.OrganizationID, ExternalID: in.ExternalID, DueAt: in.DueAt, CreatedAt: now, UpdatedAt: now}
	if a.Role == auth.RoleEndUser {
		// Customers set only subject, description, their own custom fields.
		t.RequesterID, t.AssigneeID, t.GroupID, t.Status, t.Priority, t.Type = a.UserID, 0, 0, "", "", ""
		t.OrganizationID, in.Tags, t.ExternalID, t.DueAt = 0, nil, "", time.Time{}
		if t.Via == "" || t.Via == "api" {
			t.Via = "web"
		}
	}
	if t.Via == "" {
		t.Via = "api"
	}
	if err := s.validateFields(&t); err != nil {
		return Ticket{}, nil, err
	}
	var err error
	if t.Tags, err = directory.NormalizeTags(in.Tags); err != nil {
		return Ticket{}, nil, err
	}
	if t.CustomFields, err = s.checkCustomFields(ctx, a, nil, in.CustomFields); err != nil {
		return Ticket{}, nil, err
	}
	if err := s.resolveRequester(ctx, a, &t, in.Requester); err != nil {
		return Ticket{}, nil, err
	}
	if t.SubmitterID == 0 {
		t.SubmitterID = t.RequesterID
	}
	if err := s.checkPeople(ctx, &t); err != nil {
		return Ticket{}, nil, err
	}
	if t.Status == "" {
		t.Status = "new"
		if t.AssigneeID != 0 {
			t.Status = "open"
		}
	}
	if t.Status == "solved" || t.Status == "closed" {
		t.SolvedAt = now
	}
	author := a
	if author.UserID == 0 { // system callers write as the requester
		author.UserID = t.RequesterID
	}
	if in.Comment.AuthorID == 0 && a.System {
		in.Comment.AuthorID = t.RequesterID
	}
	if in.Comment.Via == "" {
		in.Comment.Via = t.Via
	}
	c, err := s.prepareComment(author, in.Comment, 0, now)
	if err != nil {
		return Ticket{}, nil, err
	}
	t.Description = c.Body
	if err := checkLanguage(in.Language); err != nil {
		return Ticket{}, nil, err
	}
	t.Language = in.Language
	if t.Language == "" {
		t.Language = routing.DetectLanguage(t.Subject + "\n" + c.Body)
	}
	if t.Subject == "" {
		t.Subject = firstLine(c.Body, 80)
	}
	if err := checkText("subject", t.Subject, MaxSubject); err != nil {
		return Ticket{}, nil, err
	}
	ch := change{actor: a.UserID, at: now}
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		q := s.db.Prepared(tx)
		if err := insertTicket(ctx, q, &t); err != nil {
			return classifyTicketErr(err)
		}
		ch.ticket = t.ID
		c.TicketID = t.ID
		if err := insertComment(ctx, q, &c); err != nil {
			return err
		}
		if err := attachUploads(ctx, tx, author, &c, in.Comment.Uploads); err != nil {
			return err
		}
		if in.Comment.Record != nil {
			if err := in.Comment.Record(ctx, tx, t.ID, c.ID); err != nil {
				return err
			}
		}
		if err := insertTags(ctx, q, t.ID, t.Tags); err != nil {
			return err
		}
		if err := s.indexNew(ctx, tx, t.ID, analyze.IndexText(t.Subject), analyze.IndexText(c.Body)); err != nil {
			return err
		}
		ch.add(events.TicketCreated, "", nil, events.Str(t.Status))
		ch.add(events.CommentAdded, visibilityField(c.Public), nil, idStr(c.ID))
		if t.AssigneeID != 0 {
			ch.add(events.Assigned, "assignee_id", nil, idStr(t.AssigneeID))
		}
		return events.Insert(ctx, q, ch.evs)
	})
	if err != nil {
		return Ticket{}, nil, err
	}
	return t, ch.evs, nil
}

func visibilityField(public bool) string {
	if public {
		return "public"
	}
	return "internal"
}

func firstLine(s string, max int) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	r := []rune(s)
	if len(r) > max {
		return string(r[:max]) + "…"
	}
	return s
}

func (s *Service) validateFields(t *Ticket) error {
	if err := checkEnum("status", t.Status, Statuses, true); err != nil {
		return err
	}
	if err := checkEnum("priority", t.Priority, Priorities, true); err != nil {
		return err
	}
	if err := checkEnum("type", t.Type, Types, true); err != nil {
		return err
	}
	if err := checkEnum("via.channel", t.Via, Channels, false); err != nil {
		return err
	}
	if err := checkText("subject", t.Subject, MaxSubject); err != nil {
		return err
	}
	return checkText("external_id", t.ExternalID, 255)
}

// resolveRequester finds or creates the requester named by email.
func (s *Service) resolveRequester(ctx context.Context, a auth.Actor, t *Ticket, r *Requester) error {
	if r != nil && t.RequesterID == 0 && a.Role != auth.RoleEndUser {
		u, err := s.dir.FindOrCreateCustomer(ctx, r.Email, r.Name, r.Locale)
		if err != nil {
			return err
		}
		t.RequesterID = u.ID
	}
	if t.RequesterID == 0 {
		if a.UserID == 0 {
			return apperr.Invalid("requester_id", "required", "is required")
		}
		t.RequesterID = a.UserID
	}
	return nil
}

// checkPeople verifies the requester, assignee and group exist and fit, and
// fills the organisation from the requester.
func (s *Service) checkPeople(ctx context.Context, t *Ticket) error {
	var reqOrg sql.NullInt64
	if err := s.db.Reads().QueryRowContext(ctx, `SELECT organization_id FROM users WHERE id = $1`, t.RequesterID).Scan(&reqOrg); err != nil {
		return apperr.Invalid("requester_id", "not_found", "refers to a user that does not exist")
	}
	if t.OrganizationID == 0 && reqOrg.Valid {
		t.OrganizationID = reqOrg.Int64
	}
	if t.AssigneeID != 0 {
		var role string
		if err := s.db.Reads().QueryRowContext(ctx, `SELECT role FROM users WHERE id = $1 AND NOT suspended`, t.AssigneeID).Scan(&role); err != nil ||
			(role != auth.RoleAdmin && role != auth.RoleAgent) {
			return apperr.Invalid("assignee_id", "not_agent", "must be an agent")
		}
		if t.GroupID != 0 {
			var ok int
			if err := s.db.Reads().QueryRowContext(ctx, `SELECT count(*) FROM group_memberships WHERE user_id=$1 AND group_id=$2`,
				t.AssigneeID, t.GroupID).Scan(&ok); err != nil || ok == 0 {
				return apperr.Invalid("assignee_id", "not_in_group", "is not a member of the ticket's group")
			}
		}
	}
	if t.GroupID != 0 {
		var n int
		if err := s.db.Reads().QueryRowContext(ctx, `SELECT count(*) FROM groups WHERE id = $1 AND NOT deleted`, t.GroupID).Scan(&n); err != nil || n == 0 {
			return apperr.Invalid("group_id", "not_found", "refers to a group that does not exist")
		}
	}
	if t.OrganizationID != 0 {
		var n int
		if err := s.db.Reads().QueryRowContext(ctx, `SELECT count(*) FROM organizations WHERE id = $1`, t.OrganizationID).Scan(&n); err != nil || n == 0 {
			return apperr.Invalid("organization_id", "not_found", "refers to an organization that does not exist")
		}
	}
	return nil
}

func classifyTicketErr(err error) error {
	if db.IsForeignKeyViolation(err) {
		return apperr.Invalid("ticket", "not_found", "refers to a user, group or organization that does not exist")
	}
	return err
}
