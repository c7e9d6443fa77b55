package ticket

import (
	"context"
	"database/sql"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/events"
)

// Get reads one ticket the actor may see.
func (s *Service) Get(ctx context.Context, a auth.Actor, id int64) (Ticket, error) {
	t, _, err := s.readable(ctx, a, id)
	return t, err
}

// ShowMany reads several tickets; those the actor may not see are left out.
func (s *Service) ShowMany(ctx context.Context, a auth.Actor, ids []int64) ([]Ticket, error) {
	if len(ids) == 0 {
		return []Ticket{}, nil
	}
	if len(ids) > 100 {
		return nil, apperr.Invalid("ids", "too_many", "at most 100 ids")
	}
	rule := s.visibility(ctx, a)
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	sc := rule.sql(len(ids) + 1)
	args = append(args, sc.args...)
	return queryTickets(ctx, s.db.R, `SELECT `+ticketColumns+` FROM tickets t WHERE t.id IN (`+db.Placeholders(1, len(ids))+
		`) AND t.deleted_at IS NULL AND `+sc.cond+` ORDER BY t.id`, args...)
}

// Comments lists a ticket's comments in order. Customers see public ones only.
func (s *Service) Comments(ctx context.Context, a auth.Actor, ticketID int64, afterID int64, limit int) ([]Comment, error) {
	if _, _, err := s.readable(ctx, a, ticketID); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	q := `SELECT id, ticket_id, author_id, public, body, html_body, via_channel, created_at FROM comments
		WHERE ticket_id = $1 AND id > $2`
	if !a.IsStaff() && !a.System {
		q += ` AND public`
	}
	rows, err := s.db.R.QueryContext(ctx, q+` ORDER BY id LIMIT $3`, ticketID, afterID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Comment{}
	var ids []int64
	for rows.Next() {
		var c Comment
		var at int64
		if err := rows.Scan(&c.ID, &c.TicketID, &c.AuthorID, &c.Public, &c.Body, &c.HTMLBody, &c.Via, &at); err != nil {
			return nil, err
		}
		c.CreatedAt = db.Time(at)
		out = append(out, c)
		ids = append(ids, c.ID)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	atts, err := attachmentsFor(ctx, s.db.R, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Attachments = atts[out[i].ID]
	}
	return out, nil
}

// Events returns a ticket's audit trail (staff).
func (s *Service) Events(ctx context.Context, a auth.Actor, ticketID int64) ([]events.Event, error) {
	if !a.IsStaff() && !a.System {
		return nil, apperr.Forbidden("read the audit trail")
	}
	if _, _, err := s.readable(ctx, a, ticketID); err != nil {
		return nil, err
	}
	return events.ForTicket(ctx, s.db.R, ticketID)
}

func attachmentsFor(ctx context.Context, q db.Querier, commentIDs []int64) (map[int64][]Attachment, error) {
	out := map[int64][]Attachment{}
	if len(commentIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(commentIDs))
	for i, id := range commentIDs {
		args[i] = id
	}
	rows, err := q.QueryContext(ctx, `SELECT id, token, comment_id, file_name, content_type, size, blob_key FROM attachments
		WHERE comment_id IN (`+db.Placeholders(1, len(commentIDs))+`) ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var at Attachment
		if err := rows.Scan(&at.ID, &at.Token, &at.CommentID, &at.FileName, &at.ContentType, &at.Size, &at.BlobKey); err != nil {
			return nil, err
		}
		out[at.CommentID] = append(out[at.CommentID], at)
	}
	return out, rows.Err()
}

// NewUpload records a file already written to the blob store; the returned
// token attaches it to the actor's next comment.
func (s *Service) NewUpload(ctx context.Context, a auth.Actor, token, name, contentType, blobKey string, size int64) (Attachment, error) {
	if a.UserID == 0 {
		return Attachment{}, apperr.Forbidden("upload files")
	}
	if err := checkText("filename", name, 255); err != nil {
		return Attachment{}, err
	}
	at := Attachment{Token: token, FileName: name, ContentType: contentType, Size: size, BlobKey: blobKey}
	// Through WithTx, so that concurrent uploads (an email's attachments
	// arriving on several connections) share a commit on SQLite.
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		return s.db.Prepared(tx).QueryRowContext(ctx, `INSERT INTO attachments (token, uploader_id, file_name, content_type, size,
			blob_key, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id`,
			token, a.UserID, name, contentType, size, blobKey, db.Millis(s.now())).Scan(&at.ID)
	})
	return at, err
}

// AttachmentByToken returns an attachment the actor may download: one on a
// comment they can read, or their own pending upload.
func (s *Service) AttachmentByToken(ctx context.Context, a auth.Actor, token string) (Attachment, error) {
	var at Attachment
	var commentID sql.NullInt64
	var uploader int64
	err := s.db.R.QueryRowContext(ctx, `SELECT id, token, comment_id, uploader_id, file_name, content_type, size, blob_key
		FROM attachments WHERE token = $1`, token).Scan(&at.ID, &at.Token, &commentID, &uploader, &at.FileName, &at.ContentType, &at.Size, &at.BlobKey)
	if err != nil {
		return Attachment{}, apperr.NotFound("attachment")
	}
	if !commentID.Valid {
		if uploader != a.UserID {
			return Attachment{}, apperr.NotFound("attachment")
		}
		return at, nil
	}
	at.CommentID = commentID.Int64
	var ticketID int64
	var public bool
	if err := s.db.R.QueryRowContext(ctx, `SELECT ticket_id, public FROM comments WHERE id = $1`, at.CommentID).Scan(&ticketID, &public); err != nil {
		return Attachment{}, apperr.NotFound("attachment")
	}
	if _, _, err := s.readable(ctx, a, ticketID); err != nil {
		return Attachment{}, apperr.NotFound("attachment")
	}
	if !public && !a.IsStaff() && !a.System {
		return Attachment{}, apperr.NotFound("attachment")
	}
	return at, nil
}
