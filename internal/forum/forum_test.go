package forum_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/forum"
	"layan/internal/jobs"
	"layan/internal/kb"
	"layan/internal/mail"
	"layan/internal/testkit"
)

type fixture struct {
	w     *testkit.World
	s     *forum.Service
	kb    *kb.Service
	q     *jobs.Queue
	mails *mail.Recorder
	topic forum.Topic
}

func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	w := testkit.NewWorld(t, d)
	f := &fixture{w: w, mails: &mail.Recorder{}}
	f.kb = kb.NewService(d, w.Bus, w.Clock.Now, testkit.QuietLogger())
	f.q = jobs.New(d, w.Clock.Now, testkit.QuietLogger())
	f.s = forum.NewService(d, w.Clock.Now, testkit.QuietLogger())
	f.s.KB, f.s.Tickets, f.s.Jobs, f.s.Mail, f.s.BaseURL = f.kb, w.Tickets, f.q, f.mails, "https://help.example"
	var err error
	if f.topic, err = f.s.CreateTopic(context.Background(), w.Agent, forum.TopicInput{Name: "Pengiriman"}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) trust(t *testing.T, who ...auth.Actor) {
	t.Helper()
	for _, a := range who {
		if err := f.s.SetTrusted(context.Background(), f.w.Agent, a.UserID, true); err != nil {
			t.Fatal(err)
		}
	}
}

func (f *fixture) ask(t *testing.T, a auth.Actor, title, body string) forum.Post {
	t.Helper()
	p, err := f.s.CreatePost(context.Background(), a, forum.PostInput{TopicID: f.topic.ID, Title: title, Body: body})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (f *fixture) answer(t *testing.T, a auth.Actor, postID int64, body string) forum.Answer {
	t.Helper()
	x, err := f.s.AddAnswer(context.Background(), a, postID, forum.AnswerInput{Body: body})
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func wantErr(t *testing.T, what string, err, kind error) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("%s: got %v, want %v", what, err, kind)
	}
}

func wantInvalid(t *testing.T, what string, err error, key string) {
	t.Helper()
	v, ok := apperr.AsValidation(err)
	if !ok || v.Key != key {
		t.Fatalf("%s: got %v, want validation error %q", what, err, key)
	}
}

