package directory_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/directory"
	"layan/internal/testkit"
)

var ctx = context.Background()

func wantInvalidToken(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, directory.ErrInvalidToken) {
		t.Fatalf("%s: got %v, want ErrInvalidToken", what, err)
	}
	if v, ok := apperr.AsValidation(err); !ok || v.Field != "token" || v.Key != "invalid_token" {
		t.Fatalf("%s: ErrInvalidToken is not a token validation error: %#v", what, err)
	}
}

func wantField(t *testing.T, err error, field, key string) {
	t.Helper()
	v, ok := apperr.AsValidation(err)
	if !ok || v.Field != field || (key != "" && v.Key != key) {
		t.Fatalf("got %v, want validation error %s/%s", err, field, key)
	}
}

func wantBadCredentials(t *testing.T, w *testkit.World, email, password string) {
	t.Helper()
	if _, err := w.Dir.Authenticate(ctx, email, password); !errors.Is(err, directory.ErrBadCredentials) {
		t.Fatalf("Authenticate(%s): got %v, want ErrBadCredentials", email, err)
	}
}

func wantSignIn(t *testing.T, w *testkit.World, email, password string) directory.User {
	t.Helper()
	u, err := w.Dir.Authenticate(ctx, email, password)
	if err != nil {
		t.Fatalf("Authenticate(%s): %v", email, err)
	}
	return u
}

func countTokens(t *testing.T, d *db.DB, userID int64) int {
	t.Helper()
	var n int
	if err := d.R.QueryRow(`SELECT count(*) FROM account_tokens WHERE user_id = $1`, userID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSignUpVerifyAndSignIn(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := testkit.NewWorld(t, d)
		u, token, err := w.Dir.SignUp(ctx, directory.SignUpInput{Name: "  Dewi  ", Email: " Dewi@Example.TEST ",
			Password: "kata-sandi-rahasia", Locale: "id-ID"})
		if err != nil {
			t.Fatal(err)
		}
		if token == "" || u.ID == 0 || u.Verified || !u.HasPassword || u.Role != auth.RoleEndUser ||
			u.Email != "dewi@example.test" || u.Name != "Dewi" || u.Locale != "id" {
			t.Fatalf("signed up %+v token %q", u, token)
		}
		// Only the digest is stored.
		var digest string
		if err := d.R.QueryRow(`SELECT digest FROM account_tokens WHERE user_id = $1`, u.ID).Scan(&digest); err != nil {
			t.Fatal(err)
		}
		if digest == token || digest != auth.Digest(token) {
			t.Fatalf("stored %q for token %q", digest, token)
		}

		wantBadCredentials(t, w, "dewi@example.test", "kata-sandi-rahasia") // not verified yet

		// Peeking does not use the link; a reset link is not a verify link.
		if got, err := w.Dir.CheckAccountToken(ctx, directory.PurposeVerifyEmail, token); err != nil || got.ID != u.ID {
			t.Fatalf("CheckAccountToken: %+v %v", got, err)
		}
		_, err = w.Dir.CheckAccountToken(ctx, directory.PurposeResetPassword, token)
		wantInvalidToken(t, "verify token as reset", err)
		_, err = w.Dir.ResetPassword(ctx, token, "another-password")
		wantInvalidToken(t, "verify token used for reset", err)

		v, err := w.Dir.VerifyEmail(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		if !v.Verified || v.ID != u.ID || v.Name != "Dewi" || v.Locale != "id" {
			t.Fatalf("verified %+v", v)
		}
		wantSignIn(t, w, "dewi@example.test", "kata-sandi-rahasia")
		wantBadCredentials(t, w, "dewi@example.test", "wrong-password")

		_, err = w.Dir.VerifyEmail(ctx, token)
		wantInvalidToken(t, "reused token", err)
		_, err = w.Dir.CheckAccountToken(ctx, directory.PurposeVerifyEmail, token)
		wantInvalidToken(t, "peek at used token", err)

		// Signing up again with a registered, verified address.
		again, tok, err := w.Dir.SignUp(ctx, directory.SignUpInput{Name: "Mallory", Email: "dewi@example.test", Password: "mallory-password"})
		if !errors.Is(err, directory.ErrAlreadyRegistered) || tok != "" || again.ID != u.ID {
			t.Fatalf("second sign-up: %+v %q %v", again, tok, err)
		}
		wantSignIn(t, w, "dewi@example.test", "kata-sandi-rahasia")
	})
}

func TestSignUpJoinsOrganisationByDomain(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := testkit.NewWorld(t, d)
		u, _, err := w.Dir.SignUp(ctx, directory.SignUpInput{Name: "Eve", Email: "eve@acme.test", Password: "eve-password"})
		if err != nil {
			t.Fatal(err)
		}
		if u.OrganizationID != w.Acme.ID || u.Locale != "en" {
			t.Fatalf("organization %d locale %q, want %d en", u.OrganizationID, u.Locale, w.Acme.ID)
		}
	})
}

