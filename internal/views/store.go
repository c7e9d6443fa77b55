package views

import (
	"context"
	"database/sql"
	"errors"

	"layan/internal/apperr"
	"layan/internal/db"
)

const columns = `id, owner_id, name, filter, shared, created_at`

func scan(row interface{ Scan(...any) error }) (View, error) {
	var v View
	var at int64
	if err := row.Scan(&v.ID, &v.OwnerID, &v.Name, &v.Filter, &v.Shared, &at); err != nil {
		return View{}, err
	}
	v.CreatedAt = db.Time(at)
	return v, nil
}

func insert(ctx context.Context, q db.Querier, v View) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `INSERT INTO saved_views (owner_id, name, filter, shared, created_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, v.OwnerID, v.Name, v.Filter, v.Shared, db.Millis(v.CreatedAt)).Scan(&id)
	return id, err
}

// visible lists the views of owner and the shared ones, by name.
func visible(ctx context.Context, q db.Querier, owner int64) ([]View, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+columns+` FROM saved_views
		WHERE owner_id = $1 OR shared = $2 ORDER BY name, id`, owner, true)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []View
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func byID(ctx context.Context, q db.Querier, id int64) (View, error) {
	v, err := scan(q.QueryRowContext(ctx, `SELECT `+columns+` FROM saved_views WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return View{}, apperr.NotFound("saved view")
	}
	return v, err
}

func remove(ctx context.Context, q db.Querier, id int64) error {
	_, err := q.ExecContext(ctx, `DELETE FROM saved_views WHERE id = $1`, id)
	return err
}