func TestQueuedAndHiddenPostsAreInvisibleToOthers(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		w := f.w
		anon := auth.Actor{}
		// Bob is new: his first post waits for a moderator.
		p := f.ask(t, w.Bob, "Paket saya belum sampai", "Sudah lima hari, bagaimana cara melacaknya?")
		if p.Status != forum.Queued {
			t.Fatalf("a new member's first post is %s, want queued", p.Status)
		}
		for name, a := range map[string]auth.Actor{"Alice": w.Alice, "anonymous": anon} {
			_, err := f.s.GetPost(ctx, a, p.ID)
			wantErr(t, name+" reads a queued post", err, apperr.ErrNotFound)
			_, err = f.s.AddAnswer(ctx, a, p.ID, forum.AnswerInput{Body: "x"})
			if err == nil {
				t.Fatalf("%s answered a queued post", name)
			}
			_, err = f.s.ListAnswers(ctx, a, p.ID)
			wantErr(t, name+" lists answers of a queued post", err, apperr.ErrNotFound)
		}
		list, _, err := f.s.ListPosts(ctx, w.Alice, forum.ListQuery{})
		if err != nil || len(list) != 0 {
			t.Fatalf("public list shows queued posts: %v %v", list, err)
		}
		_, _, err = f.s.ListPosts(ctx, w.Alice, forum.ListQuery{Status: forum.Queued})
		wantErr(t, "a customer lists the queue", err, apperr.ErrForbidden)
		if _, err := f.s.Queue(ctx, w.Alice); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("a customer reads the moderation queue: %v", err)
		}
		if _, err := f.s.GetPost(ctx, w.Bob, p.ID); err != nil {
			t.Fatalf("the author cannot read his queued post: %v", err)
		}
		if _, err := f.s.GetPost(ctx, w.Light, p.ID); err != nil {
			t.Fatalf("staff cannot read a queued post: %v", err)
		}
		// Only admins and agents moderate.
		for name, a := range map[string]auth.Actor{"Bob": w.Bob, "Alice": w.Alice, "Light": w.Light} {
			wantErr(t, name+" approves", f.s.Moderate(ctx, a, "post", p.ID, forum.ActApprove, ""), apperr.ErrForbidden)
		}
		q, err := f.s.Queue(ctx, w.Agent)
		if err != nil || len(q) != 1 || q[0].ID != p.ID {
			t.Fatalf("queue = %+v, %v", q, err)
		}
		if err := f.s.Moderate(ctx, w.Agent, "post", p.ID, forum.ActApprove, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.GetPost(ctx, w.Alice, p.ID); err != nil {
			t.Fatalf("approved post invisible: %v", err)
		}
		// Approved once, Bob is trusted: his next post is published at once.
		if p2 := f.ask(t, w.Bob, "Cara ganti alamat", "Bagaimana mengganti alamat pengiriman?"); p2.Status != forum.Published {
			t.Fatalf("a trusted member's post is %s", p2.Status)
		}
		// A hidden post is invisible to everyone but staff, its author included.
		if err := f.s.Moderate(ctx, w.Agent, "post", p.ID, forum.ActHide, "spam"); err != nil {
			t.Fatal(err)
		}
		for name, a := range map[string]auth.Actor{"Alice": w.Alice, "Bob": w.Bob, "anonymous": anon} {
			_, err := f.s.GetPost(ctx, a, p.ID)
			wantErr(t, name+" reads a hidden post", err, apperr.ErrNotFound)
			wantErr(t, name+" votes on a hidden post", f.s.Vote(ctx, a, "post", p.ID, 1), map[bool]error{true: apperr.ErrUnauthorized, false: apperr.ErrNotFound}[a.UserID == 0])
		}
		if _, err := f.s.GetPost(ctx, w.Agent, p.ID); err != nil {
			t.Fatal(err)
		}
		// Hidden and queued answers too.
		f.trust(t, w.Alice)
		open := f.ask(t, w.Alice, "Where is my parcel?", "It has been a week.")
		carolAns := f.answer(t, w.Carol, open.ID, "Call the courier at http://spam.example") // Carol is new: queued
		if carolAns.Status != forum.Queued {
			t.Fatalf("new member's answer is %s", carolAns.Status)
		}
		as, err := f.s.ListAnswers(ctx, w.Alice, open.ID)
		if err != nil || len(as) != 0 {
			t.Fatalf("Alice sees a queued answer: %+v %v", as, err)
		}
		if as, _ := f.s.ListAnswers(ctx, w.Carol, open.ID); len(as) != 1 {
			t.Fatalf("Carol does not see her own queued answer: %+v", as)
		}
		if err := f.s.Moderate(ctx, w.Agent, "answer", carolAns.ID, forum.ActHide, ""); err != nil {
			t.Fatal(err)
		}
		if as, _ := f.s.ListAnswers(ctx, w.Carol, open.ID); len(as) != 0 {
			t.Fatalf("Carol sees her hidden answer: %+v", as)
		}
		if _, err := f.s.GetAnswer(ctx, w.Alice, carolAns.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("hidden answer readable: %v", err)
		}
		// Every moderator action is in the log, which only staff read.
		log, err := f.s.ModLog(ctx, w.Light, 10)
		if err != nil || len(log) < 3 || log[0].Action != forum.ActHide || log[0].Target != "answer" {
			t.Fatalf("mod log = %+v, %v", log, err)
		}
		if _, err := f.s.ModLog(ctx, w.Bob, 10); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("a customer reads the mod log: %v", err)
		}
	})
}