func TestSignUpValidation(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := testkit.NewWorld(t, d)
		long := make([]byte, 1100)
		for i := range long {
			long[i] = 'x'
		}
		for _, c := range []struct {
			in         directory.SignUpInput
			field, key string
		}{
			{directory.SignUpInput{Email: "a@example.test", Password: "password1"}, "name", "required"},
			{directory.SignUpInput{Name: "A", Password: "password1"}, "email", "required"},
			{directory.SignUpInput{Name: "A", Email: "not an email", Password: "password1"}, "email", "invalid_email"},
			{directory.SignUpInput{Name: "A", Email: "a@example.test", Password: "short"}, "password", "too_short"},
			{directory.SignUpInput{Name: "A", Email: "a@example.test", Password: string(long)}, "password", "too_long"},
			{directory.SignUpInput{Name: "A", Email: "a@example.test", Password: "password1", Locale: "de"}, "locale", "invalid_locale"},
		} {
			u, tok, err := w.Dir.SignUp(ctx, c.in)
			wantField(t, err, c.field, c.key)
			if u.ID != 0 || tok != "" {
				t.Fatalf("failed sign-up returned %+v %q", u, tok)
			}
		}
		// Validation runs the same whether the address exists or not.
		_, _, err := w.Dir.SignUp(ctx, directory.SignUpInput{Name: "A", Email: "agent@layan.test", Password: "short"})
		wantField(t, err, "password", "too_short")
		var n int
		if err := d.R.QueryRow(`SELECT count(*) FROM account_tokens`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("%d tokens after failed sign-ups (%v)", n, err)
		}
	})
}

func TestSignUpDoesNotClaimStaffOrSuspended(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := testkit.NewWorld(t, d)
		for _, email := range []string{"agent@layan.test", "ADMIN@layan.test"} {
			_, tok, err := w.Dir.SignUp(ctx, directory.SignUpInput{Name: "X", Email: email, Password: "attacker-password"})
			if !errors.Is(err, directory.ErrAlreadyRegistered) || tok != "" {
				t.Fatalf("%s: %q %v", email, tok, err)
			}
		}
		if _, err := w.Dir.UpdateUser(ctx, auth.SystemActor(), w.Bob.UserID, directory.UserPatch{Suspended: testkit.Ptr(true)}); err != nil {
			t.Fatal(err)
		}
		if _, tok, err := w.Dir.SignUp(ctx, directory.SignUpInput{Name: "Bob", Email: "bob@example.test", Password: "new-password"}); !errors.Is(err, directory.ErrAlreadyRegistered) || tok != "" {
			t.Fatalf("suspended: %q %v", tok, err)
		}
		// Staff created without the verified flag (the test world) still sign in.
		wantSignIn(t, w, "agent@layan.test", "password-Agent")
	})
}

