package ticket

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"

	"layan/internal/apperr"
	"layan/internal/db"
	"layan/internal/directory"
)

const ticketColumns = `t.id, t.subject, t.description, t.status, t.priority, t.type, t.via_channel, t.requester_id,
	t.submitter_id, COALESCE(t.assignee_id, 0), COALESCE(t.group_id, 0), COALESCE(t.organization_id, 0), t.tags,
	t.custom_fields, COALESCE(t.external_id, ''), t.language, t.due_at, t.solved_at, t.created_at, t.updated_at`

func scanTicket(sc interface{ Scan(...any) error }) (Ticket, error) {
	var t Ticket
	var tags, fields string
	var due, solved sql.NullInt64
	var c, u int64
	err := sc.Scan(&t.ID, &t.Subject, &t.Description, &t.Status, &t.Priority, &t.Type, &t.Via, &t.RequesterID,
		&t.SubmitterID, &t.AssigneeID, &t.GroupID, &t.OrganizationID, &tags, &fields, &t.ExternalID, &t.Language, &due, &solved, &c, &u)
	if err != nil {
		return t, err
	}
	t.Tags = directory.SplitTags(tags)
	t.CustomFields = decodeFields(fields)
	if due.Valid {
		t.DueAt = db.Time(due.Int64)
	}
	if solved.Valid {
		t.SolvedAt = db.Time(solved.Int64)
	}
	t.CreatedAt, t.UpdatedAt = db.Time(c), db.Time(u)
	return t, nil
}

func decodeFields(s string) map[int64]any {
	raw := map[string]any{}
	_ = json.Unmarshal([]byte(s), &raw)
	out := make(map[int64]any, len(raw))
	for k, v := range raw {
		if id, err := strconv.ParseInt(k, 10, 64); err == nil {
			out[id] = v
		}
	}
	return out
}

func encodeFields(m map[int64]any) string {
	raw := make(map[string]any, len(m))
	for k, v := range m {
		if v != nil {
			raw[strconv.FormatInt(k, 10)] = v
		}
	}
	b, _ := json.Marshal(raw)
	return string(b)
}

