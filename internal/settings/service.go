package settings

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/events"
	"layan/internal/i18n"
)

// CacheTTL is how long Get trusts its cached copy. Save refreshes the cache
// of the node that saved at once; other nodes see a change within CacheTTL.
const CacheTTL = 5 * time.Second

// EventChanged is the event type written, one per changed setting (Field is
// the setting's key, Before and After its stored values), in the
// transaction of Save.
const EventChanged = "settings.changed"

// Service reads and saves the workspace settings.
type Service struct {
	db  *db.DB
	now func() time.Time

	mu       sync.Mutex
	cached   Settings
	loadedAt time.Time
	valid    bool
	gen      uint64 // bumped by every Save and Invalidate
}

// NewService builds the service; now is the clock (nil: time.Now).
func NewService(d *db.DB, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: d, now: now}
}

// Get returns the settings, with defaults for anything never saved. Anyone
// may read them (the portal shows them to visitors). The result is a copy the
// caller may change.
func (s *Service) Get(ctx context.Context) (Settings, error) {
	s.mu.Lock()
	if s.valid {
		if age := s.now().Sub(s.loadedAt); age >= 0 && age < CacheTTL {
			out := s.cached.Clone()
			s.mu.Unlock()
			return out, nil
		}
	}
	gen := s.gen
	s.mu.Unlock()

	st, err := load(ctx, s.db.R)
	if err != nil {
		return Settings{}, err
	}
	s.mu.Lock()
	if s.gen == gen { // no Save since we started reading
		s.cached, s.loadedAt, s.valid = st.Clone(), s.now(), true
	}
	s.mu.Unlock()
	return st, nil
}

// Invalidate drops the cached copy, so the next Get reads the database (for a
// future cross-node "settings changed" notification).
func (s *Service) Invalidate() {
	s.mu.Lock()
	s.valid = false
	s.gen++
	s.mu.Unlock()
}

// Save validates and stores all the settings in one transaction (admins
// only: others get apperr.ErrForbidden). Invalid input is an
// apperr.ValidationError on one of the fields "name", "accent_color",
// "logo_blob_key", "logo_content_type", "default_locale", "offered_locales".
// Values are stored normalised (see Validate); Get returns them so.
func (s *Service) Save(ctx context.Context, a auth.Actor, in Settings) error {
	if !a.IsAdmin() {
		return apperr.Forbidden("change the workspace settings")
	}
	st, err := Validate(in)
	if err != nil {
		return err
	}
	now := s.now()
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		before, err := loadRaw(ctx, tx)
		if err != nil {
			return err
		}
		var evs []events.Event
		for _, kv := range encode(st) {
			old, had := before[kv.key]
			if had && old == kv.value {
				continue
			}
			if err := upsert(ctx, tx, kv.key, kv.value); err != nil {
				return err
			}
			e := events.Event{ActorID: a.UserID, Type: EventChanged, Field: kv.key, After: events.Str(kv.value), CreatedAt: now}
			if had {
				e.Before = events.Str(old)
			}
			evs = append(evs, e)
		}
		return events.Insert(ctx, tx, evs)
	})
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.gen++
	s.cached, s.loadedAt, s.valid = st.Clone(), s.now(), true
	s.mu.Unlock()
	return nil
}

// Validate checks settings and returns them normalised: trimmed name,
// lowercase colour and content type, locales deduplicated with the default
// first. Save calls it; the admin form may call it to check before upload.
func Validate(in Settings) (Settings, error) {
	out := Settings{}
	b := in.Branding

	name := strings.TrimSpace(b.Name)
	switch {
	case !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl):
		return out, apperr.Invalid("name", "invalid_text", "is not valid text")
	case name == "":
		return out, apperr.Invalid("name", "required", "is required")
	case utf8.RuneCountInString(name) > 100:
		return out, apperr.Invalid("name", "too_long", "is longer than 100 characters")
	}
	out.Branding.Name = name

	color := strings.ToLower(strings.TrimSpace(b.AccentColor))
	if !validColor(color) {
		return out, apperr.Invalid("accent_color", "invalid_color", "must be a colour like #0f766e")
	}
	out.Branding.AccentColor = color

	key := strings.TrimSpace(b.LogoBlobKey)
	ctype := strings.ToLower(strings.TrimSpace(b.LogoContentType))
	switch {
	case key == "" && ctype != "":
		return out, apperr.Invalid("logo_blob_key", "required", "is required with a logo content type")
	case key != "" && !validBlobKey(key):
		return out, apperr.Invalid("logo_blob_key", "invalid", "is not a blob key")
	case key != "" && !slices.Contains(LogoContentTypes, ctype):
		return out, apperr.Invalid("logo_content_type", "invalid_content_type", "must be image/png, image/jpeg, image/gif or image/webp")
	}
	out.Branding.LogoBlobKey, out.Branding.LogoContentType = key, ctype

	def := strings.ToLower(strings.TrimSpace(in.DefaultLocale))
	if !slices.Contains(i18n.Supported, def) {
		return out, apperr.Invalid("default_locale", "invalid_locale", "must be en, id or fa")
	}
	out.DefaultLocale = def

	offered := map[string]bool{}
	for _, l := range in.OfferedLocales {
		l = strings.ToLower(strings.TrimSpace(l))
		if !slices.Contains(i18n.Supported, l) {
			return out, apperr.Invalid("offered_locales", "invalid_locale", "may contain only en, id and fa")
		}
		offered[l] = true
	}
	switch {
	case len(offered) == 0:
		return out, apperr.Invalid("offered_locales", "required", "must offer at least one language")
	case !offered[def]:
		return out, apperr.Invalid("offered_locales", "missing_default", "must include the default language")
	}
	out.OfferedLocales = orderLocales(def, offered)
	return out, nil
}

// orderLocales puts the default first, then the others in i18n.Supported order.
func orderLocales(def string, offered map[string]bool) []string {
	out := []string{def}
	for _, l := range i18n.Supported {
		if l != def && offered[l] {
			out = append(out, l)
		}
	}
	return out
}

func validColor(s string) bool {
	if len(s) != 7 || s[0] != '#' {
		return false
	}
	for i := 1; i < 7; i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// validBlobKey accepts what a blob store may name a blob: letters, digits and
// . _ - /, no "..", at most 255 bytes.
func validBlobKey(k string) bool {
	if len(k) > 255 || strings.Contains(k, "..") || strings.HasPrefix(k, "/") {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-' || c == '/') {
			return false
		}
	}
	return true
}