func TestOnlyTheAskerOrStaffAccepts(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		w := f.w
		f.trust(t, w.Alice, w.Bob, w.Carol)
		p := f.ask(t, w.Alice, "How do I reset my password?", "The reset mail never arrives.")
		a1 := f.answer(t, w.Bob, p.ID, "Check the spam folder; the mail comes from no-reply.")
		a2 := f.answer(t, w.Carol, p.ID, "Ask support.")
		for name, a := range map[string]auth.Actor{"Bob (answerer)": w.Bob, "Carol": w.Carol, "Light": w.Light} {
			_, err := f.s.Accept(ctx, a, p.ID, a1.ID)
			wantErr(t, name+" accepts", err, apperr.ErrForbidden)
		}
		_, err := f.s.Accept(ctx, auth.Actor{}, p.ID, a1.ID)
		wantErr(t, "anonymous accepts", err, apperr.ErrUnauthorized)
		other := f.ask(t, w.Carol, "Another question", "Other text.")
		otherAns := f.answer(t, w.Alice, other.ID, "An answer elsewhere.")
		_, err = f.s.Accept(ctx, w.Alice, p.ID, otherAns.ID)
		wantInvalid(t, "accept another post's answer", err, "not_found")

		got, err := f.s.Accept(ctx, w.Alice, p.ID, a1.ID)
		if err != nil || !got.Solved() || got.AcceptedID != a1.ID || got.SolvedAt.IsZero() {
			t.Fatalf("accept: %+v %v", got, err)
		}
		m, _ := f.s.GetMember(ctx, w.Alice, w.Bob.UserID)
		if m.Reputation != forum.PointsAccepted || m.Accepted != 1 {
			t.Fatalf("Bob's standing after an accepted answer: %+v", m)
		}
		as, _ := f.s.ListAnswers(ctx, w.Carol, p.ID)
		if !as[0].Accepted || as[1].Accepted {
			t.Fatalf("accepted marks: %+v", as)
		}
		// Staff may change it; reputation moves with it.
		if _, err := f.s.Accept(ctx, w.Agent, p.ID, a2.ID); err != nil {
			t.Fatal(err)
		}
		if m, _ := f.s.GetMember(ctx, w.Alice, w.Bob.UserID); m.Reputation != 0 {
			t.Fatalf("Bob keeps points of a withdrawn acceptance: %+v", m)
		}
		if m, _ := f.s.GetMember(ctx, w.Alice, w.Carol.UserID); m.Reputation != forum.PointsAccepted {
			t.Fatalf("Carol: %+v", m)
		}
		idea, err := f.s.CreatePost(ctx, w.Alice, forum.PostInput{TopicID: f.topic.ID, Kind: forum.Idea, Title: "Dark mode", Body: "Please."})
		if err != nil {
			t.Fatal(err)
		}
		ia := f.answer(t, w.Bob, idea.ID, "+1")
		_, err = f.s.Accept(ctx, w.Alice, idea.ID, ia.ID)
		wantInvalid(t, "accept on an idea", err, "not_question")
	})
}

