package ticket

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/directory"
	"layan/internal/events"
	"layan/internal/search/analyze"
)

func itoa(i int64) string { return strconv.FormatInt(i, 10) }

// Update changes fields and/or adds a comment, in one transaction.
func (s *Service) Update(ctx context.Context, a auth.Actor, id int64, p Patch) (Ticket, error) {
	var evs []events.Event
	var out Ticket
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, evs, err = s.updateTx(ctx, tx, a, id, p)
		return err
	})
	if err != nil {
		return Ticket{}, err
	}
	s.counts.changed()
	s.bus.Publish(evs)
	return out, nil
}

// changesFields reports whether a patch changes a field other than status.
func (p Patch) changesFields() bool {
	return p.Subject != nil || p.Priority != nil || p.Type != nil || p.RequesterID != nil ||
		p.AssigneeID != nil || p.GroupID != nil || p.OrganizationID != nil || p.Tags != nil || len(p.AddTags) > 0 ||
		len(p.RemoveTags) > 0 || len(p.CustomFields) > 0 || p.ExternalID != nil || p.DueAt != nil || p.Language != nil
}

func (s *Service) updateTx(ctx context.Context, tx *sql.Tx, a auth.Actor, id int64, p Patch) (Ticket, []events.Event, error) {
	rule := s.visibility(ctx, a)
	// Read inside the write transaction: on SQLite it holds the write lock,
	// so no other update can slip between this read and our write.
	cur, err := getTicket(ctx, tx, id)
	if err != nil {
		return Ticket{}, nil, err
	}
	if !rule.canRead(cur) {
		return Ticket{}, nil, apperr.NotFound("ticket")
	}
	if !p.UpdatedStamp.IsZero() && !p.UpdatedStamp.Truncate(time.Second).Equal(cur.UpdatedAt.Truncate(time.Second)) {
		return Ticket{}, nil, apperr.Conflict("the ticket was changed by someone else since you loaded it")
	}
	if cur.Status == "closed" {
		return Ticket{}, nil, apperr.Invalid("status", "closed", "closed tickets cannot be changed; create a follow-up")
	}
	switch a.Role {
	case auth.RoleEndUser:
		if !rule.canComment(cur) && p.Comment != nil {
			return Ticket{}, nil, apperr.Forbidden("comment on this ticket")
		}
		// A customer may only add a comment and mark the ticket solved.
		if p.changesFields() || (p.Status != nil && *p.Status != "solved") {
			return Ticket{}, nil, apperr.Forbidden("change ticket fields")
		}
	case auth.RoleLightAgent:
		if p.changesFields() || p.Status != nil {
			return Ticket{}, nil, apperr.Forbidden("change ticket fields as a light agent")
		}
	}
	now := s.now().UTC()
	if !now.After(cur.UpdatedAt) {
		now = cur.UpdatedAt.Add(time.Millisecond) // keep updated_at strictly increasing for safe_update
	}
	t := cur
	ch := change{actor: a.UserID, at: now, ticket: id}
	str := func(field string, dst *string, v *string) {
		if v != nil && *v != *dst {
			ch.add(events.FieldChanged, field, events.Str(*dst), events.Str(*v))
			*dst = *v
		}
	}
	if p.Subject != nil {
		v := strings.TrimSpace(*p.Subject)
		p.Subject = &v
	}
	str("subject", &t.Subject, p.Subject)
	str("priority", &t.Priority, p.Priority)
	str("type", &t.Type, p.Type)
	str("external_id", &t.ExternalID, p.ExternalID)
	if p.Language != nil {
		if err := checkLanguage(*p.Language); err != nil {
			return Ticket{}, nil, err
		}
		str("language", &t.Language, p.Language)
	}
	if p.RequesterID != nil && *p.RequesterID != t.RequesterID {
		ch.add(events.FieldChanged, "requester_id", idStr(t.RequesterID), idStr(*p.RequesterID))
		t.RequesterID = *p.RequesterID
	}
	if p.OrganizationID != nil && *p.OrganizationID != t.OrganizationID {
		ch.add(events.FieldChanged, "organization_id", idStr(t.OrganizationID), idStr(*p.OrganizationID))
		t.OrganizationID = *p.OrganizationID
	}
	if p.GroupID != nil && *p.GroupID != t.GroupID {
		ch.add(events.FieldChanged, "group_id", idStr(t.GroupID), idStr(*p.GroupID))
		t.GroupID = *p.GroupID
	}
	if p.AssigneeID != nil && *p.AssigneeID != t.AssigneeID {
		typ := events.Assigned
		if t.AssigneeID != 0 {
			typ = events.Reassigned
		}
		ch.add(typ, "assignee_id", idStr(t.AssigneeID), idStr(*p.AssigneeID))
		t.AssigneeID = *p.AssigneeID
	}
	if p.DueAt != nil && !p.DueAt.Equal(t.DueAt) {
		ch.add(events.FieldChanged, "due_at", timeStr(t.DueAt), timeStr(*p.DueAt))
		t.DueAt = *p.DueAt
	}
	if err := s.applyTags(&t, p, &ch); err != nil {
		return Ticket{}, nil, err
	}
	if len(p.CustomFields) > 0 {
		merged, err := s.checkCustomFields(ctx, a, t.CustomFields, p.CustomFields)
		if err != nil {
			return Ticket{}, nil, err
		}
		for fid := range p.CustomFields {
			before, after := jsonStr(cur.CustomFields[fid]), jsonStr(merged[fid])
			if !equalPtr(before, after) {
				ch.add(events.FieldChanged, "custom_field_"+itoa(fid), before, after)
			}
		}
		t.CustomFields = merged
	}
	if err := s.validateFields(&t); err != nil {
		return Ticket{}, nil, err
	}
	if err := checkEnum("status", derefOr(p.Status, t.Status), Statuses, false); err != nil {
		return Ticket{}, nil, err
	}
	if t.AssigneeID != cur.AssigneeID || t.GroupID != cur.GroupID || t.RequesterID != cur.RequesterID ||
		t.OrganizationID != cur.OrganizationID {
		if err := s.checkPeople(ctx, &t); err != nil {
			return Ticket{}, nil, err
		}
	}

	// Status: the caller's choice, else the rules of a help desk: a staff
	// update moves "new" to "open"; a customer's reply reopens pending or solved.
	newStatus := t.Status
	if p.Status != nil {
		newStatus = *p.Status
	} else if a.Role == auth.RoleEndUser && p.Comment != nil && (t.Status == "pending" || t.Status == "solved" || t.Status == "hold") {
		newStatus = "open"
	} else if a.CanEditTickets() && t.Status == "new" && (p.Comment != nil || t.AssigneeID != 0) {
		newStatus = "open"
	}
	if newStatus == "new" && cur.Status != "new" {
		return Ticket{}, nil, apperr.Invalid("status", "invalid", "a ticket cannot go back to new")
	}
	if newStatus != t.Status {
		ch.add(events.StatusChanged, "status", events.Str(t.Status), events.Str(newStatus))
		if (t.Status == "solved") && statusRank(newStatus) < statusRank("solved") {
			ch.add(events.Reopened, "status", events.Str(t.Status), events.Str(newStatus))
			t.SolvedAt = time.Time{}
		}
		if newStatus == "solved" || newStatus == "closed" {
			t.SolvedAt = now
		}
		t.Status = newStatus
	}

	var comment *Comment
	if p.Comment != nil {
		c, err := s.prepareComment(a, *p.Comment, id, now)
		if err != nil {
			return Ticket{}, nil, err
		}
		if a.Role == auth.RoleEndUser && !rule.canComment(cur) {
			return Ticket{}, nil, apperr.Forbidden("comment on this ticket")
		}
		comment = &c
	}
	if len(ch.evs) == 0 && comment == nil {
		return cur, nil, nil // nothing changed
	}
	t.UpdatedAt = now
	if err := updateTicketRow(ctx, tx, t); err != nil {
		return Ticket{}, nil, classifyTicketErr(err)
	}
	if !slices.Equal(t.Tags, cur.Tags) {
		if err := replaceTags(ctx, tx, id, t.Tags); err != nil {
			return Ticket{}, nil, err
		}
	}
	if t.Subject != cur.Subject {
		if err := s.indexSubject(ctx, tx, id, analyze.IndexText(t.Subject)); err != nil {
			return Ticket{}, nil, err
		}
	}
	if comment != nil {
		if err := insertComment(ctx, s.db.Prepared(tx), comment); err != nil {
			return Ticket{}, nil, err
		}
		if err := attachUploads(ctx, tx, a, comment, p.Comment.Uploads); err != nil {
			return Ticket{}, nil, err
		}
		if err := s.indexAppend(ctx, tx, id, analyze.IndexText(comment.Body)); err != nil {
			return Ticket{}, nil, err
		}
		if p.Comment.Record != nil {
			if err := p.Comment.Record(ctx, tx, id, comment.ID); err != nil {
				return Ticket{}, nil, err
			}
		}
		ch.add(events.CommentAdded, visibilityField(comment.Public), nil, idStr(comment.ID))
	}
	if err := events.Insert(ctx, s.db.Prepared(tx), ch.evs); err != nil {
		return Ticket{}, nil, err
	}
	return t, ch.evs, nil
}

