package email

import (
	"context"
	"crypto/x509"
	"database/sql"
	"encoding/pem"
	"errors"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/directory"
)

// Address is a support address: mail to it becomes tickets of its group, in
// its language. IMAPURL and SMTPURL carry credentials: use Redacted to show it.
type Address struct {
	ID           int64
	Email        string
	Name         string
	GroupID      int64
	Locale       string
	IMAPURL      string
	SMTPURL      string
	UnknownReply string // "new_ticket" or "hold"
	DKIMSelector string
	DKIMKey      string // PEM private key
	Active       bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Redacted is the address without secrets, for logs, the API and the CLI.
func (a Address) Redacted() Address {
	a.IMAPURL, a.SMTPURL = RedactURL(a.IMAPURL), RedactURL(a.SMTPURL)
	if a.DKIMKey != "" {
		a.DKIMKey = "(set)"
	}
	return a
}

// Domain is the part after the @.
func (a Address) Domain() string { return a.Email[strings.LastIndex(a.Email, "@")+1:] }

// ReplyAddress is the per-ticket reply address: local+TOKEN@domain.
func (a Address) ReplyAddress(token string) string {
	at := strings.LastIndex(a.Email, "@")
	return a.Email[:at] + "+" + token + a.Email[at:]
}

// AddressInput adds or changes an address. Nil pointers keep the old value.
type AddressInput struct {
	Email        *string
	Name         *string
	GroupID      *int64
	Locale       *string
	IMAPURL      *string
	SMTPURL      *string
	UnknownReply *string
	DKIMSelector *string
	DKIMKey      *string
	Active       *bool
}

// RedactURL hides the password of a URL ("" stays "").
func RedactURL(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable url)"
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	return u.String()
}

// ServerURL is a parsed imap[s]:// or smtp[s]:// setting.
type ServerURL struct {
	Scheme   string // imap, imaps, smtp, smtps
	User     string
	Password string
	Host     string // host:port
	Folder   string // IMAP only; default INBOX
	// TLS: "implicit" (imaps, smtps), "starttls" (default for imap/smtp) or
	// "none" (?tls=none: plain text, allowed to loopback only).
	TLS string
	// InsecureSkipVerify accepts any certificate (?tls_verify=false): for
	// servers with self-signed certificates on a private network.
	InsecureSkipVerify bool
	// MoveTo (?move=FOLDER): move ingested messages there instead of flagging them.
	MoveTo string
}

// ParseServerURL validates an IMAP or SMTP setting. kind is "imap" or "smtp".
func ParseServerURL(kind, raw string) (ServerURL, error) {
	field := kind + "_url"
	bad := func(msg string) error { return apperr.Invalid(field, "invalid_url", msg) }
	u, err := url.Parse(raw)
	if err != nil {
		return ServerURL{}, bad("is not a URL")
	}
	s := ServerURL{Scheme: u.Scheme, Host: u.Host, TLS: "starttls"}
	switch u.Scheme {
	case kind:
	case kind + "s":
		s.TLS = "implicit"
	default:
		return ServerURL{}, bad("must start with " + kind + ":// or " + kind + "s://")
	}
	if u.User != nil {
		s.User = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil {
		host = u.Host
		switch u.Scheme {
		case "imap":
			port = "143"
		case "imaps":
			port = "993"
		case "smtp":
			port = "587"
		case "smtps":
			port = "465"
		}
		s.Host = net.JoinHostPort(host, port)
	}
	if host == "" {
		return ServerURL{}, bad("needs a host")
	}
	if p, err := strconv.Atoi(port); err != nil || p <= 0 || p > 65535 {
		return ServerURL{}, bad("has an invalid port")
	}
	q := u.Query()
	switch q.Get("tls") {
	case "":
	case "none":
		if s.TLS == "implicit" {
			return ServerURL{}, bad("tls=none contradicts the " + u.Scheme + " scheme")
		}
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return ServerURL{}, bad("tls=none (plain text) is allowed only for a server on this machine")
		}
		s.TLS = "none"
	case "starttls":
	default:
		return ServerURL{}, bad("tls must be none or starttls")
	}
	s.InsecureSkipVerify = q.Get("tls_verify") == "false"
	if kind == "imap" {
		s.Folder = strings.Trim(u.Path, "/")
		if s.Folder == "" {
			s.Folder = "INBOX"
		}
		s.MoveTo = q.Get("move")
		if s.User == "" {
			return ServerURL{}, bad("needs a user name and password (imap://USER:PASS@HOST/FOLDER)")
		}
	}
	return s, nil
}

