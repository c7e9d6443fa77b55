package app_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"layan/internal/app"
	"layan/internal/testkit"
)

func runCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := app.Main(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestCLI(t *testing.T) {
	for _, e := range testkit.Engines() {
		t.Run(string(e), func(t *testing.T) {
			dbFlags := []string{"--data-dir", t.TempDir(), "--database-url", testkit.DatabaseURL(t, e)}
			if code, out, errs := runCLI(append([]string{"migrate"}, dbFlags...)...); code != 0 || !strings.Contains(out, "up to date") {
				t.Fatalf("migrate: %d %q %q", code, out, errs)
			}
			code, out, errs := runCLI(append([]string{"user", "create", "--email", "Sari@Layan.test", "--name", "Sari", "--role", "agent", "--password", "rahasia-123"}, dbFlags...)...)
			if code != 0 || !strings.Contains(out, "<sari@layan.test> (agent)") {
				t.Fatalf("user create: %d %q %q", code, out, errs)
			}
			code, out, _ = runCLI(append([]string{"token", "create", "--email", "sari@layan.test", "--name", "ci"}, dbFlags...)...)
			if code != 0 || !regexp.MustCompile(`^[A-Za-z0-9_-]{43}\n$`).MatchString(out) {
				t.Fatalf("token create printed %q (exit %d); want only the token", out, code)
			}
			for _, bad := range [][]string{
				{"user", "create", "--email", "x@y.test", "--name", "X", "--role", "superuser", "--password", "12345678"},
				{"user", "create", "--email", "sari@layan.test", "--name", "Again", "--role", "agent", "--password", "12345678"},
				{"user", "create", "--email", "z@y.test", "--name", "Z", "--role", "agent", "--password", "short"},
				{"user", "create", "--name", "No email"},
				{"token", "create", "--email", "nobody@layan.test"},
			} {
				code, out, errs := runCLI(append(bad, dbFlags...)...)
				if code == 0 || errs == "" || out != "" {
					t.Errorf("%v: exit %d, out %q, err %q", bad, code, out, errs)
				}
			}
		})
	}
	if code, out, _ := runCLI("version"); code != 0 || !strings.HasPrefix(out, "layan ") {
		t.Fatalf("version: %d %q", code, out)
	}
	if code, _, errs := runCLI("frobnicate"); code != 2 || !strings.Contains(errs, "Usage") {
		t.Fatalf("unknown verb: %d %q", code, errs)
	}
	if code, _, errs := runCLI("serve", "--help"); code != 0 || !strings.Contains(errs, "LAYAN_DATABASE_URL") || !strings.Contains(errs, "--no-demo") && !strings.Contains(errs, "-no-demo") {
		t.Fatalf("serve --help: %d %q", code, errs)
	}
	if code, _, errs := runCLI("serve", "--addr", "nonsense"); code != 1 || !strings.Contains(errs, "--addr") {
		t.Fatalf("serve with a bad address: %d %q", code, errs)
	}
}
