package search

import (
	"reflect"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	q, err := Parse(`type:ticket status<solved assignee:me tags:x created>2026-01-01 "late delivery" -spam subject:"kartu kredit" paket`)
	if err != nil {
		t.Fatal(err)
	}
	if q.Type != "ticket" {
		t.Errorf("type = %q", q.Type)
	}
	want := []Clause{
		{Field: "status", Op: "<", Value: "solved"},
		{Field: "assignee", Op: ":", Value: "me"},
		{Field: "tags", Op: ":", Value: "x"},
		{Field: "created", Op: ">", Value: "2026-01-01"},
		{Field: "subject", Op: ":", Value: "kartu kredit"},
	}
	if !reflect.DeepEqual(q.Clauses, want) {
		t.Errorf("clauses = %+v", q.Clauses)
	}
	if !reflect.DeepEqual(q.Phrases, []string{"late delivery"}) || !reflect.DeepEqual(q.Words, []string{"paket"}) ||
		!reflect.DeepEqual(q.Exclude, []string{"spam"}) {
		t.Errorf("text = %+v", q)
	}
	if c, _ := Parse("priority>=high -status:closed"); c.Clauses[0].Op != ">=" || !c.Clauses[1].Negate {
		t.Errorf("ops = %+v", c.Clauses)
	}
}

func TestParseRejectsBadInput(t *testing.T) {
	for _, q := range []string{`"unterminated`, string([]byte{0xff, 0xfe}), string(make([]byte, 2000))} {
		if _, err := Parse(q); err == nil {
			t.Errorf("Parse(%q) accepted", q)
		}
	}
}

func TestParseTime(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"2026-01-01": time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		"3days":      now.Add(-72 * time.Hour),
		"4hours":     now.Add(-4 * time.Hour),
	} {
		got, err := ParseTime(in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseTime(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseTime("yesterday'; DROP TABLE", now); err == nil {
		t.Error("bad date accepted")
	}
}
