package events_test

import (
	"context"
	"testing"
	"time"

	"layan/internal/db"
	"layan/internal/events"
	"layan/internal/testkit"
)

func TestInsertGivesIDsInRowOrderOnBothEngines(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		for round := 0; round < 3; round++ {
			evs := []events.Event{{Type: "a", Field: "1", CreatedAt: time.Now()}, {Type: "b", Field: "2", CreatedAt: time.Now()}, {Type: "c", Field: "3", CreatedAt: time.Now()}}
			if err := events.Insert(ctx, d.W, evs); err != nil {
				t.Fatal(err)
			}
			for _, e := range evs {
				var typ, field string
				if err := d.R.QueryRow(`SELECT type, field FROM events WHERE id = $1`, e.ID).Scan(&typ, &field); err != nil {
					t.Fatal(err)
				}
				if typ != e.Type || field != e.Field {
					t.Fatalf("event id %d holds %s/%s, want %s/%s", e.ID, typ, field, e.Type, e.Field)
				}
			}
			if !(evs[0].ID < evs[1].ID && evs[1].ID < evs[2].ID) {
				t.Fatalf("ids not ascending: %v %v %v", evs[0].ID, evs[1].ID, evs[2].ID)
			}
		}
	})
}
