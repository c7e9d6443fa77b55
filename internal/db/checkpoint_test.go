package db_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"layan/internal/db"
)

// The writer does not checkpoint, so the checkpointer must: after a burst of
// writes the rows reach the database file itself, and survive a reopen.
func TestCheckpointerCopiesTheLogIntoTheDatabase(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	d, err := db.Open(ctx, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "layan.db")
	before := size(t, file)
	body := strings.Repeat("x", 2000)
	for i := 0; i < 50; i++ {
		if err := d.WithTx(ctx, func(tx *sql.Tx) error {
			for j := 0; j < 40; j++ {
				if _, err := tx.Exec("INSERT INTO groups (name, description, created_at, updated_at) VALUES ($1, $2, 1, 1)",
					time.Now().String()+string(rune('a'+j)), body); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for size(t, file) < before+3_000_000 {
		if time.Now().After(deadline) {
			t.Fatalf("database file %d bytes after 4 MB of writes (was %d): the log was not checkpointed", size(t, file), before)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	d, err = db.Open(ctx, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var n int
	if err := d.R.QueryRow("SELECT count(*) FROM groups WHERE description = $1", body).Scan(&n); err != nil || n != 2000 {
		t.Fatalf("after reopen: %d rows, %v; want 2000", n, err)
	}
}

func size(t *testing.T, path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}
