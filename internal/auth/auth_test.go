package auth

import "testing"

func TestPasswordHashRoundTrip(t *testing.T) {
	h, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !CheckPassword(h, "correct horse") {
		t.Fatal("right password rejected")
	}
	if CheckPassword(h, "correct horsE") {
		t.Fatal("wrong password accepted")
	}
	if CheckPassword("garbage", "x") || CheckPassword("$argon2id$v=19$m=1,t=1,p=1$$", "") {
		t.Fatal("malformed hash accepted")
	}
}

func TestSecretsAreUniqueAndDigestIsStable(t *testing.T) {
	a, b := NewSecret(), NewSecret()
	if a == b || len(a) < 43 {
		t.Fatalf("weak secrets %q %q", a, b)
	}
	if Digest(a) != Digest(a) || Digest(a) == Digest(b) {
		t.Fatal("digest not a function of the secret")
	}
}

func BenchmarkTokenDigest(b *testing.B) {
	s := NewSecret()
	for b.Loop() {
		Digest(s)
	}
}
