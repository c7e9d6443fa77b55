// Package config reads Layan's settings from flags and LAYAN_* environment
// variables (a flag wins over the environment; FOO_FILE reads a secret from a
// file), applies defaults and validates them.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is every setting of a Layan process.
type Config struct {
	Addr            string
	DataDir         string
	DatabaseURL     string
	NoDemo          bool
	BaseURL         string
	RateLimit       int // API requests per minute per user (0 = unlimited)
	MaxBodyBytes    int64
	MaxUploadBytes  int64
	LogLevel        string
	LogFormat       string
	ShutdownTimeout time.Duration
	// SMTPAddr turns on the inbound SMTP listener (HOST:PORT); empty: off.
	SMTPAddr string
	// SMTPTLSCert and SMTPTLSKey (PEM files) let the listener offer STARTTLS.
	SMTPTLSCert, SMTPTLSKey string
	// NATSURL shares live chat (messages, presence) between nodes; empty: one node.
	NATSURL string
	// ChatIPLimit is the chat messages one IP may send per 10 s (0 = off).
	ChatIPLimit int
	// LLMURL turns on the assistant's generative answers: the base URL of an
	// OpenAI-compatible API (…/v1); empty: off. LLMAPIKey is its secret.
	LLMURL    string
	LLMModel  string
	LLMAPIKey string
}

// Defaults are what a first start with no configuration uses.
func Defaults() Config {
	return Config{
		Addr:            "127.0.0.1:8080",
		DataDir:         "layan-data",
		RateLimit:       700,
		ChatIPLimit:     60,
		MaxBodyBytes:    1 << 20,
		MaxUploadBytes:  50 << 20,
		LogLevel:        "info",
		LogFormat:       "text",
		ShutdownTimeout: 20 * time.Second,
	}
}

// Scope says which settings a subcommand takes.
type Scope int

const (
	// DatabaseOnly: --data-dir and --database-url (every command touching the database).
	DatabaseOnly Scope = iota
	// Server: everything serve takes.
	Server
)

type setting struct {
	flag, env, help string
}

// FlagSet registers the settings of scope on fs, bound to c, with defaults
// taken from the environment. It returns a function that validates after Parse.
func (c *Config) FlagSet(fs *flag.FlagSet, scope Scope) func() error {
	var errs []error
	str := func(p *string, name, help string) {
		env := envName(name)
		if v, ok := lookupEnv(env, &errs); ok {
			*p = v
		}
		fs.StringVar(p, name, *p, help+" ("+env+")")
	}
	boolean := func(p *bool, name, help string) {
		env := envName(name)
		if v, ok := lookupEnv(env, &errs); ok {
			b, err := strconv.ParseBool(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %q is not true or false", env, v))
			}
			*p = b
		}
		fs.BoolVar(p, name, *p, help+" ("+env+")")
	}
	integer := func(p *int, name, help string) {
		env := envName(name)
		if v, ok := lookupEnv(env, &errs); ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %q is not a number", env, v))
			}
			*p = n
		}
		fs.IntVar(p, name, *p, help+" ("+env+")")
	}
	bytes := func(p *int64, name, help string) {
		env := envName(name)
		if v, ok := lookupEnv(env, &errs); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %q is not a number of bytes", env, v))
			}
			*p = n
		}
		fs.Int64Var(p, name, *p, help+" ("+env+")")
	}
	duration := func(p *time.Duration, name, help string) {
		env := envName(name)
		if v, ok := lookupEnv(env, &errs); ok {
			d, err := time.ParseDuration(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %q is not a duration like 20s", env, v))
			}
			*p = d
		}
		fs.DurationVar(p, name, *p, help+" ("+env+")")
	}

	str(&c.DataDir, "data-dir", "folder for the SQLite database and attachments")
	str(&c.DatabaseURL, "database-url", "postgres://... to use PostgreSQL, or sqlite://PATH; empty: SQLite in --data-dir")
	str(&c.LogLevel, "log-level", "debug, info, warn or error")
	if scope == Server {
		str(&c.Addr, "addr", "HOST:PORT to listen on")
		boolean(&c.NoDemo, "no-demo", "do not create the demo workspace on an empty database")
		str(&c.BaseURL, "base-url", "public URL of this server, for links in emails (default http://ADDR)")
		integer(&c.RateLimit, "rate-limit", "API requests per minute per user; 0 turns the limit off")
		bytes(&c.MaxBodyBytes, "max-body-bytes", "largest JSON request body")
		bytes(&c.MaxUploadBytes, "max-upload-bytes", "largest attachment upload")
		str(&c.LogFormat, "log-format", "text or json")
		duration(&c.ShutdownTimeout, "shutdown-timeout", "how long in-flight requests get to finish on SIGTERM")
		str(&c.SMTPAddr, "smtp-addr", "HOST:PORT for the inbound SMTP listener (mail to support addresses); empty: off")
		str(&c.SMTPTLSCert, "smtp-tls-cert", "PEM certificate (chain) with which the inbound SMTP listener offers STARTTLS; with --smtp-tls-key")
		str(&c.SMTPTLSKey, "smtp-tls-key", "PEM private key of --smtp-tls-cert")
		integer(&c.ChatIPLimit, "chat-ip-limit", "live chat messages one IP address may send per 10 seconds; 0 turns the limit off")
		str(&c.NATSURL, "nats-url", "nats://HOST:PORT shared by every node, for live chat across nodes; empty: one node")
		str(&c.LLMURL, "llm-url", "base URL of an OpenAI-compatible API (e.g. https://api.openai.com/v1) for the assistant's generative answers, grounded in the knowledge base; empty: off")
		str(&c.LLMModel, "llm-model", "model name sent to --llm-url")
		str(&c.LLMAPIKey, "llm-api-key", "API key for --llm-url (better: LAYAN_LLM_API_KEY_FILE)")
	}
	return func() error {
		return errors.Join(append(errs, c.Validate(scope))...)
	}
}