func TestVerifyEmailExpiresAfter48Hours(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := testkit.NewWorld(t, d)
		_, early, err := w.Dir.SignUp(ctx, directory.SignUpInput{Name: "Early", Email: "early@example.test", Password: "password-early"})
		if err != nil {
			t.Fatal(err)
		}
		_, late, err := w.Dir.SignUp(ctx, directory.SignUpInput{Name: "Late", Email: "late@example.test", Password: "password-late"})
		if err != nil {
			t.Fatal(err)
		}
		w.Clock.Advance(directory.VerifyEmailTTL - time.Millisecond)
		if _, err := w.Dir.VerifyEmail(ctx, early); err != nil {
			t.Fatalf("just before expiry: %v", err)
		}
		w.Clock.Advance(time.Millisecond)
		_, err = w.Dir.VerifyEmail(ctx, late)
		wantInvalidToken(t, "expired token", err)
		_, err = w.Dir.CheckAccountToken(ctx, directory.PurposeVerifyEmail, late)
		wantInvalidToken(t, "peek at expired token", err)
		wantBadCredentials(t, w, "late@example.test", "password-late")

		// A fresh sign-up sends a new link that works.
		u, fresh, err := w.Dir.SignUp(ctx, directory.SignUpInput{Name: "Late", Email: "late@example.test", Password: "password-late"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Dir.VerifyEmail(ctx, fresh); err != nil {
			t.Fatal(err)
		}
		wantSignIn(t, w, "late@example.test", "password-late")

		n, err := w.Dir.PurgeAccountTokens(ctx)
		if err != nil || n != 2 {
			t.Fatalf("purged %d (%v), want the two links of the first day", n, err)
		}
		if c := countTokens(t, d, u.ID); c != 1 {
			t.Fatalf("%d tokens left for late, want the used fresh one", c)
		}
	})
}

func TestWrongTokensFail(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := testkit.NewWorld(t, d)
		_, token, err := w.Dir.SignUp(ctx, directory.SignUpInput{Name: "Fay", Email: "fay@example.test", Password: "password-fay"})
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"", "short", auth.NewSecret(), token + "x", token[:len(token)-1], "../../etc/passwd" + token, token + "\x00"} {
			_, err := w.Dir.VerifyEmail(ctx, bad)
			wantInvalidToken(t, "verify "+bad, err)
			_, err = w.Dir.ResetPassword(ctx, bad, "new-password-123")
			wantInvalidToken(t, "reset "+bad, err)
		}
		_, err = w.Dir.CheckAccountToken(ctx, "admin", token)
		wantInvalidToken(t, "unknown purpose", err)
		if _, err := w.Dir.VerifyEmail(ctx, token); err != nil {
			t.Fatalf("the right token after wrong ones: %v", err)
		}
	})
}

func TestVerifyIsSingleUseUnderRace(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := testkit.NewWorld(t, d)
		_, token, err := w.Dir.SignUp(ctx, directory.SignUpInput{Name: "Gil", Email: "gil@example.test", Password: "password-gil"})
		if err != nil {
			t.Fatal(err)
		}
		const n = 8
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = w.Dir.VerifyEmail(ctx, token)
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, directory.ErrInvalidToken):
				t.Fatalf("unexpected error: %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d of %d concurrent uses succeeded, want 1", ok, n)
		}
	})
}

