package forum

import (
	"context"

	"layan/internal/auth"
)

// SeedDemo fills an empty community for the demo workspace: three topics
// and a solved Indonesian question (found by the search and the chatbot),
// written by the demo's people when they exist.
func (s *Service) SeedDemo(ctx context.Context) error {
	sys := auth.SystemActor()
	if ts, err := s.ListTopics(ctx, sys); err != nil || len(ts) > 0 {
		return err
	}
	var first Topic
	for i, name := range []string{"Pesanan & pengiriman", "Orders & billing", "حساب کاربری و پرداخت"} {
		t, err := s.CreateTopic(ctx, sys, TopicInput{Name: name})
		if err != nil {
			return err
		}
		if i == 0 {
			first = t
		}
	}
	actor := func(email string) (auth.Actor, bool) {
		var a auth.Actor
		err := s.db.R.QueryRowContext(ctx, `SELECT id, name, role, locale FROM users WHERE email = $1`, email).
			Scan(&a.UserID, &a.Name, &a.Role, &a.Locale)
		return a, err == nil
	}
	budi, ok1 := actor("budi@nusantara.example")
	sari, ok2 := actor("sari@layan.local")
	if !ok1 || !ok2 {
		return nil
	}
	if err := s.SetTrusted(ctx, sys, budi.UserID, true); err != nil {
		return err
	}
	p, err := s.CreatePost(ctx, budi, PostInput{TopicID: first.ID, Title: "Bagaimana cara melacak paket saya?",
		Body: "Pesanan saya sudah dikirim tiga hari lalu. Di mana saya bisa melihat posisi paketnya?"})
	if err != nil {
		return err
	}
	x, err := s.AddAnswer(ctx, sari, p.ID, AnswerInput{Body: "Buka **Pesanan saya**, pilih pesanannya, lalu klik *Lacak paket*. " +
		"Nomor resi juga dikirim lewat email saat paket berangkat."})
	if err != nil {
		return err
	}
	_, err = s.Accept(ctx, budi, p.ID, x.ID)
	return err
}