func envName(flagName string) string {
	return "LAYAN_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// lookupEnv reads NAME, or the file named by NAME_FILE (for secrets such as a
// database URL with a password).
func lookupEnv(name string, errs *[]error) (string, bool) {
	if v, ok := os.LookupEnv(name); ok {
		return v, true
	}
	if path, ok := os.LookupEnv(name + "_FILE"); ok {
		b, err := os.ReadFile(path)
		if err != nil {
			*errs = append(*errs, fmt.Errorf("%s_FILE: %w", name, err))
			return "", false
		}
		return strings.TrimSpace(string(b)), true
	}
	return "", false
}

// Validate checks the settings of scope.
func (c *Config) Validate(scope Scope) error {
	var errs []error
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") &&
		!strings.HasPrefix(c.DatabaseURL, "sqlite://") {
		errs = append(errs, errors.New("--database-url must start with postgres:// or sqlite://"))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("--log-level %q: use debug, info, warn or error", c.LogLevel))
	}
	if scope == Server {
		if _, _, err := net.SplitHostPort(c.Addr); err != nil {
			errs = append(errs, fmt.Errorf("--addr %q: want HOST:PORT", c.Addr))
		}
		if c.RateLimit < 0 {
			errs = append(errs, errors.New("--rate-limit must be 0 or more"))
		}
		if c.MaxBodyBytes < 1024 || c.MaxUploadBytes < 1024 {
			errs = append(errs, errors.New("--max-body-bytes and --max-upload-bytes must be at least 1024"))
		}
		if c.LogFormat != "text" && c.LogFormat != "json" {
			errs = append(errs, fmt.Errorf("--log-format %q: use text or json", c.LogFormat))
		}
		if c.ShutdownTimeout <= 0 {
			errs = append(errs, errors.New("--shutdown-timeout must be positive"))
		}
		if c.LLMURL != "" {
			if u, err := url.Parse(c.LLMURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				errs = append(errs, errors.New("--llm-url must be an http:// or https:// URL"))
			}
			if c.LLMModel == "" {
				errs = append(errs, errors.New("--llm-model is required with --llm-url"))
			}
		}
		if (c.SMTPTLSCert == "") != (c.SMTPTLSKey == "") {
			errs = append(errs, errors.New("--smtp-tls-cert and --smtp-tls-key go together"))
		}
		if c.SMTPAddr != "" {
			if _, _, err := net.SplitHostPort(c.SMTPAddr); err != nil {
				errs = append(errs, fmt.Errorf("--smtp-addr %q: want HOST:PORT", c.SMTPAddr))
			}
		}
	}
	return errors.Join(errs...)
}

// PublicURL is BaseURL or one derived from Addr.
func (c *Config) PublicURL() string {
	if c.BaseURL != "" {
		return strings.TrimRight(c.BaseURL, "/")
	}
	return "http://" + c.Addr
}

// Usage prints a flag set's settings under a heading, for --help.
func Usage(w io.Writer, fs *flag.FlagSet, synopsis string) func() {
	return func() {
		fmt.Fprintf(w, "Usage: %s\n\nSettings (each flag also reads the environment variable in brackets):\n", synopsis)
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
}