func TestSolvedThreadsAreSearchableInTheirLanguage(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		w := f.w
		f.trust(t, w.Alice, w.Bob)
		p := f.ask(t, w.Alice, "چگونه رمز عبور را تغییر بدهم؟", "می‌خواهم رمز عبور حسابم را عوض کنم ولی گزینه‌ای پیدا نمی‌کنم.")
		if p.Locale != "fa" {
			t.Fatalf("a Persian post was detected as %q", p.Locale)
		}
		x := f.answer(t, w.Bob, p.ID, "به صفحه تنظیمات حساب بروید و روی «تغییر رمز عبور» بزنید.")
		hits, err := f.s.Search(ctx, auth.Actor{}, "تغییر رمز عبور", "fa", 5)
		if err != nil || len(hits) != 1 || hits[0].Solved || hits[0].PostID != p.ID {
			t.Fatalf("the open question is not found as open: %+v %v", hits, err)
		}
		if res, _ := f.kb.Search(ctx, auth.Actor{}, kb.SearchRequest{Query: "تغییر رمز عبور", Locale: "fa"}); len(res.Hits) != 0 {
			t.Fatalf("an unsolved thread is in the KB index (the bot's source): %+v", res.Hits)
		}
		if _, err := f.s.Accept(ctx, w.Alice, p.ID, x.ID); err != nil {
			t.Fatal(err)
		}
		hits, err = f.s.Search(ctx, auth.Actor{}, "رمز عبورم را تغيير دهم", "fa", 5) // Arabic yeh: normalised
		if err != nil || len(hits) != 1 || hits[0].PostID != p.ID || !hits[0].Solved {
			t.Fatalf("solved thread not found: %+v %v", hits, err)
		}
		// The same index as the knowledge base: the bot's retrieval sees it,
		// but the Help Center's article search does not.
		res, err := f.kb.Search(ctx, auth.Actor{}, kb.SearchRequest{Query: "تغییر رمز عبور", Locale: "fa"})
		if err != nil || len(res.Hits) != 1 || res.Hits[0].Kind != kb.KindForum {
			t.Fatalf("kb search: %+v %v", res.Hits, err)
		}
		res, _ = f.kb.Search(ctx, auth.Actor{}, kb.SearchRequest{Query: "تغییر رمز عبور", Locale: "fa", Kinds: []string{"article", "faq"}})
		if len(res.Hits) != 0 {
			t.Fatalf("forum hit among articles: %+v", res.Hits)
		}
		// Hidden threads leave the index.
		if err := f.s.Moderate(ctx, w.Agent, "post", p.ID, forum.ActHide, ""); err != nil {
			t.Fatal(err)
		}
		if hits, _ := f.s.Search(ctx, auth.Actor{}, "تغییر رمز عبور", "fa", 5); len(hits) != 0 {
			t.Fatalf("hidden thread still found: %+v", hits)
		}
	})
}

func TestSpamScoreAndRateLimit(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		w := f.w
		f.trust(t, w.Alice)
		spam := f.ask(t, w.Alice, "Best deals", "Visit https://a.example and https://b.example and www.c.example for a casino bonus")
		if spam.Status != forum.Queued || spam.SpamScore < 5 {
			t.Fatalf("links and spam words: %s score %d", spam.Status, spam.SpamScore)
		}
		ok := f.ask(t, w.Alice, "Invoice question", "See https://docs.example/invoices — which field is the tax id?")
		if ok.Status != forum.Published {
			t.Fatalf("one link from a trusted member queued: score %d", ok.SpamScore)
		}
		again := f.ask(t, w.Alice, "Invoice question again", "See https://docs.example/invoices — which field is the tax id?")
		if again.Status != forum.Queued {
			t.Fatalf("the same text twice in a day is not queued: score %d", again.SpamScore)
		}
		f.s.RateLimit = 3
		_, err := f.s.CreatePost(ctx, w.Alice, forum.PostInput{TopicID: f.topic.ID, Title: "Fourth", Body: "fourth post"})
		wantInvalid(t, "fourth post in ten minutes", err, "rate_limited")
		w.Clock.Advance(11 * time.Minute)
		if _, err := f.s.CreatePost(ctx, w.Alice, forum.PostInput{TopicID: f.topic.ID, Title: "Later", Body: "later post"}); err != nil {
			t.Fatal(err)
		}
		// Bad input changes nothing.
		for _, in := range []forum.PostInput{{TopicID: f.topic.ID, Title: " ", Body: "x"}, {TopicID: f.topic.ID, Title: "x", Body: ""},
			{TopicID: 999, Title: "x", Body: "y"}, {TopicID: f.topic.ID, Title: "x", Body: "y", Kind: "poll"},
			{TopicID: f.topic.ID, Title: strings.Repeat("a", forum.MaxTitle+1), Body: "y"}, {TopicID: f.topic.ID, Title: "x", Body: "\xff"}} {
			if _, err := f.s.CreatePost(ctx, w.Agent, in); err == nil {
				t.Fatalf("accepted %+v", in)
			} else if _, ok := apperr.AsValidation(err); !ok {
				t.Fatalf("%+v: %v is not a validation error", in, err)
			}
		}
	})
}