func TestClaimPasswordlessCustomerOnlyAfterVerification(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := testkit.NewWorld(t, d)
		// A customer who wrote in by email: no password, not verified.
		orig, err := w.Dir.FindOrCreateCustomer(ctx, "hana@example.test", "hana from email", "fa")
		if err != nil {
			t.Fatal(err)
		}
		if orig.HasPassword || orig.Verified {
			t.Fatalf("email customer %+v", orig)
		}
		sess, err := w.Dir.CreateSession(ctx, orig.ID)
		if err != nil {
			t.Fatal(err)
		}

		// Someone who cannot read Hana's mail signs up with her address.
		_, attacker, err := w.Dir.SignUp(ctx, directory.SignUpInput{Name: "Not Hana", Email: "hana@example.test", Password: "attacker-password"})
		if err != nil {
			t.Fatal(err)
		}
		// Hana signs up herself.
		claimed, token, err := w.Dir.SignUp(ctx, directory.SignUpInput{Name: "Hana Rahimi", Email: "Hana@example.test", Password: "hana-password", Locale: "en"})
		if err != nil {
			t.Fatal(err)
		}
		if claimed.ID != orig.ID || token == "" || token == attacker {
			t.Fatalf("claim returned %+v %q", claimed, token)
		}
		// Nothing changed before the link is used.
		now, err := w.Dir.GetUser(ctx, auth.SystemActor(), orig.ID)
		if err != nil {
			t.Fatal(err)
		}
		if now.Name != "hana from email" || now.Locale != "fa" || now.HasPassword || now.Verified || !now.UpdatedAt.Equal(orig.UpdatedAt) {
			t.Fatalf("claim changed the user before verification: %+v", now)
		}
		wantBadCredentials(t, w, "hana@example.test", "hana-password")
		wantBadCredentials(t, w, "hana@example.test", "attacker-password")
		if _, _, err := w.Dir.ActorForSession(ctx, sess.Secret); err != nil {
			t.Fatalf("claim ended a session before verification: %v", err)
		}

		v, err := w.Dir.VerifyEmail(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		if v.ID != orig.ID || !v.Verified || !v.HasPassword || v.Name != "Hana Rahimi" || v.Locale != "en" {
			t.Fatalf("after verification %+v", v)
		}
		wantSignIn(t, w, "hana@example.test", "hana-password")
		wantBadCredentials(t, w, "hana@example.test", "attacker-password")
		// The other pending claim died with the used link.
		_, err = w.Dir.VerifyEmail(ctx, attacker)
		wantInvalidToken(t, "competing claim", err)
		wantSignIn(t, w, "hana@example.test", "hana-password")
		// Setting a password ended the older session.
		if _, _, err := w.Dir.ActorForSession(ctx, sess.Secret); !errors.Is(err, apperr.ErrUnauthorized) {
			t.Fatalf("session survived the claim: %v", err)
		}
		// Now the account is no longer claimable.
		if _, _, err := w.Dir.SignUp(ctx, directory.SignUpInput{Name: "X", Email: "hana@example.test", Password: "yet-another-1"}); !errors.Is(err, directory.ErrAlreadyRegistered) {
			t.Fatalf("claimed account claimable again: %v", err)
		}
	})
}

func TestClaimWithoutLocaleKeepsUserLocale(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := testkit.NewWorld(t, d)
		orig, err := w.Dir.FindOrCreateCustomer(ctx, "ida@example.test", "Ida", "id")
		if err != nil {
			t.Fatal(err)
		}
		_, token, err := w.Dir.SignUp(ctx, directory.SignUpInput{Name: "Ida Ayu", Email: "ida@example.test", Password: "password-ida"})
		if err != nil {
			t.Fatal(err)
		}
		v, err := w.Dir.VerifyEmail(ctx, token)
		if err != nil || v.ID != orig.ID || v.Locale != "id" || v.Name != "Ida Ayu" {
			t.Fatalf("%+v %v", v, err)
		}
	})
}

func TestLinkDiesWhenAddressChanges(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := testkit.NewWorld(t, d)
		u, token, err := w.Dir.SignUp(ctx, directory.SignUpInput{Name: "Jo", Email: "jo@example.test", Password: "password-jo"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Dir.UpdateUser(ctx, w.Agent, u.ID, directory.UserPatch{Email: testkit.Ptr("jo.new@example.test")}); err != nil {
			t.Fatal(err)
		}
		_, err = w.Dir.VerifyEmail(ctx, token)
		wantInvalidToken(t, "verify after address change", err)

		reset, _, ok, err := w.Dir.RequestPasswordReset(ctx, "jo.new@example.test")
		if err != nil || !ok {
			t.Fatal(ok, err)
		}
		if _, err := w.Dir.UpdateUser(ctx, w.Agent, u.ID, directory.UserPatch{Email: testkit.Ptr("jo.third@example.test")}); err != nil {
			t.Fatal(err)
		}
		_, err = w.Dir.ResetPassword(ctx, reset, "new-password-jo")
		wantInvalidToken(t, "reset after address change", err)
	})
}

