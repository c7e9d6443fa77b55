package email

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/jhillyerd/enmime"
	"github.com/jhillyerd/enmime/dsn"
)

// Limits on what one inbound message may contain.
const (
	// DefaultMaxMessageBytes is the largest message accepted (SMTP SIZE, IMAP).
	DefaultMaxMessageBytes = 25 << 20
	// MaxHeaderBytes is the largest header block; more is a malformed message.
	MaxHeaderBytes = 512 << 10
	// MaxNesting is the deepest multipart nesting parsed.
	MaxNesting = 64
	// MaxParts is the most MIME parts one message may have.
	MaxParts = 1000
	// maxRefs is how many References are considered for threading.
	maxRefs = 50
)

// parsed is what ingest needs from a message.
type parsed struct {
	MessageID  string
	InReplyTo  []string
	References []string
	From       *mail.Address
	To, Cc     []*mail.Address
	// Extra recipients from delivery headers (Delivered-To, X-Original-To).
	Delivered  []string
	Subject    string
	Text       string // full plain text (converted from HTML when there is no text part)
	HTML       string // full HTML, unsanitised
	Parts      []part // attachments and inline images
	Header     func(string) string
	Bounce     *bounce
	PartErrors []string
}

type part struct {
	FileName    string
	ContentType string
	ContentID   string
	Inline      bool
	Content     []byte
}

type bounce struct {
	Recipients []string // addresses that failed
	Diagnostic string
	OrigIDs    []string // Message-IDs of the message that bounced
}

// ErrParse is a message that cannot be ingested; it is kept in the failed list.
var ErrParse = errors.New("cannot parse message")

func parseErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrParse, fmt.Sprintf(format, args...))
}

// headerEnd returns the length of the header block (up to and including the
// blank line), or -1 when there is none within MaxHeaderBytes.
func headerEnd(raw []byte) int {
	lim := raw[:min(len(raw), MaxHeaderBytes)]
	for _, sep := range [][]byte{[]byte("\r\n\r\n"), []byte("\n\n")} {
		if i := bytes.Index(lim, sep); i >= 0 {
			return i + len(sep)
		}
	}
	if len(raw) <= MaxHeaderBytes {
		return len(raw) // headers only, no body
	}
	return -1
}

var msgIDRE = regexp.MustCompile(`<([^<>\s]{1,500})>`)

// normalizeMsgID strips the angle brackets and spaces of a Message-ID.
func normalizeMsgID(s string) string {
	s = strings.TrimSpace(s)
	if m := msgIDRE.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	s = strings.Trim(s, "<> \t")
	if strings.ContainsAny(s, " \t\r\n") || len(s) > 500 {
		return ""
	}
	return s
}

// msgIDList reads the ids of an In-Reply-To or References header.
func msgIDList(s string) []string {
	var out []string
	for _, m := range msgIDRE.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}

// quickMessageID reads the Message-ID from the header block alone (for the
// dedupe key, before a full parse that may fail).
func quickMessageID(raw []byte) string {
	end := headerEnd(raw)
	if end < 0 {
		return ""
	}
	msg, err := mail.ReadMessage(bytes.NewReader(append(raw[:end:end], '\r', '\n')))
	if err != nil {
		// Broken header lines elsewhere: look for the field by hand.
		for _, line := range strings.Split(string(raw[:end]), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(strings.TrimSpace(k), "message-id") {
				return normalizeMsgID(v)
			}
		}
		return ""
	}
	return normalizeMsgID(msg.Header.Get("Message-Id"))
}

// checkStructure rejects bombs before the MIME parser sees them: too deep
// nesting or too many parts (by counting boundaries in the raw bytes).
func checkStructure(raw []byte) error {
	if headerEnd(raw) < 0 {
		return parseErr("the header block is larger than %d bytes", MaxHeaderBytes)
	}
	// Count distinct multipart boundaries declared: each is one level or sibling container.
	n := bytes.Count(raw, []byte("boundary="))
	if n > MaxNesting {
		return parseErr("more than %d nested multipart levels", MaxNesting)
	}
	return nil
}

