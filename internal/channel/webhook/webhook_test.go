package webhook

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"
)

// fakeDNS answers for test names without any network.
func fakeDNS(ctx context.Context, host string) ([]netip.Addr, error) {
	m := map[string][]string{
		"internal.example":  {"10.1.2.3"},
		"meta.example":      {"169.254.169.254"},
		"v6local.example":   {"::1"},
		"mixed.example":     {"93.184.216.34", "192.168.1.5"},
		"rebind.example":    {"172.16.0.9"},
		"mapped.example":    {"::ffff:127.0.0.1"},
		"public.example":    {"93.184.216.34"},
		"localhost.example": {"127.0.0.1"},
	}
	var out []netip.Addr
	for _, s := range m[host] {
		out = append(out, netip.MustParseAddr(s))
	}
	return out, nil
}

func TestSSRFGuardRefuses(t *testing.T) {
	var dialed []string
	s := New(Options{Resolve: fakeDNS, Timeout: 2 * time.Second})
	s.dialed = func(a string) { dialed = append(dialed, a) }
	for _, target := range []string{
		"http://127.0.0.1:9/hook",
		"http://127.5.5.5/hook",
		"http://10.0.0.1/hook",
		"http://10.255.255.255:8080/hook",
		"http://172.16.3.4/",
		"http://192.168.0.1/",
		"http://169.254.169.254/latest/meta-data/",
		"http://[::1]:9/hook",
		"http://[::ffff:127.0.0.1]/",
		"http://[fe80::1]/",
		"http://[fc00::1]/",
		"http://0.0.0.0/",
		"http://100.64.0.1/",
		"http://localhost/",
		"http://internal.example/hook",
		"http://meta.example/",
		"http://v6local.example/",
		"http://mixed.example/",
		"http://mapped.example/",
		"http://localhost.example:8080/",
	} {
		t.Run(target, func(t *testing.T) {
			_, err := s.Send(context.Background(), Request{URL: target, Secret: []byte("k"), Body: []byte(`{}`)})
			if !errors.Is(err, ErrRefused) {
				t.Fatalf("want refusal, got %v", err)
			}
			var p PermanentError
			if !errors.As(err, &p) {
				t.Fatalf("refusal should be permanent: %v", err)
			}
		})
	}
	if len(dialed) != 0 {
		t.Fatalf("the guard let a connection through: %v", dialed)
	}
	// The socket-level check refuses too (the last line behind the pinning).
	for _, a := range []string{"127.0.0.1:80", "[::1]:80", "10.0.0.1:80", "169.254.169.254:80"} {
		if err := guardControl("tcp", a, nil); !errors.Is(err, ErrRefused) {
			t.Errorf("control %s: %v", a, err)
		}
	}
	if err := guardControl("tcp", "93.184.216.34:443", nil); err != nil {
		t.Errorf("public address refused: %v", err)
	}
	for _, bad := range []string{"ftp://x.example/", "http://user:pw@x.example/", "not a url", "http:///x"} {
		if s.CheckURL(bad) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestSignedDeliveryToAllowedHost(t *testing.T) {
	secret := []byte("s3cret")
	var got struct {
		body           []byte
		sig, ts, event string
	}
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.body, _ = io.ReadAll(r.Body)
		got.sig, got.ts, got.event = r.Header.Get(HeaderSignature), r.Header.Get(HeaderTimestamp), r.Header.Get(HeaderEvent)
		w.WriteHeader(status)
	}))
	defer srv.Close()
	host := strings.Split(mustHost(t, srv.URL), ":")[0]
	// Not allowed: 127.0.0.1 is refused even though the server is real.
	s := New(Options{Timeout: 2 * time.Second})
	if _, err := s.Send(context.Background(), Request{URL: srv.URL, Secret: secret, Body: []byte(`{}`)}); !errors.Is(err, ErrRefused) {
		t.Fatalf("loopback not refused: %v", err)
	}
	s = New(Options{Timeout: 2 * time.Second, Allowed: func(h string) bool { return h == host }})
	body := []byte(`{"ticket":{"id":1}}`)
	res, err := s.Send(context.Background(), Request{URL: srv.URL, Secret: secret, Event: "ticket.created", Body: body})
	if err != nil || res.Status != 200 {
		t.Fatalf("send: %v %+v", err, res)
	}
	if string(got.body) != string(body) || got.event != "ticket.created" || !Verify(secret, got.ts, got.body, got.sig) {
		t.Fatalf("bad delivery %+v", got)
	}
	if Verify([]byte("other"), got.ts, got.body, got.sig) {
		t.Fatal("signature verifies with another secret")
	}
	status = http.StatusInternalServerError
	if _, err := s.Send(context.Background(), Request{URL: srv.URL, Secret: secret, Body: body}); err == nil || errors.As(err, new(PermanentError)) {
		t.Fatalf("5xx should be a retryable error: %v", err)
	}
	status = http.StatusNotFound
	if _, err := s.Send(context.Background(), Request{URL: srv.URL, Secret: secret, Body: body}); !errors.As(err, new(PermanentError)) {
		t.Fatalf("404 should be permanent: %v", err)
	}
}

func mustHost(t *testing.T, raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}
