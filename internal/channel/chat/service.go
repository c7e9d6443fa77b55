package chat

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"layan/internal/apperr"
	"layan/internal/blob"
	"layan/internal/db"
	"layan/internal/directory"
	"layan/internal/mail"
	"layan/internal/ticket"
)

// Deps are what the chat service needs.
type Deps struct {
	DB      *db.DB
	Dir     *directory.Service
	Tickets *ticket.Service
	Mail    mail.Sender
	Blobs   blob.Store
	Hub     *Hub
	Now     func() time.Time
	Log     *slog.Logger
}

// Service runs live chat.
type Service struct {
	db      *db.DB
	dir     *directory.Service
	tickets *ticket.Service
	mail    mail.Sender
	blobs   blob.Store
	hub     *Hub
	now     func() time.Time
	log     *slog.Logger

	mu         sync.Mutex
	settings   *Settings
	settingsAt time.Time
	touched    map[int64]time.Time // agent → last presence write by this node

	committer committer
}

// New builds the service; a nil Hub means one node on an in-process hub.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Hub == nil {
		d.Hub, _ = NewHub(nil) // the local broker cannot fail
	}
	return &Service{db: d.DB, dir: d.Dir, tickets: d.Tickets, mail: d.Mail, blobs: d.Blobs, hub: d.Hub,
		now: d.Now, log: d.Log, touched: map[int64]time.Time{}}
}

// Hub is the service's hub (transports subscribe sockets to it).
func (s *Service) Hub() *Hub { return s.hub }

// Blobs is where uploads are kept.
func (s *Service) Blobs() blob.Store { return s.blobs }

// Settings reads the workspace's chat settings, creating them (random key
// and secrets) on first use. Cached for 5 s so a rotation on another node
// is seen soon.
func (s *Service) Settings(ctx context.Context) (Settings, error) {
	s.mu.Lock()
	if s.settings != nil && s.now().Sub(s.settingsAt) < 5*time.Second {
		st := *s.settings
		s.mu.Unlock()
		return st, nil
	}
	s.mu.Unlock()
	st, err := s.loadSettings(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		_, err = s.db.W.ExecContext(ctx, `INSERT INTO chat_settings (id, workspace_key, identity_secret, token_key)
			VALUES (1, $1, $2, $3) ON CONFLICT (id) DO NOTHING`,
			strings.ReplaceAll(uuid.NewString(), "-", "")[:20], randomSecret(), randomSecret())
		if err == nil {
			st, err = s.loadSettings(ctx)
		}
	}
	if err != nil {
		return Settings{}, err
	}
	s.mu.Lock()
	s.settings, s.settingsAt = &st, s.now()
	s.mu.Unlock()
	return st, nil
}

func (s *Service) loadSettings(ctx context.Context) (Settings, error) {
	var st Settings
	err := s.db.W.QueryRowContext(ctx, `SELECT workspace_key, identity_secret, token_key, max_chats, idle_away_minutes
		FROM chat_settings WHERE id = 1`).Scan(&st.WorkspaceKey, &st.IdentitySecret, &st.tokenKey, &st.MaxChats, &st.IdleAwayMinutes)
	return st, err
}

// WorkspaceKey is the public key for data-workspace.
func (s *Service) WorkspaceKey(ctx context.Context) (string, error) {
	st, err := s.Settings(ctx)
	return st.WorkspaceKey, err
}

// CheckWorkspace refuses an unknown workspace key.
func (s *Service) CheckWorkspace(ctx context.Context, key string) error {
	st, err := s.Settings(ctx)
	if err != nil {
		return err
	}
	if key == "" || key != st.WorkspaceKey {
		return apperr.ErrNotFound
	}
	return nil
}

// SettingsPatch changes the settings (admins).
type SettingsPatch struct {
	MaxChats        *int `json:"max_chats_per_agent"`
	IdleAwayMinutes *int `json:"idle_away_minutes"`
	RotateSecret    bool `json:"rotate_secret"`
}