func derefOr(p *string, d string) string {
	if p == nil {
		return d
	}
	return *p
}

func timeStr(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	return events.Str(t.UTC().Format(time.RFC3339))
}

func equalPtr(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func (s *Service) applyTags(t *Ticket, p Patch, ch *change) error {
	tags := t.Tags
	if p.Tags != nil {
		tags = *p.Tags
	}
	if len(p.AddTags) > 0 {
		tags = append(slices.Clone(tags), p.AddTags...)
	}
	norm, err := directory.NormalizeTags(tags)
	if err != nil {
		return err
	}
	if len(p.RemoveTags) > 0 {
		rm, err := directory.NormalizeTags(p.RemoveTags)
		if err != nil {
			return err
		}
		norm = slices.DeleteFunc(norm, func(x string) bool { return slices.Contains(rm, x) })
	}
	if !slices.Equal(norm, t.Tags) {
		ch.add(events.FieldChanged, "tags", events.Str(directory.JoinTags(t.Tags)), events.Str(directory.JoinTags(norm)))
		t.Tags = norm
	}
	return nil
}

// Delete soft-deletes a ticket (admins and agents who can see it).
func (s *Service) Delete(ctx context.Context, a auth.Actor, id int64) error {
	if !a.CanEditTickets() && !a.System {
		return apperr.Forbidden("delete tickets")
	}
	var ev []events.Event
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		rule := s.visibility(ctx, a)
		t, err := getTicket(ctx, tx, id)
		if err != nil {
			return err
		}
		if !rule.canRead(t) {
			return apperr.NotFound("ticket")
		}
		now := s.now().UTC()
		if _, err := tx.ExecContext(ctx, `UPDATE tickets SET deleted_at = $1, updated_at = $1 WHERE id = $2`, now.UnixMilli(), id); err != nil {
			return err
		}
		if err := s.indexDelete(ctx, tx, id); err != nil {
			return err
		}
		ch := change{actor: a.UserID, at: now, ticket: id}
		ch.add(events.TicketDeleted, "", events.Str(t.Status), nil)
		ev = ch.evs
		return events.Insert(ctx, tx, ev)
	})
	if err == nil {
		s.counts.changed()
		s.bus.Publish(ev)
	}
	return err
}