func (s *Service) validateAddress(ctx context.Context, a *Address) error {
	e, err := directory.NormalizeEmail("email", a.Email)
	if err != nil {
		return err
	}
	if e == "" {
		return apperr.Invalid("email", "required", "is required")
	}
	if strings.Contains(e[:strings.LastIndex(e, "@")], "+") {
		return apperr.Invalid("email", "invalid_email", "must not contain '+': it is used for reply tokens")
	}
	a.Email = e
	a.Name = cleanLine(a.Name)
	if l := directory.NormalizeLocale(a.Locale); l == "" {
		return apperr.Invalid("locale", "invalid_locale", "must be en, id or fa")
	} else {
		a.Locale = l
	}
	if a.UnknownReply == "" {
		a.UnknownReply = "new_ticket"
	}
	if a.UnknownReply != "new_ticket" && a.UnknownReply != "hold" {
		return apperr.Invalid("unknown_reply", "invalid", "must be new_ticket or hold")
	}
	if a.IMAPURL != "" {
		if _, err := ParseServerURL("imap", a.IMAPURL); err != nil {
			return err
		}
	}
	if a.SMTPURL != "" {
		if _, err := ParseServerURL("smtp", a.SMTPURL); err != nil {
			return err
		}
	}
	if a.GroupID != 0 {
		if _, err := s.dir.GetGroup(ctx, auth.SystemActor(), a.GroupID); err != nil {
			return apperr.Invalid("group_id", "not_found", "refers to a group that does not exist")
		}
	}
	if a.DKIMKey != "" {
		if _, err := parseDKIMKey(a.DKIMKey); err != nil {
			return apperr.Invalid("dkim_key", "invalid", "must be a PEM RSA or Ed25519 private key")
		}
		if a.DKIMSelector == "" {
			return apperr.Invalid("dkim_selector", "required", "is required with a DKIM key")
		}
	}
	return nil
}

func parseDKIMKey(p string) (any, error) {
	blk, _ := pem.Decode([]byte(p))
	if blk == nil {
		return nil, errors.New("no PEM block")
	}
	if k, err := x509.ParsePKCS8PrivateKey(blk.Bytes); err == nil {
		return k, nil
	}
	return x509.ParsePKCS1PrivateKey(blk.Bytes)
}

func apply(a *Address, in AddressInput) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = strings.TrimSpace(*v)
		}
	}
	set(&a.Email, in.Email)
	set(&a.Name, in.Name)
	set(&a.Locale, in.Locale)
	set(&a.IMAPURL, in.IMAPURL)
	set(&a.SMTPURL, in.SMTPURL)
	set(&a.UnknownReply, in.UnknownReply)
	set(&a.DKIMSelector, in.DKIMSelector)
	set(&a.DKIMKey, in.DKIMKey)
	if in.GroupID != nil {
		a.GroupID = *in.GroupID
	}
	if in.Active != nil {
		a.Active = *in.Active
	}
}

// AddAddress creates a support address (admins).
func (s *Service) AddAddress(ctx context.Context, actor auth.Actor, in AddressInput) (Address, error) {
	if !actor.IsAdmin() {
		return Address{}, apperr.Forbidden("manage support addresses")
	}
	a := Address{Locale: "en", Active: true}
	apply(&a, in)
	if err := s.validateAddress(ctx, &a); err != nil {
		return Address{}, err
	}
	now := db.Millis(s.now())
	err := s.db.W.QueryRowContext(ctx, `INSERT INTO email_addresses (email, name, group_id, locale, imap_url, smtp_url,
		unknown_reply, dkim_selector, dkim_key, active, created_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$11) RETURNING id`,
		a.Email, a.Name, db.NullID(a.GroupID), a.Locale, a.IMAPURL, a.SMTPURL, a.UnknownReply, a.DKIMSelector, a.DKIMKey,
		a.Active, now).Scan(&a.ID)
	if db.IsUniqueViolation(err) {
		return Address{}, apperr.Invalid("email", "taken", "is already a support address")
	}
	if err != nil {
		return Address{}, err
	}
	a.CreatedAt, a.UpdatedAt = db.Time(now), db.Time(now)
	s.addressesChanged()
	return a, nil
}

// UpdateAddress changes an address (admins).
func (s *Service) UpdateAddress(ctx context.Context, actor auth.Actor, id int64, in AddressInput) (Address, error) {
	if !actor.IsAdmin() {
		return Address{}, apperr.Forbidden("manage support addresses")
	}
	a, err := s.getAddress(ctx, id)
	if err != nil {
		return Address{}, err
	}
	// A redacted URL sent back unchanged keeps the stored password.
	if in.IMAPURL != nil && *in.IMAPURL == RedactURL(a.IMAPURL) {
		in.IMAPURL = nil
	}
	if in.SMTPURL != nil && *in.SMTPURL == RedactURL(a.SMTPURL) {
		in.SMTPURL = nil
	}
	if in.DKIMKey != nil && *in.DKIMKey == "(set)" {
		in.DKIMKey = nil
	}
	apply(&a, in)
	if err := s.validateAddress(ctx, &a); err != nil {
		return Address{}, err
	}
	now := db.Millis(s.now())
	_, err = s.db.W.ExecContext(ctx, `UPDATE email_addresses SET email=$1, name=$2, group_id=$3, locale=$4, imap_url=$5,
		smtp_url=$6, unknown_reply=$7, dkim_selector=$8, dkim_key=$9, active=$10, updated_at=$11 WHERE id=$12`,
		a.Email, a.Name, db.NullID(a.GroupID), a.Locale, a.IMAPURL, a.SMTPURL, a.UnknownReply, a.DKIMSelector, a.DKIMKey,
		a.Active, now, id)
	if db.IsUniqueViolation(err) {
		return Address{}, apperr.Invalid("email", "taken", "is already a support address")
	}
	if err != nil {
		return Address{}, err
	}
	a.UpdatedAt = db.Time(now)
	s.addressesChanged()
	return a, nil
}