func TestMarkdownIsSanitised(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		p := f.ask(t, f.w.Agent, "Formatting", "**bold** <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>")
		if !strings.Contains(p.BodyHTML, "<strong>bold</strong>") {
			t.Fatalf("markdown not rendered: %s", p.BodyHTML)
		}
		for _, bad := range []string{"<script", "javascript:", "onerror"} {
			if strings.Contains(p.BodyHTML, bad) {
				t.Fatalf("%q survived: %s", bad, p.BodyHTML)
			}
		}
	})
}

func TestViewsVotesAndReputation(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		w := f.w
		f.trust(t, w.Alice, w.Bob)
		p := f.ask(t, w.Alice, "Question", "Body")
		for _, v := range []string{"u1", "u1", "u1", "v:abc", "v:abc"} {
			if err := f.s.RecordView(ctx, p.ID, v); err != nil {
				t.Fatal(err)
			}
		}
		w.Clock.Advance(24 * time.Hour)
		_ = f.s.RecordView(ctx, p.ID, "u1")
		got, _ := f.s.GetPost(ctx, w.Bob, p.ID)
		if got.ViewCount != 3 {
			t.Fatalf("views = %d, want 3 (two visitors on day one, one on day two)", got.ViewCount)
		}
		wantInvalid(t, "vote on one's own post", f.s.Vote(ctx, w.Alice, "post", p.ID, 1), "own_content")
		x := f.answer(t, w.Bob, p.ID, "Answer")
		for _, v := range []int{1, 1, -1} {
			if err := f.s.Vote(ctx, w.Alice, "answer", x.ID, v); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.s.Vote(ctx, w.Carol, "answer", x.ID, 1); err != nil {
			t.Fatal(err)
		}
		x, _ = f.s.GetAnswer(ctx, w.Bob, x.ID)
		if x.VoteSum != 0 || x.VoteCount != 2 {
			t.Fatalf("votes: sum %d count %d, want 0 and 2", x.VoteSum, x.VoteCount)
		}
		if m, _ := f.s.GetMember(ctx, w.Bob, w.Bob.UserID); m.Reputation != 0 {
			t.Fatalf("reputation after +1 -1: %d", m.Reputation)
		}
		_ = f.s.Vote(ctx, w.Alice, "answer", x.ID, 0)
		if m, _ := f.s.GetMember(ctx, w.Bob, w.Bob.UserID); m.Reputation != forum.PointsVote {
			t.Fatalf("reputation after withdrawing a down vote: %d", m.Reputation)
		}
		wantInvalid(t, "vote 5", f.s.Vote(ctx, w.Alice, "answer", x.ID, 5), "invalid")
		// The specialist badge: awarded by staff.
		if err := f.s.SetSpecialist(ctx, w.Bob, w.Bob.UserID, true); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("a member awards himself: %v", err)
		}
		if err := f.s.SetSpecialist(ctx, w.Agent, w.Bob.UserID, true); err != nil {
			t.Fatal(err)
		}
		if x, _ = f.s.GetAnswer(ctx, w.Bob, x.ID); !x.Author.Specialist {
			t.Fatal("badge not shown on the answer")
		}
	})
}

func TestFollowersAreMailedAboutNewAnswers(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		w := f.w
		f.trust(t, w.Alice, w.Bob)
		p := f.ask(t, w.Alice, "Refund status", "When is my refund paid?")
		if err := f.s.Follow(ctx, w.Carol, p.ID, true); err != nil {
			t.Fatal(err)
		}
		x := f.answer(t, w.Bob, p.ID, "Within **five** working days.")
		f.answer(t, w.Carol, p.ID, "pending until approved") // Carol is new: queued, no mail
		for {
			j, err := f.q.Claim(ctx, forum.NotifyQueue, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if j == nil {
				break
			}
			if err := f.s.HandleNotifyJob(ctx, j); err != nil {
				t.Fatal(err)
			}
			_ = f.q.Complete(ctx, j)
		}
		to := map[string]bool{}
		for _, m := range f.mails.Messages() {
			to[m.To] = true
			if !strings.Contains(m.Subject, "Refund status") || !strings.Contains(m.Text, fmt.Sprintf("/community/posts/%d#answer-%d", p.ID, x.ID)) {
				t.Fatalf("mail: %+v", m)
			}
		}
		if len(to) != 2 || !to["alice@acme.test"] || !to["carol@acme.test"] {
			t.Fatalf("mailed %v, want the asker and Carol (not Bob, the answerer)", to)
		}
		got, _ := f.s.GetPost(ctx, w.Alice, p.ID)
		if got.FollowerCount != 2 || got.AnswerCount != 1 || got.FirstAnswerAt.IsZero() {
			t.Fatalf("counters: %+v", got)
		}
	})
}

