// Package webhook sends signed webhook payloads over HTTP. It is the only
// place of the flow-of-work feature that speaks HTTP. Every target is checked
// at dial time: the host name is resolved once, every address is checked
// (no loopback, private, link-local — including the cloud metadata address
// 169.254.169.254 — unspecified, multicast or CGNAT address), and the
// connection goes to the checked address itself, so a DNS answer that
// changes between check and connect (rebinding) cannot reach the inside.
// Hosts on the admin's allow-list skip the check.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ErrRefused is returned for a target the SSRF guard refuses.
var ErrRefused = errors.New("webhook: target address refused")

var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// Refused reports whether the guard refuses to connect to ip.
func Refused(ip netip.Addr) bool {
	ip = ip.Unmap()
	return !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() ||
		ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() || ip.IsMulticast() ||
		ip.IsUnspecified() || cgnat.Contains(ip) ||
		ip == netip.MustParseAddr("169.254.169.254") || ip == netip.MustParseAddr("fd00:ec2::254")
}

// Resolver looks up a host's addresses.
type Resolver func(ctx context.Context, host string) ([]netip.Addr, error)

// Sender posts payloads. The zero value is not usable: use New.
type Sender struct {
	client  *http.Client
	resolve Resolver
	allowed func(host string) bool
	now     func() time.Time
	// dialed records, for tests, the addresses the sender connected to.
	dialed func(addr string)
}

// Options configure a Sender.
type Options struct {
	Timeout time.Duration
	// Allowed reports whether an admin allowed the host (then the guard is
	// skipped for it). Nil: nothing is allowed.
	Allowed func(host string) bool
	// Resolve replaces DNS (tests). Nil: net.DefaultResolver.
	Resolve Resolver
	Now     func() time.Time
}

// New returns a Sender.
func New(o Options) *Sender {
	s := &Sender{resolve: o.Resolve, allowed: o.Allowed, now: o.Now}
	if s.resolve == nil {
		s.resolve = func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		}
	}
	if s.allowed == nil {
		s.allowed = func(string) bool { return false }
	}
	if s.now == nil {
		s.now = time.Now
	}
	if o.Timeout == 0 {
		o.Timeout = 15 * time.Second
	}
	tr := &http.Transport{
		Proxy:                 nil, // a proxy would dial for us, past the guard
		DialContext:           s.dial,
		MaxIdleConns:          20,
		IdleConnTimeout:       30 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: o.Timeout,
	}
	s.client = &http.Client{Transport: tr, Timeout: o.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return s
}

// guardControl refuses a connection to a refused address at the socket level:
// the last line of defence behind the resolve-and-pin in dial.
func guardControl(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil || Refused(ap.Addr()) {
		return fmt.Errorf("%w: %s", ErrRefused, address)
	}
	return nil
}

func (s *Sender) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	d := &net.Dialer{Timeout: 10 * time.Second}
	if s.allowed(strings.ToLower(host)) {
		return d.DialContext(ctx, network, addr)
	}
	var addrs []netip.Addr
	if ip, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		addrs = []netip.Addr{ip}
	} else {
		addrs, err = s.resolve(ctx, host)
		if err != nil {
			return nil, err
		}
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("webhook: %s has no address", host)
	}
	// Any refused answer refuses the host: a name that can point inside is
	// not a public endpoint.
	for _, ip := range addrs {
		if Refused(ip) {
			return nil, fmt.Errorf("%w: %s resolves to %s", ErrRefused, host, ip)
		}
	}
	d.Control = guardControl
	target := net.JoinHostPort(addrs[0].Unmap().String(), port)
	if s.dialed != nil {
		s.dialed(target)
	}
	return d.DialContext(ctx, network, target)
}

// CheckURL validates a target URL's form (scheme, host) and, unless allowed,
// refuses literal addresses the guard would refuse. Names are checked at dial time.
func (s *Sender) CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return fmt.Errorf("webhook: invalid URL")
	}
	host := strings.ToLower(u.Hostname())
	if s.allowed(host) {
		return nil
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return fmt.Errorf("%w: %s", ErrRefused, host)
	}
	if ip, err := netip.ParseAddr(host); err == nil && Refused(ip) {
		return fmt.Errorf("%w: %s", ErrRefused, host)
	}
	return nil
}

// Sign returns the signature headers' value for body at ts: base64 of
// HMAC-SHA256(secret, ts + body), as Zendesk signs its webhooks.
func Sign(secret []byte, ts string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Verify checks a signature (for receivers and tests).
func Verify(secret []byte, ts string, body []byte, sig string) bool {
	want := Sign(secret, ts, body)
	return hmac.Equal([]byte(want), []byte(sig))
}

// Headers carrying the signature.
const (
	HeaderSignature = "X-Layan-Webhook-Signature"
	HeaderTimestamp = "X-Layan-Webhook-Signature-Timestamp"
	HeaderEvent     = "X-Layan-Webhook-Event"
	HeaderID        = "X-Layan-Webhook-Id"
)

// Request is one delivery attempt.
type Request struct {
	URL       string
	Secret    []byte
	Event     string
	WebhookID int64
	Body      []byte
}

// Result of an attempt.
type Result struct {
	Status   int
	Body     string // the first 1 KiB of the response
	Duration time.Duration
}

// PermanentError marks failures that retrying will not fix (refused target,
// invalid URL, a 4xx answer other than 408/429).
type PermanentError struct{ Err error }

func (p PermanentError) Error() string { return p.Err.Error() }
func (p PermanentError) Unwrap() error { return p.Err }

// Send posts the signed payload. A non-2xx answer is an error.
func (s *Sender) Send(ctx context.Context, r Request) (Result, error) {
	if err := s.CheckURL(r.URL); err != nil {
		return Result{}, PermanentError{err}
	}
	ts := s.now().UTC().Format(time.RFC3339)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return Result{}, PermanentError{err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Layan-Webhook/1")
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, Sign(r.Secret, ts, r.Body))
	req.Header.Set(HeaderEvent, r.Event)
	req.Header.Set(HeaderID, strconv.FormatInt(r.WebhookID, 10))
	start := time.Now()
	resp, err := s.client.Do(req)
	res := Result{Duration: time.Since(start)}
	if err != nil {
		if errors.Is(err, ErrRefused) {
			return res, PermanentError{err}
		}
		return res, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	res.Status, res.Body = resp.StatusCode, string(b)
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return res, nil
	}
	err = fmt.Errorf("webhook: HTTP %d", resp.StatusCode)
	if resp.StatusCode >= 400 && resp.StatusCode < 500 && resp.StatusCode != 408 && resp.StatusCode != 429 {
		return res, PermanentError{err}
	}
	return res, err
}