func TestPasswordReset(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := testkit.NewWorld(t, d)
		// Kim is a verified customer with two browsers signed in.
		kim, token, err := w.Dir.SignUp(ctx, directory.SignUpInput{Name: "Kim", Email: "kim@example.test", Password: "old-password"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Dir.VerifyEmail(ctx, token); err != nil {
			t.Fatal(err)
		}
		var sessions []directory.Session
		for range 2 {
			s, err := w.Dir.CreateSession(ctx, kim.ID)
			if err != nil {
				t.Fatal(err)
			}
			sessions = append(sessions, s)
		}
		other, err := w.Dir.CreateSession(ctx, w.Bob.UserID)
		if err != nil {
			t.Fatal(err)
		}

		// Unknown addresses: no error, no link, nothing written.
		for _, e := range []string{"nobody@example.test", "NOBODY@example.test"} {
			tok, u, ok, err := w.Dir.RequestPasswordReset(ctx, e)
			if err != nil || ok || tok != "" || u.ID != 0 {
				t.Fatalf("unknown address: %q %+v %v %v", tok, u, ok, err)
			}
		}
		_, _, _, err = w.Dir.RequestPasswordReset(ctx, "not an address")
		wantField(t, err, "email", "invalid_email")
		_, _, _, err = w.Dir.RequestPasswordReset(ctx, " ")
		wantField(t, err, "email", "required")

		first, u, ok, err := w.Dir.RequestPasswordReset(ctx, " KIM@example.test")
		if err != nil || !ok || first == "" || u.ID != kim.ID || u.Email != "kim@example.test" {
			t.Fatalf("reset request: %q %+v %v %v", first, u, ok, err)
		}
		second, _, ok, err := w.Dir.RequestPasswordReset(ctx, "kim@example.test")
		if err != nil || !ok || second == first {
			t.Fatal(ok, err)
		}
		_, err = w.Dir.ResetPassword(ctx, first, "first-new-password")
		wantInvalidToken(t, "superseded reset link", err)

		// A weak password is a field error and leaves the link usable.
		_, err = w.Dir.ResetPassword(ctx, second, "short")
		wantField(t, err, "password", "too_short")
		if _, err := w.Dir.CheckAccountToken(ctx, directory.PurposeResetPassword, second); err != nil {
			t.Fatalf("link used up by a rejected password: %v", err)
		}
		// It cannot verify an address either.
		_, err = w.Dir.VerifyEmail(ctx, second)
		wantInvalidToken(t, "reset token as verify", err)

		got, err := w.Dir.ResetPassword(ctx, second, "brand-new-password")
		if err != nil || got.ID != kim.ID {
			t.Fatalf("reset: %+v %v", got, err)
		}
		for _, s := range sessions {
			if _, _, err := w.Dir.ActorForSession(ctx, s.Secret); !errors.Is(err, apperr.ErrUnauthorized) {
				t.Fatalf("session survived the reset: %v", err)
			}
		}
		if _, _, err := w.Dir.ActorForSession(ctx, other.Secret); err != nil {
			t.Fatalf("another user's session ended: %v", err)
		}
		wantBadCredentials(t, w, "kim@example.test", "old-password")
		wantSignIn(t, w, "kim@example.test", "brand-new-password")

		_, err = w.Dir.ResetPassword(ctx, second, "third-new-password")
		wantInvalidToken(t, "reused reset link", err)
		wantSignIn(t, w, "kim@example.test", "brand-new-password")
	})
}

