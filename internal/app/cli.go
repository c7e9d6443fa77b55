package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"layan/internal/auth"
	"layan/internal/channel/email"
	"layan/internal/config"
	"layan/internal/directory"
	"layan/internal/observe"
)

// Version is set at build time with -ldflags "-X layan/internal/app.Version=v1.2.3".
var Version = ""

func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev-" + s.Value[:12]
			}
		}
	}
	return "dev"
}

const usage = `Layan: a self-hosted, multilingual customer-service platform.

Usage:
  layan serve [--addr HOST:PORT] [--data-dir DIR] [--database-url URL] [--no-demo] [--smtp-addr HOST:PORT]
  layan migrate [--data-dir DIR] [--database-url URL]
  layan user create --email E --name N --role admin|agent|light_agent|end_user --password P
  layan token create --email E [--name N]
  layan address add --email E [--group-id N] [--locale en|id|fa] [--imap-url imap[s]://USER:PASS@HOST:PORT/FOLDER]
                    [--smtp-url smtp[s]://USER:PASS@HOST:PORT] [--name N] [--unknown-reply new_ticket|hold]
  layan address list
  layan bench api [--tickets N] [--clients C] [--database-url URL]
  layan version

Every command that touches the database takes --data-dir and --database-url.
Run "layan serve --help" for every setting and its LAYAN_* environment variable.
`

// Commands outside this package (the benchmark) register here, so app does
// not import them and they may import app.
var extraCommands = map[string]func(ctx context.Context, args []string, stdout, stderr io.Writer) error{}

// Register adds a subcommand such as "bench".
func Register(name string, run func(ctx context.Context, args []string, stdout, stderr io.Writer) error) {
	extraCommands[name] = run
}

// Main runs the command line and returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, args, stdout, stderr)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprint(stderr, usage)
		return 2
	}
	fmt.Fprintln(stderr, "layan:", err)
	return 1
}

var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errUsage
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stdout, stderr)
	case "migrate":
		return migrate(ctx, args[1:], stdout, stderr)
	case "user":
		if len(args) < 2 || args[1] != "create" {
			return errUsage
		}
		return userCreate(ctx, args[2:], stdout, stderr)
	case "token":
		if len(args) < 2 || args[1] != "create" {
			return errUsage
		}
		return tokenCreate(ctx, args[2:], stdout, stderr)
	case "address":
		if len(args) < 2 {
			return errUsage
		}
		switch args[1] {
		case "add":
			return addressAdd(ctx, args[2:], stdout, stderr)
		case "list":
			return addressList(ctx, args[2:], stdout, stderr)
		}
		return errUsage
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "layan", version())
		return nil
	case "help", "--help", "-h":
		fmt.Fprint(stdout, usage)
		return nil
	}
	if cmd, ok := extraCommands[args[0]]; ok {
		return cmd(ctx, args[1:], stdout, stderr)
	}
	return errUsage
}

// parse builds a flag set for a command with the config settings of scope.
func parse(name, synopsis string, scope config.Scope, args []string, stderr io.Writer, extra func(fs *flag.FlagSet)) (config.Config, error) {
	cfg := config.Defaults()
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	validate := cfg.FlagSet(fs, scope)
	if extra != nil {
		extra(fs)
	}
	fs.Usage = config.Usage(stderr, fs, synopsis)
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("%s: unexpected argument %q", name, fs.Arg(0))
	}
	return cfg, validate()
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parse("serve", "layan serve [settings]", config.Server, args, stderr, nil)
	if err != nil {
		return err
	}
	log := observe.NewLogger(stderr, cfg.LogLevel, cfg.LogFormat)
	a, err := Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if !cfg.NoDemo {
		email, password, err := a.SeedDemo(ctx)
		if err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		if email != "" {
			fmt.Fprintf(stdout, "Demo workspace created. Sign in as %s with password %s (shown once; change it).\n", email, password)
		}
	}
	return a.Serve(ctx, func(addr string) {
		log.Info("layan is serving", "url", "http://"+addr, "database", a.DB.Where, "version", version())
		fmt.Fprintf(stdout, "Layan is running at http://%s (API: http://%s/api/v2)\n", addr, addr)
	})
}

func openDB(ctx context.Context, cfg config.Config) (*App, error) {
	cfg.RateLimit = 0
	cfg.MaxBodyBytes, cfg.MaxUploadBytes = 1<<20, 1<<20
	return Open(ctx, cfg, observe.NewLogger(io.Discard, "error", "text"))
}

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parse("migrate", "layan migrate [--data-dir DIR] [--database-url URL]", config.DatabaseOnly, args, stderr, nil)
	if err != nil {
		return err
	}
	a, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	fmt.Fprintln(stdout, "database is up to date:", a.DB.Where)
	return nil
}

func userCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var email, name, role, password, locale string
	cfg, err := parse("user create", "layan user create --email E --name N --role ROLE --password P", config.DatabaseOnly, args, stderr,
		func(fs *flag.FlagSet) {
			fs.StringVar(&email, "email", "", "the user's email (required)")
			fs.StringVar(&name, "name", "", "the user's name (required)")
			fs.StringVar(&role, "role", "end_user", "admin, agent, light_agent or end_user")
			fs.StringVar(&password, "password", "", "the user's password (at least 8 characters)")
			fs.StringVar(&locale, "locale", "en", "en, id or fa")
		})
	if err != nil {
		return err
	}
	if email == "" || name == "" {
		return errors.New("user create: --email and --name are required")
	}
	a, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.Dir.CreateUser(ctx, auth.SystemActor(), directory.UserInput{Email: email, Name: name, Role: role,
		Password: password, Locale: locale, Verified: true})
	if err != nil {
		return fmt.Errorf("user create: %w", err)
	}
	fmt.Fprintf(stdout, "created user %d <%s> (%s)\n", u.ID, u.Email, u.Role)
	return nil
}

func tokenCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var email, name string
	cfg, err := parse("token create", "layan token create --email E [--name N]", config.DatabaseOnly, args, stderr,
		func(fs *flag.FlagSet) {
			fs.StringVar(&email, "email", "", "whose token (required)")
			fs.StringVar(&name, "name", "", "a label for the token")
		})
	if err != nil {
		return err
	}
	if strings.TrimSpace(email) == "" {
		return errors.New("token create: --email is required")
	}
	a, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.Dir.UserByEmail(ctx, auth.SystemActor(), email)
	if err != nil {
		return fmt.Errorf("token create: no user with email %s", email)
	}
	secret, err := a.Dir.CreateToken(ctx, auth.Actor{Role: auth.RoleAdmin, System: true, UserID: 0}, u.ID, name)
	if err != nil {
		return fmt.Errorf("token create: %w", err)
	}
	fmt.Fprintln(stdout, secret)
	return nil
}

func addressAdd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var addr, name, locale, imapURL, smtpURL, unknown string
	var group int64
	cfg, err := parse("address add", "layan address add --email E [--group-id N] [--locale en|id|fa] [--imap-url URL] [--smtp-url URL]",
		config.DatabaseOnly, args, stderr, func(fs *flag.FlagSet) {
			fs.StringVar(&addr, "email", "", "the support address (required)")
			fs.StringVar(&name, "name", "", "the display name of outgoing mail")
			fs.Int64Var(&group, "group-id", 0, "the group its tickets go to")
			fs.StringVar(&locale, "locale", "en", "the language of its tickets and mails: en, id or fa")
			fs.StringVar(&imapURL, "imap-url", "", "poll this mailbox: imap[s]://USER:PASS@HOST:PORT/FOLDER")
			fs.StringVar(&smtpURL, "smtp-url", "", "send through this relay: smtp[s]://USER:PASS@HOST:PORT")
			fs.StringVar(&unknown, "unknown-reply", "new_ticket", "a reply from a non-participant: new_ticket or hold")
		})
	if err != nil {
		return err
	}
	if strings.TrimSpace(addr) == "" {
		return errors.New("address add: --email is required")
	}
	a, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	in := email.AddressInput{Email: &addr, Name: &name, Locale: &locale, IMAPURL: &imapURL, SMTPURL: &smtpURL, UnknownReply: &unknown}
	if group != 0 {
		in.GroupID = &group
	}
	ad, err := a.Email.AddAddress(ctx, auth.SystemActor(), in)
	if err != nil {
		return fmt.Errorf("address add: %w", err)
	}
	printAddress(stdout, "added address", ad)
	return nil
}

func addressList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parse("address list", "layan address list", config.DatabaseOnly, args, stderr, nil)
	if err != nil {
		return err
	}
	a, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	list, err := a.Email.ListAddresses(ctx, auth.SystemActor())
	if err != nil {
		return err
	}
	for _, ad := range list {
		printAddress(stdout, "address", ad)
	}
	return nil
}

// printAddress shows an address without its passwords.
func printAddress(w io.Writer, what string, ad email.Address) {
	r := ad.Redacted()
	fmt.Fprintf(w, "%s %d <%s> group=%d locale=%s", what, r.ID, r.Email, r.GroupID, r.Locale)
	if r.IMAPURL != "" {
		fmt.Fprintf(w, " imap=%s", r.IMAPURL)
	}
	if r.SMTPURL != "" {
		fmt.Fprintf(w, " smtp=%s", r.SMTPURL)
	}
	fmt.Fprintln(w)
}