func getTicket(ctx context.Context, q db.Querier, id int64) (Ticket, error) {
	t, err := scanTicket(q.QueryRowContext(ctx, `SELECT `+ticketColumns+` FROM tickets t WHERE t.id = $1 AND t.deleted_at IS NULL`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return t, apperr.NotFound("ticket")
	}
	return t, err
}

func queryTickets(ctx context.Context, q db.Querier, sqlq string, args ...any) ([]Ticket, error) {
	rows, err := q.QueryContext(ctx, sqlq, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Ticket{}
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func insertTicket(ctx context.Context, tx db.Querier, t *Ticket) error {
	return tx.QueryRowContext(ctx, `INSERT INTO tickets (subject, description, status, priority, type, via_channel,
		requester_id, submitter_id, assignee_id, group_id, organization_id, tags, custom_fields, external_id, due_at,
		solved_at, created_at, updated_at, language) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$17,$18) RETURNING id`,
		t.Subject, t.Description, t.Status, t.Priority, t.Type, t.Via, t.RequesterID, t.SubmitterID, db.NullID(t.AssigneeID),
		db.NullID(t.GroupID), db.NullID(t.OrganizationID), directory.JoinTags(t.Tags), encodeFields(t.CustomFields),
		sql.NullString{String: t.ExternalID, Valid: t.ExternalID != ""}, db.NullMillis(t.DueAt), db.NullMillis(t.SolvedAt),
		db.Millis(t.CreatedAt), t.Language).Scan(&t.ID)
}

func updateTicketRow(ctx context.Context, tx *sql.Tx, t Ticket) error {
	_, err := tx.ExecContext(ctx, `UPDATE tickets SET subject=$1, status=$2, priority=$3, type=$4, requester_id=$5,
		assignee_id=$6, group_id=$7, organization_id=$8, tags=$9, custom_fields=$10, external_id=$11, due_at=$12,
		solved_at=$13, updated_at=$14, language=$15 WHERE id=$16`,
		t.Subject, t.Status, t.Priority, t.Type, t.RequesterID, db.NullID(t.AssigneeID), db.NullID(t.GroupID),
		db.NullID(t.OrganizationID), directory.JoinTags(t.Tags), encodeFields(t.CustomFields),
		sql.NullString{String: t.ExternalID, Valid: t.ExternalID != ""}, db.NullMillis(t.DueAt), db.NullMillis(t.SolvedAt),
		db.Millis(t.UpdatedAt), t.Language, t.ID)
	return err
}

func replaceTags(ctx context.Context, tx *sql.Tx, id int64, tags []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM ticket_tags WHERE ticket_id = $1`, id); err != nil {
		return err
	}
	return insertTags(ctx, tx, id, tags)
}

func insertTags(ctx context.Context, tx db.Querier, id int64, tags []string) error {
	for _, tag := range tags {
		if _, err := tx.ExecContext(ctx, `INSERT INTO ticket_tags (ticket_id, tag) VALUES ($1, $2)`, id, tag); err != nil {
			return err
		}
	}
	return nil
}

func insertComment(ctx context.Context, tx db.Querier, c *Comment) error {
	return tx.QueryRowContext(ctx, `INSERT INTO comments (ticket_id, author_id, public, body, html_body, via_channel, created_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id`,
		c.TicketID, c.AuthorID, c.Public, c.Body, c.HTMLBody, c.Via, db.Millis(c.CreatedAt)).Scan(&c.ID)
}

// Full-text index maintenance: the SQLite FTS5 table keys rows by rowid, the
// PostgreSQL table by ticket_id (its tsvector column is generated). The
// writes are deferred to the end of the transaction (db.Defer) so a group
// commit flushes the index once per batch.
func (s *Service) indexNew(ctx context.Context, tx *sql.Tx, id int64, subject, body string) error {
	q := `INSERT INTO ticket_fts (rowid, subject, body) VALUES ($1, $2, $3)`
	if s.db.Dialect == db.Postgres {
		q = `INSERT INTO ticket_fts (ticket_id, subject, body) VALUES ($1, $2, $3)`
	}
	s.db.Defer(tx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := s.db.Prepared(tx).ExecContext(ctx, q, id, subject, body)
		return err
	})
	return nil
}

func (s *Service) indexAppend(ctx context.Context, tx *sql.Tx, id int64, text string) error {
	q := `UPDATE ticket_fts SET body = body || ' ' || $1 WHERE rowid = $2`
	if s.db.Dialect == db.Postgres {
		q = `UPDATE ticket_fts SET body = body || ' ' || $1 WHERE ticket_id = $2`
	}
	s.db.Defer(tx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := s.db.Prepared(tx).ExecContext(ctx, q, text, id)
		return err
	})
	return nil
}

func (s *Service) indexSubject(ctx context.Context, tx *sql.Tx, id int64, subject string) error {
	q := `UPDATE ticket_fts SET subject = $1 WHERE rowid = $2`
	if s.db.Dialect == db.Postgres {
		q = `UPDATE ticket_fts SET subject = $1 WHERE ticket_id = $2`
	}
	s.db.Defer(tx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := s.db.Prepared(tx).ExecContext(ctx, q, subject, id)
		return err
	})
	return nil
}

func (s *Service) indexDelete(ctx context.Context, tx *sql.Tx, id int64) error {
	q := `DELETE FROM ticket_fts WHERE rowid = $1`
	if s.db.Dialect == db.Postgres {
		q = `DELETE FROM ticket_fts WHERE ticket_id = $1`
	}
	s.db.Defer(tx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := s.db.Prepared(tx).ExecContext(ctx, q, id)
		return err
	})
	return nil
}