// DeleteAddress removes an address (admins). Its tickets stay.
func (s *Service) DeleteAddress(ctx context.Context, actor auth.Actor, id int64) error {
	if !actor.IsAdmin() {
		return apperr.Forbidden("manage support addresses")
	}
	res, err := s.db.W.ExecContext(ctx, `DELETE FROM email_addresses WHERE id = $1`, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFound("address")
	}
	s.addressesChanged()
	return nil
}

// ListAddresses returns every address (staff; secrets redacted for non-admins too:
// callers show Redacted()).
func (s *Service) ListAddresses(ctx context.Context, actor auth.Actor) ([]Address, error) {
	if !actor.IsStaff() && !actor.System {
		return nil, apperr.Forbidden("list support addresses")
	}
	return s.loadAddresses(ctx)
}

// GetAddress reads one address (staff).
func (s *Service) GetAddress(ctx context.Context, actor auth.Actor, id int64) (Address, error) {
	if !actor.IsStaff() && !actor.System {
		return Address{}, apperr.Forbidden("read support addresses")
	}
	return s.getAddress(ctx, id)
}

const addressColumns = `id, email, name, COALESCE(group_id, 0), locale, imap_url, smtp_url, unknown_reply, dkim_selector,
	dkim_key, active, created_at, updated_at`

func scanAddress(sc interface{ Scan(...any) error }) (Address, error) {
	var a Address
	var c, u int64
	err := sc.Scan(&a.ID, &a.Email, &a.Name, &a.GroupID, &a.Locale, &a.IMAPURL, &a.SMTPURL, &a.UnknownReply,
		&a.DKIMSelector, &a.DKIMKey, &a.Active, &c, &u)
	a.CreatedAt, a.UpdatedAt = db.Time(c), db.Time(u)
	return a, err
}

func (s *Service) getAddress(ctx context.Context, id int64) (Address, error) {
	a, err := scanAddress(s.db.R.QueryRowContext(ctx, `SELECT `+addressColumns+` FROM email_addresses WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, apperr.NotFound("address")
	}
	return a, err
}

func (s *Service) loadAddresses(ctx context.Context) ([]Address, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+addressColumns+` FROM email_addresses ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Address{}
	for rows.Next() {
		a, err := scanAddress(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// addressBook is the cached list of addresses, for recipient checks on every
// SMTP RCPT and every message.
type addressBook struct {
	list   []Address
	byAddr map[string]Address
	loaded time.Time
}

func (s *Service) addressesChanged() {
	s.bookMu.Lock()
	s.book = nil
	s.bookMu.Unlock()
	select {
	case s.reconfigure <- struct{}{}:
	default:
	}
}

func (s *Service) addresses(ctx context.Context) (*addressBook, error) {
	s.bookMu.Lock()
	defer s.bookMu.Unlock()
	if s.book != nil && time.Since(s.book.loaded) < 30*time.Second {
		return s.book, nil
	}
	list, err := s.loadAddresses(ctx)
	if err != nil {
		return nil, err
	}
	b := &addressBook{list: list, byAddr: map[string]Address{}, loaded: time.Now()}
	for _, a := range list {
		b.byAddr[a.Email] = a
	}
	s.book = b
	return b, nil
}

// match finds the support address an address belongs to, with the reply
// token of a plus address ("support+TOKEN@x" → support@x, "TOKEN").
func (b *addressBook) match(addr string) (Address, string, bool) {
	addr = strings.ToLower(strings.TrimSpace(addr))
	if a, ok := b.byAddr[addr]; ok && a.Active {
		return a, "", true
	}
	at := strings.LastIndex(addr, "@")
	if at < 0 {
		return Address{}, "", false
	}
	local, token, ok := strings.Cut(addr[:at], "+")
	if !ok {
		return Address{}, "", false
	}
	if a, ok := b.byAddr[local+addr[at:]]; ok && a.Active {
		return a, token, true
	}
	return Address{}, "", false
}

// isOwn reports whether addr is one of our addresses (any plus form).
func (b *addressBook) isOwn(addr string) bool {
	_, _, ok := b.match(addr)
	if ok {
		return true
	}
	addr = strings.ToLower(addr)
	at := strings.LastIndex(addr, "@")
	if at < 0 {
		return false
	}
	local, _, _ := strings.Cut(addr[:at], "+")
	_, ok = b.byAddr[local+addr[at:]]
	return ok
}

func (b *addressBook) fallback() (Address, bool) {
	for _, a := range b.list {
		if a.Active {
			return a, true
		}
	}
	return Address{}, false
}

func (b *addressBook) byID(id int64) (Address, bool) {
	for _, a := range b.list {
		if a.ID == id {
			return a, true
		}
	}
	return Address{}, false
}
