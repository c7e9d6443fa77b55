package testkit

import (
	"context"
	"net/http/httptest"
	"testing"

	"layan/internal/app"
	"layan/internal/auth"
	"layan/internal/config"
	"layan/internal/db"
)

// Server is a whole Layan (app.Open) behind an httptest server, with the
// World's people and an API token for each.
type Server struct {
	*World
	URL    string
	App    *app.App
	Tokens map[int64]string // user id → API token
}

// ServerOption adjusts the config before the app opens.
type ServerOption func(*config.Config)

// NewServer starts a server on a fresh database of engine e.
func NewServer(t testing.TB, e db.Dialect, opts ...ServerOption) *Server {
	t.Helper()
	cfg := config.Defaults()
	cfg.DatabaseURL = DatabaseURL(t, e)
	cfg.DataDir = t.TempDir()
	cfg.RateLimit = 0
	for _, o := range opts {
		o(&cfg)
	}
	a, err := app.Open(context.Background(), cfg, QuietLogger())
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(a.Web)
	t.Cleanup(func() {
		hs.Close()
		a.Close()
	})
	w := &World{DB: a.DB, Bus: a.Bus, Dir: a.Dir, Tickets: a.Tickets}
	w.seed(t)
	s := &Server{World: w, URL: hs.URL, App: a, Tokens: map[int64]string{}}
	for _, actor := range []auth.Actor{w.Admin, w.Agent, w.Restricted, w.Light, w.Alice, w.Bob, w.Carol} {
		tok, err := a.Dir.CreateToken(context.Background(), auth.Actor{Role: auth.RoleAdmin, System: true}, actor.UserID, "test")
		if err != nil {
			t.Fatal(err)
		}
		s.Tokens[actor.UserID] = tok
	}
	return s
}

// EachServer runs fn on a server of every engine.
func EachServer(t *testing.T, fn func(t *testing.T, s *Server), opts ...ServerOption) {
	t.Helper()
	for _, e := range Engines() {
		t.Run(string(e), func(t *testing.T) { fn(t, NewServer(t, e, opts...)) })
	}
}