// A topic's followers are mailed about each new post in it once it is
// published: at once for a trusted member, on approval for a queued one;
// never its author, never for another topic.
func TestTopicFollowersAreMailedAboutNewPosts(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		w := f.w
		f.trust(t, w.Alice)
		if err := f.s.FollowTopic(ctx, w.Carol, f.topic.ID, true); err != nil {
			t.Fatal(err)
		}
		if err := f.s.FollowTopic(ctx, w.Carol, f.topic.ID, true); err != nil { // twice is once
			t.Fatal(err)
		}
		if err := f.s.FollowTopic(ctx, w.Alice, f.topic.ID, true); err != nil {
			t.Fatal(err)
		}
		if err := f.s.FollowTopic(ctx, w.Carol, 999999, true); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("following an unknown topic: %v", err)
		}
		other, err := f.s.CreateTopic(ctx, w.Agent, forum.TopicInput{Name: "Other"})
		if err != nil {
			t.Fatal(err)
		}
		f.ask(t, w.Alice, "Tracking page empty", "It shows nothing since Monday.")
		queued := f.ask(t, w.Bob, "Courier lost my parcel", "No news for ten days.") // Bob is new: queued
		if _, err := f.s.CreatePost(ctx, w.Alice, forum.PostInput{TopicID: other.ID, Title: "Elsewhere", Body: "Not in the followed topic."}); err != nil {
			t.Fatal(err)
		}
		drain := func() map[string][]string {
			t.Helper()
			for {
				j, err := f.q.Claim(ctx, forum.NotifyQueue, time.Minute)
				if err != nil {
					t.Fatal(err)
				}
				if j == nil {
					break
				}
				if err := f.s.HandleNotifyJob(ctx, j); err != nil {
					t.Fatal(err)
				}
				_ = f.q.Complete(ctx, j)
			}
			got := map[string][]string{}
			for _, m := range f.mails.Messages() {
				got[m.To] = append(got[m.To], m.Subject)
			}
			return got
		}
		got := drain()
		if len(got) != 1 || len(got["carol@acme.test"]) != 1 || !strings.Contains(got["carol@acme.test"][0], "Tracking page empty") {
			t.Fatalf("mailed %v, want Carol about Alice's published post only", got)
		}
		if err := f.s.Moderate(ctx, w.Agent, "post", queued.ID, forum.ActApprove, ""); err != nil {
			t.Fatal(err)
		}
		got = drain()
		if len(got["carol@acme.test"]) != 2 || !strings.Contains(got["carol@acme.test"][1], "Courier lost my parcel") {
			t.Fatalf("after approval Carol got %v", got["carol@acme.test"])
		}
		if len(got["alice@acme.test"]) != 1 {
			t.Fatalf("Alice (a follower) is mailed about Bob's post, not her own: %v", got["alice@acme.test"])
		}
		if err := f.s.FollowTopic(ctx, w.Carol, f.topic.ID, false); err != nil || f.s.FollowingTopic(ctx, w.Carol, f.topic.ID) {
			t.Fatalf("unfollow: %v", err)
		}
	})
}

