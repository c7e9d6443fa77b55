package db_test

import (
	"context"
	"testing"

	"layan/internal/db"
	"layan/internal/testkit"
)

func TestMigrateIsIdempotentOnBothEngines(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		n, err := d.Migrate(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("second migrate applied %d migrations, want 0", n)
		}
		var c int
		if err := d.R.QueryRow("SELECT count(*) FROM tickets").Scan(&c); err != nil {
			t.Fatal(err)
		}
	})
}

func TestUniqueViolationIsClassifiedOnBothEngines(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ins := "INSERT INTO groups (name, created_at, updated_at) VALUES ($1, 1, 1)"
		if _, err := d.W.Exec(ins, "Support"); err != nil {
			t.Fatal(err)
		}
		_, err := d.W.Exec(ins, "Support")
		if !db.IsUniqueViolation(err) {
			t.Fatalf("want unique violation, got %v", err)
		}
	})
}