func TestPasswordResetExpiresAfterOneHour(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := testkit.NewWorld(t, d)
		tok, _, ok, err := w.Dir.RequestPasswordReset(ctx, "agent@layan.test")
		if err != nil || !ok {
			t.Fatal(ok, err)
		}
		w.Clock.Advance(directory.ResetPasswordTTL)
		_, err = w.Dir.ResetPassword(ctx, tok, "agent-new-password")
		wantInvalidToken(t, "expired reset link", err)
		wantSignIn(t, w, "agent@layan.test", "password-Agent")

		tok, _, _, err = w.Dir.RequestPasswordReset(ctx, "agent@layan.test")
		if err != nil {
			t.Fatal(err)
		}
		w.Clock.Advance(directory.ResetPasswordTTL - time.Millisecond)
		if _, err := w.Dir.ResetPassword(ctx, tok, "agent-new-password"); err != nil {
			t.Fatalf("just before expiry: %v", err)
		}
		wantSignIn(t, w, "agent@layan.test", "agent-new-password")
	})
}

func TestPasswordResetVerifiesAndKillsPendingClaims(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := testkit.NewWorld(t, d)
		// Lia wrote in by email; someone tries to claim her address.
		lia, err := w.Dir.FindOrCreateCustomer(ctx, "lia@example.test", "Lia", "en")
		if err != nil {
			t.Fatal(err)
		}
		_, claim, err := w.Dir.SignUp(ctx, directory.SignUpInput{Name: "Not Lia", Email: "lia@example.test", Password: "attacker-password"})
		if err != nil {
			t.Fatal(err)
		}
		// Lia uses "forgot password" instead.
		tok, _, ok, err := w.Dir.RequestPasswordReset(ctx, "lia@example.test")
		if err != nil || !ok {
			t.Fatal(ok, err)
		}
		u, err := w.Dir.ResetPassword(ctx, tok, "lia-password")
		if err != nil {
			t.Fatal(err)
		}
		if !u.Verified || !u.HasPassword || u.Name != "Lia" || u.ID != lia.ID {
			t.Fatalf("after reset %+v", u)
		}
		wantSignIn(t, w, "lia@example.test", "lia-password")
		_, err = w.Dir.VerifyEmail(ctx, claim)
		wantInvalidToken(t, "claim after reset", err)
		wantSignIn(t, w, "lia@example.test", "lia-password")
	})
}

func TestNoResetForSuspendedUsers(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := testkit.NewWorld(t, d)
		tok, _, ok, err := w.Dir.RequestPasswordReset(ctx, "bob@example.test")
		if err != nil || !ok {
			t.Fatal(ok, err)
		}
		if _, err := w.Dir.UpdateUser(ctx, auth.SystemActor(), w.Bob.UserID, directory.UserPatch{Suspended: testkit.Ptr(true)}); err != nil {
			t.Fatal(err)
		}
		_, err = w.Dir.ResetPassword(ctx, tok, "bob-new-password")
		wantInvalidToken(t, "reset of suspended user", err)
		tok, _, ok, err = w.Dir.RequestPasswordReset(ctx, "bob@example.test")
		if err != nil || ok || tok != "" {
			t.Fatalf("suspended user got a link: %q %v %v", tok, ok, err)
		}
	})
}

func TestUnverifiedCustomerCannotSignIn(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := testkit.NewWorld(t, d)
		// The world's customers were created by staff with a password but not verified.
		wantBadCredentials(t, w, "alice@acme.test", "password-Alice")
		// Created verified (as the CLI and the demo seed do), they sign in.
		if _, err := w.Dir.CreateUser(ctx, auth.SystemActor(), directory.UserInput{Name: "Max", Email: "max@example.test",
			Password: "password-max", Verified: true}); err != nil {
			t.Fatal(err)
		}
		wantSignIn(t, w, "max@example.test", "password-max")
		// Unknown addresses and password-less users get the same answer.
		wantBadCredentials(t, w, "nobody@example.test", "password-Alice")
		if _, err := w.Dir.FindOrCreateCustomer(ctx, "nopass@example.test", "", "en"); err != nil {
			t.Fatal(err)
		}
		wantBadCredentials(t, w, "nopass@example.test", "")
	})
}