func TestReportsMergeTicketsAndPromotion(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		w := f.w
		f.trust(t, w.Alice, w.Bob, w.Carol)
		p := f.ask(t, w.Bob, "Rude post", "You are all idiots")
		for _, a := range []auth.Actor{w.Alice, w.Alice, w.Carol} {
			if err := f.s.Report(ctx, a, "post", p.ID, "abusive"); err != nil {
				t.Fatal(err)
			}
		}
		if got, _ := f.s.GetPost(ctx, w.Agent, p.ID); got.Status != forum.Published {
			t.Fatalf("two reporters queued it: %s", got.Status)
		}
		if err := f.s.Report(ctx, w.Agent, "post", p.ID, "abusive"); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.s.GetPost(ctx, w.Agent, p.ID); got.Status != forum.Queued {
			t.Fatalf("three reporters: %s, want queued", got.Status)
		}
		rs, err := f.s.Reports(ctx, w.Agent)
		if err != nil || len(rs) != 3 {
			t.Fatalf("reports: %+v %v", rs, err)
		}
		// Deleting the post closes its reports; only its author or a moderator deletes.
		if err := f.s.DeletePost(ctx, w.Alice, p.ID); !errors.Is(err, apperr.ErrNotFound) && !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("a reporter deletes the post: %v", err)
		}
		if err := f.s.DeletePost(ctx, w.Agent, p.ID); err != nil {
			t.Fatal(err)
		}
		if rs, _ := f.s.Reports(ctx, w.Agent); len(rs) != 0 {
			t.Fatalf("reports of a deleted post: %+v", rs)
		}
		// Merge a duplicate: answers and followers move.
		a := f.ask(t, w.Alice, "Track my parcel", "How?")
		b := f.ask(t, w.Carol, "Tracking a parcel", "Where?")
		bx := f.answer(t, w.Bob, b.ID, "Use the tracking page.")
		if err := f.s.Merge(ctx, w.Alice, b.ID, a.ID); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("a customer merges: %v", err)
		}
		if err := f.s.Merge(ctx, w.Agent, b.ID, a.ID); err != nil {
			t.Fatal(err)
		}
		as, _ := f.s.ListAnswers(ctx, w.Alice, a.ID)
		if len(as) != 1 || as[0].ID != bx.ID {
			t.Fatalf("answers after merge: %+v", as)
		}
		if _, err := f.s.GetPost(ctx, w.Carol, b.ID); !errors.Is(err, apperr.ErrNotFound) || f.s.MergedInto(ctx, b.ID) != a.ID {
			t.Fatalf("merged post: %v", err)
		}
		if !f.s.Following(ctx, w.Carol, a.ID) {
			t.Fatal("Carol does not follow the merged thread")
		}
		// An agent turns a post into a ticket for its author.
		if _, err := f.s.ToTicket(ctx, w.Alice, a.ID); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("a customer makes a ticket: %v", err)
		}
		tid, err := f.s.ToTicket(ctx, w.Agent, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		tk, err := w.Tickets.Get(ctx, w.Agent, tid)
		if err != nil || tk.RequesterID != w.Alice.UserID || tk.Subject != "Track my parcel" {
			t.Fatalf("ticket: %+v %v", tk, err)
		}
		if again, _ := f.s.ToTicket(ctx, w.Agent, a.ID); again != tid {
			t.Fatalf("second ticket %d for the same post", again)
		}
		// And back: the agent answers the community from the ticket.
		if _, err := f.s.ReplyFromTicket(ctx, w.Alice, tid, "x"); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("a customer replies from a ticket: %v", err)
		}
		if _, err := f.s.ReplyFromTicket(ctx, w.Restricted, tid, "x"); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("an agent who cannot see the ticket replies from it: %v", err)
		}
		official, err := f.s.ReplyFromTicket(ctx, w.Agent, tid, "We fixed the tracking page; it shows your parcel now.")
		if err != nil || official.PostID != a.ID || !official.Official || official.Status != forum.Published {
			t.Fatalf("reply from ticket: %+v %v", official, err)
		}
		// Promote a solved thread into a KB draft with attribution.
		cat, _ := f.kb.CreateCategory(ctx, w.Agent, kb.CategoryInput{Locale: "en", Name: "Shipping"})
		sec, _ := f.kb.CreateSection(ctx, w.Agent, kb.SectionInput{CategoryID: cat.ID, Locale: "en", Name: "Tracking"})
		_, err = f.s.PromoteToKB(ctx, w.Agent, a.ID, sec.ID)
		wantInvalid(t, "promote an unsolved thread", err, "not_solved")
		if _, err := f.s.Accept(ctx, w.Alice, a.ID, bx.ID); err != nil {
			t.Fatal(err)
		}
		artID, err := f.s.PromoteToKB(ctx, w.Agent, a.ID, sec.ID)
		if err != nil {
			t.Fatal(err)
		}
		art, err := f.kb.GetArticle(ctx, w.Agent, artID, "en")
		if err != nil || !art.Translation.Draft || !strings.Contains(art.Translation.BodyMD, "asked by Alice, answered by Bob") {
			t.Fatalf("article: %+v %v", art.Translation, err)
		}
		if _, err := f.kb.GetArticle(ctx, w.Alice, artID, "en"); err == nil {
			t.Fatal("customers read the draft")
		}
	})
}

