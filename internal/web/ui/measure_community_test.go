package ui_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"layan/internal/auth"
	"layan/internal/blob"
	"layan/internal/db"
	"layan/internal/directory"
	"layan/internal/forum"
	"layan/internal/kpi"
	"layan/internal/survey"
	"layan/internal/testkit"
	"layan/internal/web"
	"layan/internal/web/ui"
)

// The dashboard shows the community's figures beside the help desk's, to
// staff, in the viewer's language.
func TestDashboardShowsTheCommunity(t *testing.T) {
	d := testkit.NewDB(t, db.SQLite)
	w := testkit.NewWorld(t, d)
	blobs, err := blob.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	fs := forum.NewService(d, w.Clock.Now, testkit.QuietLogger())
	pages := ui.New(ui.Deps{Dir: w.Dir, Tickets: w.Tickets, Bus: w.Bus, Blobs: blobs, Now: w.Clock.Now, Log: testkit.QuietLogger(),
		MaxUploadBytes: 1 << 20, Forum: fs, KPI: kpi.NewService(d, w.Clock.Now, testkit.QuietLogger()),
		Surveys: survey.NewService(d, w.Tickets, survey.DefaultConfig(), w.Clock.Now, testkit.QuietLogger())})
	h := web.New(web.Deps{DB: d, Dir: w.Dir, Tickets: w.Tickets, Blobs: blobs, Log: testkit.QuietLogger(),
		Now: w.Clock.Now, MaxBodyBytes: 1 << 20, MaxUploadBytes: 1 << 20, Pages: pages})
	e := &env{t: t, w: w, pages: pages, h: h}
	ctx := context.Background()
	topic, err := fs.CreateTopic(ctx, w.Agent, forum.TopicInput{Name: "Pengiriman"})
	if err != nil {
		t.Fatal(err)
	}
	_ = fs.SetTrusted(ctx, w.Agent, w.Alice.UserID, true)
	_ = fs.SetTrusted(ctx, w.Agent, w.Bob.UserID, true)
	for title, body := range map[string]string{"Paket belum sampai": "Sudah seminggu, nomor resi JNE-1.", "Cara ganti alamat?": "Saya pindah rumah bulan ini."} {
		p, err := fs.CreatePost(ctx, w.Alice, forum.PostInput{TopicID: topic.ID, Title: title, Body: body})
		if err != nil {
			t.Fatal(err)
		}
		if title == "Paket belum sampai" {
			w.Clock.Advance(2 * time.Hour)
			if _, err := fs.AddAnswer(ctx, w.Bob, p.ID, forum.AnswerInput{Body: "Cek halaman pelacakan."}); err != nil {
				t.Fatal(err)
			}
		}
	}
	w.Clock.Advance(24 * time.Hour) // the default period ends with yesterday
	body := e.get(e.login(w.Admin), "/agent/dashboard").Body.String()
	wantContains(t, body, `id="community-h"`, `data-kpi="community_questions"`, "Questions asked", "50")
	i := strings.Index(body, `data-kpi="community_questions"`)
	if !strings.Contains(body[i:i+300], ">2<") {
		t.Fatalf("questions asked is not 2: %s", body[i:i+300])
	}
	fa := "fa"
	if _, err := w.Dir.UpdateUser(ctx, auth.SystemActor(), w.Admin.UserID, directory.UserPatch{Locale: &fa}); err != nil {
		t.Fatal(err)
	}
	admin, _ := w.Dir.ActorFor(ctx, w.Admin.UserID)
	rec := e.get(e.login(admin), "/agent/dashboard")
	wantStatus(t, rec, http.StatusOK)
	wantContains(t, rec.Body.String(), `dir="rtl"`, "پرسش‌های مطرح‌شده")
}