// parse reads a raw message. It never panics: a parser panic is an ErrParse.
func parse(raw []byte) (p *parsed, err error) {
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, parseErr("parser failure: %v", r)
		}
	}()
	if err := checkStructure(raw); err != nil {
		return nil, err
	}
	parser := enmime.NewParser(enmime.SkipMalformedParts(true), enmime.MaxStoredPartErrors(20),
		enmime.StripMediaTypeInvalidCharacters(true))
	env, err := parser.ReadEnvelope(bytes.NewReader(raw))
	if err != nil {
		// A broken MIME structure: keep the headers we can read and take the
		// body as plain text, so the customer's words still arrive.
		lenient := lenientText(raw)
		env2, err2 := parser.ReadEnvelope(bytes.NewReader(lenient))
		if err2 != nil {
			return nil, parseErr("%v", err)
		}
		env = env2
		structErr := "MIME structure: " + err.Error()
		defer func() {
			if p != nil {
				p.PartErrors = append(p.PartErrors, structErr)
			}
		}()
	}
	p = &parsed{Header: env.GetHeader}
	p.MessageID = normalizeMsgID(env.GetHeader("Message-Id"))
	if p.MessageID == "" {
		p.MessageID = quickMessageID(raw)
	}
	p.InReplyTo = msgIDList(env.GetHeader("In-Reply-To"))
	p.References = msgIDList(env.GetHeader("References"))
	if len(p.References) > maxRefs {
		p.References = p.References[len(p.References)-maxRefs:]
	}
	from := addressList(env, "From")
	if len(from) == 0 {
		from = addressList(env, "Sender")
	}
	if len(from) == 0 {
		from = addressList(env, "Return-Path")
	}
	if len(from) == 0 {
		return nil, parseErr("no valid From address")
	}
	p.From = from[0]
	p.From.Address = strings.ToLower(p.From.Address)
	p.To = addressList(env, "To")
	p.Cc = addressList(env, "Cc")
	for _, h := range []string{"Delivered-To", "X-Original-To", "Envelope-To"} {
		for _, v := range env.GetHeaderValues(h) {
			if a, err := mail.ParseAddress(v); err == nil {
				p.Delivered = append(p.Delivered, strings.ToLower(a.Address))
			}
		}
	}
	p.Subject = cleanLine(env.GetHeader("Subject"))
	p.Text = strings.ToValidUTF8(env.Text, "\uFFFD")
	p.HTML = strings.ToValidUTF8(env.HTML, "\uFFFD")
	count := 0
	if env.Root != nil {
		_ = env.Root.DepthMatchAll(func(*enmime.Part) bool { count++; return false })
	}
	if count > MaxParts {
		return nil, parseErr("more than %d MIME parts", MaxParts)
	}
	var walk func(ps []*enmime.Part, inline bool)
	walk = func(ps []*enmime.Part, inline bool) {
		for _, pt := range ps {
			if len(pt.Content) == 0 || strings.HasPrefix(pt.ContentType, "multipart/") {
				continue
			}
			if pt.ContentType == "text/html" && pt.FileName == "" || pt.ContentType == "text/plain" && pt.FileName == "" && !inline {
				continue // alternative bodies already in Text/HTML
			}
			name := cleanLine(pt.FileName)
			if name == "" {
				name = defaultName(pt.ContentType)
			}
			p.Parts = append(p.Parts, part{FileName: name, ContentType: pt.ContentType,
				ContentID: strings.Trim(pt.ContentID, "<> "), Inline: inline || pt.ContentID != "", Content: pt.Content})
		}
	}
	walk(env.Attachments, false)
	walk(env.Inlines, true)
	walk(env.OtherParts, true)
	for _, e := range env.Errors {
		p.PartErrors = append(p.PartErrors, e.Error())
	}
	if env.Root != nil && env.Root.ContentType == "multipart/report" {
		p.Bounce = readBounce(env.Root)
	}
	return p, nil
}

