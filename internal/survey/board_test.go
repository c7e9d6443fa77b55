package survey_test

import (
	"context"
	"errors"
	"testing"

	"layan/internal/apperr"
	"layan/internal/db"
	"layan/internal/survey"
	"layan/internal/testkit"
)

func TestSuggestionBoard(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := testkit.NewWorld(t, d)
		s := survey.NewService(d, w.Tickets, survey.DefaultConfig(), w.Clock.Now, testkit.QuietLogger())
		if _, err := s.PostSuggestion(ctx, w.Alice, "x", ""); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("customer posting: %v", err)
		}
		if _, err := s.PostSuggestion(ctx, w.Agent, "  ", ""); err == nil {
			t.Error("empty title accepted")
		}
		a, err := s.PostSuggestion(ctx, w.Agent, "Canned replies in Persian", "we type the same answers")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := s.PostSuggestion(ctx, w.Restricted, "Shorter shifts", "")
		s.Vote(ctx, w.Agent, b.ID, true)
		s.Vote(ctx, w.Agent, b.ID, true) // once per person
		s.Vote(ctx, w.Admin, b.ID, true)
		got, err := s.Vote(ctx, w.Restricted, a.ID, true)
		if err != nil || got.Votes != 1 || !got.Voted {
			t.Fatalf("vote: %+v %v", got, err)
		}
		list, err := s.Suggestions(ctx, w.Agent, "")
		if err != nil || len(list) != 2 || list[0].ID != b.ID || list[0].Votes != 2 || !list[0].Voted || list[1].Voted {
			t.Fatalf("board: %+v %v", list, err)
		}
		if got, _ := s.Vote(ctx, w.Agent, b.ID, false); got.Votes != 1 || got.Voted {
			t.Errorf("withdraw: %+v", got)
		}
		if _, err := s.CommentSuggestion(ctx, w.Admin, a.ID, "good idea"); err != nil {
			t.Fatal(err)
		}
		if cs, err := s.SuggestionComments(ctx, w.Agent, a.ID); err != nil || len(cs) != 1 || cs[0].AuthorID != w.Admin.UserID {
			t.Errorf("comments: %+v %v", cs, err)
		}
		if _, err := s.SetSuggestionStatus(ctx, w.Agent, a.ID, "planned"); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("agent sets status: %v", err)
		}
		if _, err := s.SetSuggestionStatus(ctx, w.Admin, a.ID, "maybe"); err == nil {
			t.Error("unknown status accepted")
		}
		if got, err := s.SetSuggestionStatus(ctx, w.Admin, a.ID, "planned"); err != nil || got.Status != "planned" || got.Comments != 1 {
			t.Errorf("status: %+v %v", got, err)
		}
		if l, _ := s.Suggestions(ctx, w.Agent, "planned"); len(l) != 1 || l[0].ID != a.ID {
			t.Errorf("planned: %+v", l)
		}
	})
}
