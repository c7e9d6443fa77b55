package config

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestFlagsEnvAndFiles(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "db-url")
	if err := os.WriteFile(secret, []byte("postgres://u:p@db/x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("LAYAN_ADDR", "0.0.0.0:9000")
	t.Setenv("LAYAN_DATABASE_URL_FILE", secret)
	t.Setenv("LAYAN_NO_DEMO", "true")
	t.Setenv("LAYAN_SHUTDOWN_TIMEOUT", "5s")
	c := Defaults()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	validate := c.FlagSet(fs, Server)
	if err := fs.Parse([]string{"--rate-limit", "10"}); err != nil {
		t.Fatal(err)
	}
	if err := validate(); err != nil {
		t.Fatal(err)
	}
	if c.Addr != "0.0.0.0:9000" || c.DatabaseURL != "postgres://u:p@db/x" || !c.NoDemo || c.RateLimit != 10 || c.ShutdownTimeout != 5*time.Second {
		t.Fatalf("config = %+v", c)
	}
	// A flag wins over the environment.
	c = Defaults()
	fs = flag.NewFlagSet("serve", flag.ContinueOnError)
	validate = c.FlagSet(fs, Server)
	_ = fs.Parse([]string{"--addr", "127.0.0.1:1"})
	if err := validate(); err != nil || c.Addr != "127.0.0.1:1" {
		t.Fatalf("flag did not win: %v %v", c.Addr, err)
	}
}

func TestBadSettingsAreExplained(t *testing.T) {
	t.Setenv("LAYAN_RATE_LIMIT", "lots")
	c := Defaults()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	validate := c.FlagSet(fs, Server)
	_ = fs.Parse([]string{"--addr", "nonsense", "--database-url", "mysql://x", "--llm-url", "file:///etc/passwd", "--smtp-tls-cert", "cert.pem"})
	err := validate()
	if err == nil {
		t.Fatal("bad settings accepted")
	}
	for _, want := range []string{"LAYAN_RATE_LIMIT", "--addr", "--database-url", "--llm-url must be", "--llm-model is required", "--smtp-tls-cert and --smtp-tls-key go together"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %s: %v", want, err)
		}
	}
}

func TestHelpDocumentsEverySetting(t *testing.T) {
	c := Defaults()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.FlagSet(fs, Server)
	var b bytes.Buffer
	Usage(&b, fs, "layan serve")()
	fs.VisitAll(func(f *flag.Flag) {
		env := "LAYAN_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if !strings.Contains(b.String(), "-"+f.Name) || !strings.Contains(b.String(), env) {
			t.Errorf("--help does not document %s / %s", f.Name, env)
		}
	})
	for _, must := range []string{"addr", "data-dir", "database-url", "no-demo"} {
		if fs.Lookup(must) == nil {
			t.Errorf("serve lacks --%s", must)
		}
	}
}
