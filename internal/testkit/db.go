// Package testkit gives tests fresh databases on both engines, seed data and
// servers. Nothing here is used outside tests and benchmarks.
package testkit

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"layan/internal/db"
)

// PostgresURL is the test server, from LAYAN_TEST_POSTGRES_URL ("" when unset).
func PostgresURL() string { return os.Getenv("LAYAN_TEST_POSTGRES_URL") }

var schemaSeq atomic.Int64

// Engines lists the engines the tests run on: always SQLite, PostgreSQL when configured.
func Engines() []db.Dialect {
	if PostgresURL() != "" {
		return []db.Dialect{db.SQLite, db.Postgres}
	}
	return []db.Dialect{db.SQLite}
}

// EachDB runs fn as a subtest on a fresh, migrated database of every engine.
func EachDB(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	for _, e := range Engines() {
		t.Run(string(e), func(t *testing.T) {
			fn(t, NewDB(t, e))
		})
	}
}

// NewDB opens a fresh, migrated database of the given engine, closed at cleanup.
func NewDB(t testing.TB, e db.Dialect) *db.DB {
	t.Helper()
	u := DatabaseURL(t, e)
	d, err := db.Open(context.Background(), u, t.TempDir())
	if err != nil {
		t.Fatalf("open %s: %v", e, err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s: %v", e, err)
	}
	return d
}

// DatabaseURL returns a URL of a fresh, empty database of the engine: a file
// in a temp dir for SQLite, a new schema (dropped at cleanup) for PostgreSQL.
func DatabaseURL(t testing.TB, e db.Dialect) string {
	t.Helper()
	if e == db.SQLite {
		return "sqlite://" + filepath.Join(t.TempDir(), "test.db")
	}
	base := PostgresURL()
	if base == "" {
		t.Skip("LAYAN_TEST_POSTGRES_URL is not set")
	}
	schema := fmt.Sprintf("t_%d_%d", time.Now().UnixNano(), schemaSeq.Add(1))
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		_, _ = a.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	return WithSearchPath(base, schema)
}

// WithSearchPath points a PostgreSQL URL at one schema.
func WithSearchPath(base, schema string) string {
	u, err := url.Parse(base)
	if err != nil {
		panic(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return strings.Replace(u.String(), "+", "%20", -1)
}
