package automation

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"layan/internal/apperr"
	"layan/internal/db"
)

// Kinds of stored flow objects.
const (
	KindSchedule   = "schedule"
	KindSLAPolicy  = "sla_policy"
	KindTrigger    = "trigger"
	KindAutomation = "automation"
	KindMacro      = "macro"
	KindWebhook    = "webhook"
	KindRouting    = "routing"
	KindSettings   = "settings"
)

// object is one row of flow_objects: the typed document is its JSON body.
type object struct {
	ID        int64
	Kind      string
	Title     string
	Active    bool
	Position  int
	Body      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

func scanObject(sc interface{ Scan(...any) error }) (object, error) {
	var o object
	var c, u int64
	err := sc.Scan(&o.ID, &o.Kind, &o.Title, &o.Active, &o.Position, &o.Body, &c, &u)
	o.CreatedAt, o.UpdatedAt = db.Time(c), db.Time(u)
	return o, err
}

const objectCols = `id, kind, title, active, position, body, created_at, updated_at`

func (s *Service) listObjects(ctx context.Context, kind string) ([]object, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+objectCols+` FROM flow_objects WHERE kind = $1 ORDER BY position, id`, kind)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []object
	for rows.Next() {
		o, err := scanObject(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

func (s *Service) getObject(ctx context.Context, kind string, id int64) (object, error) {
	o, err := scanObject(s.db.R.QueryRowContext(ctx, `SELECT `+objectCols+` FROM flow_objects WHERE kind = $1 AND id = $2`, kind, id))
	if errors.Is(err, sql.ErrNoRows) {
		return o, apperr.NotFound(kind)
	}
	return o, err
}

// saveObject inserts (ID 0) or updates the object; doc is stored as JSON.
func (s *Service) saveObject(ctx context.Context, o object, doc any) (object, error) {
	b, err := json.Marshal(doc)
	if err != nil {
		return o, err
	}
	o.Body = string(b)
	now := s.now()
	if o.ID == 0 {
		o.CreatedAt, o.UpdatedAt = now, now
		err = s.db.W.QueryRowContext(ctx,
			`INSERT INTO flow_objects (kind, title, active, position, body, created_at, updated_at)
			 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			o.Kind, o.Title, o.Active, o.Position, o.Body, db.Millis(now), db.Millis(now)).Scan(&o.ID)
	} else {
		old, gerr := s.getObject(ctx, o.Kind, o.ID)
		if gerr != nil {
			return o, gerr
		}
		o.CreatedAt, o.UpdatedAt = old.CreatedAt, now
		_, err = s.db.W.ExecContext(ctx,
			`UPDATE flow_objects SET title = $1, active = $2, position = $3, body = $4, updated_at = $5 WHERE id = $6 AND kind = $7`,
			o.Title, o.Active, o.Position, o.Body, db.Millis(now), o.ID, o.Kind)
	}
	if err == nil {
		s.invalidate()
	}
	return o, err
}

func (s *Service) deleteObject(ctx context.Context, kind string, id int64) error {
	res, err := s.db.W.ExecContext(ctx, `DELETE FROM flow_objects WHERE kind = $1 AND id = $2`, kind, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFound(kind)
	}
	s.invalidate()
	return nil
}

func (s *Service) cursor(ctx context.Context, name string) (int64, error) {
	var id int64
	err := s.db.R.QueryRowContext(ctx, `SELECT last_event_id FROM flow_cursors WHERE name = $1`, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

func (s *Service) setCursor(ctx context.Context, name string, id int64) error {
	_, err := s.db.W.ExecContext(ctx,
		`INSERT INTO flow_cursors (name, last_event_id, updated_at) VALUES ($1, $2, $3)
		 ON CONFLICT (name) DO UPDATE SET last_event_id = excluded.last_event_id, updated_at = excluded.updated_at`,
		name, id, db.Millis(s.now()))
	return err
}