func TestKeysetPaginationWalksEveryPostOnce(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		for i := range 45 {
			f.ask(t, f.w.Agent, fmt.Sprintf("Post %d", i), "body")
		}
		seen := map[int64]bool{}
		var before int64
		pages := 0
		for {
			ps, more, err := f.s.ListPosts(ctx, auth.Actor{}, forum.ListQuery{Before: before, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, p := range ps {
				if seen[p.ID] || (before != 0 && p.ID >= before) {
					t.Fatalf("post %d twice or out of order", p.ID)
				}
				seen[p.ID] = true
			}
			if !more {
				break
			}
			before = ps[len(ps)-1].ID
		}
		if len(seen) != 45 || pages != 5 {
			t.Fatalf("saw %d posts on %d pages", len(seen), pages)
		}
		if _, _, err := f.s.ListPosts(ctx, auth.Actor{}, forum.ListQuery{Limit: 101}); err == nil {
			t.Fatal("page of 101 accepted")
		}
	})
}

func TestMetricsAndCandidates(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		w := f.w
		f.trust(t, w.Alice, w.Bob, w.Carol)
		start := w.Clock.Now()
		q1 := f.ask(t, w.Alice, "Cannot reset password", "help")
		w.Clock.Advance(10 * time.Minute)
		x := f.answer(t, w.Bob, q1.ID, "Use the link.")
		w.Clock.Advance(50 * time.Minute)
		if _, err := f.s.Accept(ctx, w.Alice, q1.ID, x.ID); err != nil {
			t.Fatal(err)
		}
		f.ask(t, w.Carol, "Password reset not working", "I tried twice")
		f.ask(t, w.Bob, "Reset password link broken", "The link expires") // a cluster of three
		f.ask(t, w.Carol, "Change delivery address", "Moved house")
		m, err := f.s.Metrics(ctx, w.Agent, start, w.Clock.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if m.Questions != 4 || m.Answered != 1 || m.Solved != 1 || m.MedianFirstAnswer != 10*time.Minute || m.MedianToSolution != time.Hour {
			t.Fatalf("metrics: %+v", m)
		}
		for range 2 { // once per visitor and day
			if err := f.s.RecordDeflection(ctx, w.Carol, q1.ID, "forum", "u3"); err != nil {
				t.Fatal(err)
			}
		}
		if m, _ = f.s.Metrics(ctx, w.Agent, start, w.Clock.Now().Add(time.Hour)); m.Deflections != 1 {
			t.Fatalf("deflections = %d", m.Deflections)
		}
		if _, err := f.s.Metrics(ctx, w.Alice, start, w.Clock.Now()); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("a customer reads metrics: %v", err)
		}
		cs, err := f.s.KBCandidates(ctx, w.Agent, 10)
		if err != nil || len(cs) != 1 || cs[0].Count != 3 || cs[0].Solved != 1 {
			t.Fatalf("candidates: %+v %v", cs, err)
		}
	})
}