func addressList(env *enmime.Envelope, key string) []*mail.Address {
	list, err := env.AddressList(key)
	if err == nil {
		return list
	}
	// Lenient fallback for broken lists: take what looks like addresses.
	var out []*mail.Address
	for _, m := range looseAddrRE.FindAllString(env.GetHeader(key), 20) {
		if a, err := mail.ParseAddress(m); err == nil {
			out = append(out, a)
		}
	}
	return out
}

var looseAddrRE = regexp.MustCompile(`[A-Za-z0-9._%+\-=]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)

func defaultName(ct string) string {
	ext := ".bin"
	if exts, _ := mime.ExtensionsByType(ct); len(exts) > 0 {
		ext = exts[0]
	}
	base := "attachment"
	if strings.HasPrefix(ct, "image/") {
		base = "image"
	}
	return base + ext
}

// cleanLine makes a header value safe to store: valid UTF-8, one line, bounded.
func cleanLine(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > 480 {
		s = string([]rune(s)[:480]) + "…"
	}
	return s
}

func readBounce(root *enmime.Part) *bounce {
	rep, err := dsn.ParseReport(root)
	if err != nil || rep == nil {
		return nil
	}
	b := &bounce{Diagnostic: strings.TrimSpace(rep.Explanation.Text)}
	for _, r := range rep.DeliveryStatus.RecipientDSNs {
		if !dsn.IsFailed(r) {
			continue
		}
		for _, h := range []string{"Final-Recipient", "Original-Recipient"} {
			v := r.Get(h)
			if _, addr, ok := strings.Cut(v, ";"); ok {
				addr = strings.ToLower(strings.Trim(strings.TrimSpace(addr), "<>"))
				if addr != "" && !slices.Contains(b.Recipients, addr) {
					b.Recipients = append(b.Recipients, addr)
				}
				break
			}
		}
		if d := r.Get("Diagnostic-Code"); d != "" {
			b.Diagnostic = d
		}
	}
	if len(rep.OriginalMessage) > 0 {
		if id := quickMessageID(rep.OriginalMessage); id != "" {
			b.OrigIDs = append(b.OrigIDs, id)
		}
	}
	// The original may also come as text/rfc822-headers; scan for ids.
	_ = root.DepthMatchAll(func(p *enmime.Part) bool {
		if p.ContentType == "text/rfc822-headers" {
			if id := quickMessageID(p.Content); id != "" {
				b.OrigIDs = append(b.OrigIDs, id)
			}
		}
		return false
	})
	if len(b.Diagnostic) > 2000 {
		b.Diagnostic = b.Diagnostic[:2000]
	}
	return b
}

// lenientText rebuilds a message whose MIME structure is broken as a plain
// text message: header lines with a colon are kept (except the content
// headers), lines without one are dropped, and the body is taken as it is.
func lenientText(raw []byte) []byte {
	end := headerEnd(raw)
	if end < 0 {
		end = min(len(raw), MaxHeaderBytes)
	}
	var b bytes.Buffer
	keep := false
	for _, line := range strings.Split(strings.ReplaceAll(string(raw[:end]), "\r\n", "\n"), "\n") {
		if line == "" {
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			if keep {
				b.WriteString(line + "\r\n")
			}
			continue
		}
		k, _, ok := strings.Cut(line, ":")
		k = strings.ToLower(strings.TrimSpace(k))
		keep = ok && !strings.ContainsAny(k, " \t") && !strings.HasPrefix(k, "content-") && k != "mime-version"
		if keep {
			b.WriteString(line + "\r\n")
		}
	}
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\n\r\n")
	b.Write(raw[end:])
	return b.Bytes()
}
