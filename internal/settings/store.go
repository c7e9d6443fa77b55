package settings

import (
	"context"
	"encoding/json"
	"slices"

	"layan/internal/db"
)

// Keys of the settings rows this package owns. Other packages may keep other
// keys in the same table; they are left alone.
const (
	keyName            = "branding.name"
	keyAccentColor     = "branding.accent_color"
	keyLogoBlobKey     = "branding.logo_blob_key"
	keyLogoContentType = "branding.logo_content_type"
	keyDefaultLocale   = "locale.default"
	keyOfferedLocales  = "locale.offered" // a JSON array of strings
)

var keys = []string{keyName, keyAccentColor, keyLogoBlobKey, keyLogoContentType, keyDefaultLocale, keyOfferedLocales}

type keyValue struct{ key, value string }

// encode turns valid settings into rows, in a fixed order.
func encode(st Settings) []keyValue {
	offered, _ := json.Marshal(st.OfferedLocales)
	return []keyValue{
		{keyName, st.Branding.Name},
		{keyAccentColor, st.Branding.AccentColor},
		{keyLogoBlobKey, st.Branding.LogoBlobKey},
		{keyLogoContentType, st.Branding.LogoContentType},
		{keyDefaultLocale, st.DefaultLocale},
		{keyOfferedLocales, string(offered)},
	}
}

// loadRaw reads this package's rows.
func loadRaw(ctx context.Context, q db.Querier) (map[string]string, error) {
	args := make([]any, len(keys))
	for i, k := range keys {
		args[i] = k
	}
	rows, err := q.QueryContext(ctx, `SELECT key, value FROM settings WHERE key IN (`+db.Placeholders(1, len(keys))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, rows.Err()
}

// load reads the settings. A row that is missing, or that does not pass
// validation (edited by hand, written by an older version), falls back to
// its default, so that a bad row never takes the portal down.
func load(ctx context.Context, q db.Querier) (Settings, error) {
	raw, err := loadRaw(ctx, q)
	if err != nil {
		return Settings{}, err
	}
	return decode(raw), nil
}

func decode(raw map[string]string) Settings {
	st := Defaults()
	// try applies a change when the result is valid.
	try := func(apply func(*Settings)) bool {
		c := st.Clone()
		apply(&c)
		if _, err := Validate(c); err != nil {
			return false
		}
		st = c
		return true
	}
	if v, ok := raw[keyName]; ok {
		try(func(s *Settings) { s.Branding.Name = v })
	}
	if v, ok := raw[keyAccentColor]; ok {
		try(func(s *Settings) { s.Branding.AccentColor = v })
	}
	if k, ok := raw[keyLogoBlobKey]; ok {
		try(func(s *Settings) { s.Branding.LogoBlobKey, s.Branding.LogoContentType = k, raw[keyLogoContentType] })
	}
	var offered []string
	offeredOK := false
	if v, ok := raw[keyOfferedLocales]; ok {
		offeredOK = json.Unmarshal([]byte(v), &offered) == nil
	}
	def, defOK := raw[keyDefaultLocale]
	switch {
	case defOK && offeredOK && try(func(s *Settings) { s.DefaultLocale, s.OfferedLocales = def, offered }):
	case defOK && offeredOK && try(func(s *Settings) { s.DefaultLocale, s.OfferedLocales = def, append(slices.Clone(offered), def) }):
		// A valid default that is not offered: offer it rather than lose it.
	case defOK && try(func(s *Settings) { s.DefaultLocale = def }):
	case offeredOK && try(func(s *Settings) { s.OfferedLocales = offered }):
	}
	st, _ = Validate(st) // normalise (order, case); st is valid here
	return st
}

// upsert writes one row; ON CONFLICT works on SQLite and PostgreSQL alike.
func upsert(ctx context.Context, q db.Querier, key, value string) error {
	_, err := q.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}