// Merge closes the source tickets into the target, leaving a comment on each
// side, so the customer's conversation continues in one place.
func (s *Service) Merge(ctx context.Context, a auth.Actor, targetID int64, sourceIDs []int64, targetComment, sourceComment string) (Ticket, error) {
	if !a.CanEditTickets() {
		return Ticket{}, apperr.Forbidden("merge tickets")
	}
	if len(sourceIDs) == 0 || len(sourceIDs) > 100 {
		return Ticket{}, apperr.Invalid("ids", "invalid", "give between 1 and 100 source tickets")
	}
	if slices.Contains(sourceIDs, targetID) {
		return Ticket{}, apperr.Invalid("ids", "invalid", "a ticket cannot be merged into itself")
	}
	var all []events.Event
	var out Ticket
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if targetComment == "" {
			targetComment = "Merged with ticket(s) #" + joinIDs(sourceIDs)
		}
		f := false
		t, evs, err := s.updateTx(ctx, tx, a, targetID, Patch{Comment: &NewComment{Body: targetComment, Public: &f}})
		if err != nil {
			return err
		}
		out = t
		all = append(all, evs...)
		for _, sid := range sourceIDs {
			body := sourceComment
			if body == "" {
				body = "This request was merged into #" + itoa(targetID)
			}
			closed := "closed"
			_, evs, err := s.updateTx(ctx, tx, a, sid, Patch{Status: &closed, Comment: &NewComment{Body: body, Public: &f}})
			if err != nil {
				return err
			}
			all = append(all, evs...)
			ch := change{actor: a.UserID, at: s.now().UTC(), ticket: sid}
			ch.add(events.Merged, "merged_into", nil, idStr(targetID))
			ch2 := change{actor: a.UserID, at: s.now().UTC(), ticket: targetID}
			ch2.add(events.Merged, "merged_from", nil, idStr(sid))
			evs = append(ch.evs, ch2.evs...)
			if err := events.Insert(ctx, tx, evs); err != nil {
				return err
			}
			all = append(all, evs...)
		}
		return nil
	})
	if err != nil {
		return Ticket{}, err
	}
	s.counts.changed()
	s.bus.Publish(all)
	return out, nil
}

func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = itoa(id)
	}
	return strings.Join(s, ", #")
}
