package ticket

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
)

// Field is a custom ticket field defined by an admin.
type Field struct {
	ID               int64
	Title            string
	Type             string // text, textarea, checkbox, date, integer, decimal, tagger, multiselect
	Description      string
	Active           bool
	Required         bool
	VisibleInPortal  bool
	EditableInPortal bool
	Options          []FieldOption
	Position         int64
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// FieldOption is one choice of a tagger or multiselect field.
type FieldOption struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// FieldTypes lists the supported custom field types.
var FieldTypes = []string{"text", "textarea", "checkbox", "date", "integer", "decimal", "tagger", "multiselect"}

const fieldColumns = `id, title, type, description, active, required, visible_in_portal, editable_in_portal, options, position, created_at, updated_at`

func scanField(sc interface{ Scan(...any) error }) (Field, error) {
	var f Field
	var opts string
	var c, u int64
	err := sc.Scan(&f.ID, &f.Title, &f.Type, &f.Description, &f.Active, &f.Required, &f.VisibleInPortal,
		&f.EditableInPortal, &opts, &f.Position, &c, &u)
	_ = json.Unmarshal([]byte(opts), &f.Options)
	if f.Options == nil {
		f.Options = []FieldOption{}
	}
	f.CreatedAt, f.UpdatedAt = db.Time(c), db.Time(u)
	return f, err
}

// Fields lists custom fields; customers see only those shown in the portal.
func (s *Service) Fields(ctx context.Context, a auth.Actor) ([]Field, error) {
	q := `SELECT ` + fieldColumns + ` FROM ticket_fields`
	if !a.IsStaff() && !a.System {
		q += ` WHERE active AND visible_in_portal`
	}
	rows, err := s.db.R.QueryContext(ctx, q+` ORDER BY position, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Field{}
	for rows.Next() {
		f, err := scanField(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// GetField reads one field definition.
func (s *Service) GetField(ctx context.Context, a auth.Actor, id int64) (Field, error) {
	f, err := scanField(s.db.R.QueryRowContext(ctx, `SELECT `+fieldColumns+` FROM ticket_fields WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !a.IsStaff() && !a.System && !(f.Active && f.VisibleInPortal)) {
		return Field{}, apperr.NotFound("ticket field")
	}
	return f, err
}

func validateField(f *Field) error {
	f.Title = strings.TrimSpace(f.Title)
	if err := checkText("title", f.Title, 255); err != nil {
		return err
	}
	if f.Title == "" {
		return apperr.Invalid("title", "required", "is required")
	}
	if err := checkText("description", f.Description, 2000); err != nil {
		return err
	}
	if err := checkEnum("type", f.Type, FieldTypes, false); err != nil {
		return err
	}
	if f.Type == "tagger" || f.Type == "multiselect" {
		if len(f.Options) == 0 {
			return apperr.Invalid("custom_field_options", "required", "a drop-down needs options")
		}
		seen := map[string]bool{}
		for _, o := range f.Options {
			if checkText("custom_field_options", o.Name, 255) != nil || strings.TrimSpace(o.Value) == "" ||
				strings.ContainsAny(o.Value, " \t\n") || seen[o.Value] {
				return apperr.Invalid("custom_field_options", "invalid", "options need a name and a unique value without spaces")
			}
			seen[o.Value] = true
		}
	} else {
		f.Options = []FieldOption{}
	}
	if f.EditableInPortal {
		f.VisibleInPortal = true
	}
	return nil
}

// SaveField creates (ID 0) or replaces a custom field definition (admins).
func (s *Service) SaveField(ctx context.Context, a auth.Actor, f Field) (Field, error) {
	if !a.IsAdmin() {
		return Field{}, apperr.Forbidden("manage ticket fields")
	}
	if err := validateField(&f); err != nil {
		return Field{}, err
	}
	opts, _ := json.Marshal(f.Options)
	now := db.Millis(s.now())
	if f.ID == 0 {
		return scanField(s.db.W.QueryRowContext(ctx, `INSERT INTO ticket_fields (title, type, description, active, required,
			visible_in_portal, editable_in_portal, options, position, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$10) RETURNING `+fieldColumns,
			f.Title, f.Type, f.Description, f.Active, f.Required, f.VisibleInPortal, f.EditableInPortal, string(opts), f.Position, now))
	}
	out, err := scanField(s.db.W.QueryRowContext(ctx, `UPDATE ticket_fields SET title=$1, type=$2, description=$3, active=$4,
		required=$5, visible_in_portal=$6, editable_in_portal=$7, options=$8, position=$9, updated_at=$10 WHERE id=$11
		RETURNING `+fieldColumns, f.Title, f.Type, f.Description, f.Active, f.Required, f.VisibleInPortal, f.EditableInPortal,
		string(opts), f.Position, now, f.ID))
	if errors.Is(err, sql.ErrNoRows) {
		return Field{}, apperr.NotFound("ticket field")
	}
	return out, err
}

// DeleteField removes a field definition (admins); values on tickets are kept in history.
func (s *Service) DeleteField(ctx context.Context, a auth.Actor, id int64) error {
	if !a.IsAdmin() {
		return apperr.Forbidden("manage ticket fields")
	}
	res, err := s.db.W.ExecContext(ctx, `DELETE FROM ticket_fields WHERE id = $1`, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFound("ticket field")
	}
	return nil
}

// checkCustomFields validates changes against the field definitions and returns
// the merged values. Customers may set only fields editable in the portal.
func (s *Service) checkCustomFields(ctx context.Context, a auth.Actor, current, changes map[int64]any) (map[int64]any, error) {
	out := map[int64]any{}
	for k, v := range current {
		out[k] = v
	}
	if len(changes) == 0 {
		return out, nil
	}
	defs, err := s.Fields(ctx, auth.SystemActor())
	if err != nil {
		return nil, err
	}
	byID := map[int64]Field{}
	for _, f := range defs {
		byID[f.ID] = f
	}
	for id, v := range changes {
		f, ok := byID[id]
		if !ok || !f.Active {
			return nil, apperr.Invalid("custom_fields", "unknown_field", "refers to field "+strconv.FormatInt(id, 10)+" which does not exist")
		}
		if !a.IsStaff() && !a.System && !f.EditableInPortal {
			return nil, apperr.Invalid("custom_fields", "not_editable", "field "+strconv.FormatInt(id, 10)+" cannot be set by customers")
		}
		val, err := coerceField(f, v)
		if err != nil {
			return nil, err
		}
		if val == nil {
			delete(out, id)
		} else {
			out[id] = val
		}
	}
	return out, nil
}

func coerceField(f Field, v any) (any, error) {
	bad := apperr.Invalid("custom_fields", "invalid_value", "has a wrong value for field \""+f.Title+"\" ("+f.Type+")")
	if v == nil {
		return nil, nil
	}
	switch f.Type {
	case "text", "textarea":
		s, ok := v.(string)
		if !ok || checkText("custom_fields", s, MaxCommentBody) != nil {
			return nil, bad
		}
		if s == "" {
			return nil, nil
		}
		return s, nil
	case "checkbox":
		if b, ok := v.(bool); ok {
			return b, nil
		}
		return nil, bad
	case "date":
		s, ok := v.(string)
		if !ok {
			return nil, bad
		}
		if s == "" {
			return nil, nil
		}
		if _, err := time.Parse("2006-01-02", s); err != nil {
			return nil, bad
		}
		return s, nil
	case "integer", "decimal":
		var n float64
		switch x := v.(type) {
		case float64:
			n = x
		case json.Number:
			var err error
			if n, err = x.Float64(); err != nil {
				return nil, bad
			}
		case string:
			if x == "" {
				return nil, nil
			}
			var err error
			if n, err = strconv.ParseFloat(x, 64); err != nil {
				return nil, bad
			}
		default:
			return nil, bad
		}
		if math.IsNaN(n) || math.IsInf(n, 0) || (f.Type == "integer" && n != math.Trunc(n)) {
			return nil, bad
		}
		return n, nil
	case "tagger":
		s, ok := v.(string)
		if !ok {
			return nil, bad
		}
		if s == "" {
			return nil, nil
		}
		if !slices.ContainsFunc(f.Options, func(o FieldOption) bool { return o.Value == s }) {
			return nil, bad
		}
		return s, nil
	case "multiselect":
		list, ok := v.([]any)
		if !ok {
			if ss, ok2 := v.([]string); ok2 {
				for _, x := range ss {
					list = append(list, x)
				}
			} else {
				return nil, bad
			}
		}
		out := []string{}
		for _, x := range list {
			s, ok := x.(string)
			if !ok || !slices.ContainsFunc(f.Options, func(o FieldOption) bool { return o.Value == s }) {
				return nil, bad
			}
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
		return out, nil
	}
	return nil, bad
}

func jsonStr(v any) *string {
	if v == nil {
		return nil
	}
	b, _ := json.Marshal(v)
	s := string(b)
	return &s
}
