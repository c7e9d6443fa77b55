package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// client is a keep-alive HTTP client of the API under test, authenticated
// with an API token the way integrations call Zendesk.
type client struct {
	base string
	auth string
	http *http.Client
}

func newClient(base, email, token string, conns int) *client {
	tr := &http.Transport{
		MaxIdleConns:        conns * 2,
		MaxIdleConnsPerHost: conns * 2,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
	return &client{base: base, auth: basicAuth(email+"/token", token), http: &http.Client{Transport: tr, Timeout: time.Minute}}
}

// do sends one request and reads the whole answer (so the connection is
// reused). took is the latency: from sending to the last byte of the answer.
// A non-2xx answer is an error.
func (c *client) do(ctx context.Context, method, path string, body []byte) (status int, h http.Header, raw []byte, took time.Duration, err error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	url := path
	if len(path) > 0 && path[0] == '/' {
		url = c.base + path
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return 0, nil, nil, 0, err
	}
	req.Header.Set("Authorization", c.auth)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, nil, time.Since(start), err
	}
	defer resp.Body.Close()
	raw, err = io.ReadAll(resp.Body)
	took = time.Since(start)
	if err != nil {
		return resp.StatusCode, resp.Header, raw, took, err
	}
	if resp.StatusCode/100 != 2 {
		msg := raw
		if len(msg) > 300 {
			msg = msg[:300]
		}
		return resp.StatusCode, resp.Header, raw, took, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, msg)
	}
	return resp.StatusCode, resp.Header, raw, took, nil
}

// result is what one operation measured.
type result struct {
	name     string
	count    int
	errors   int
	elapsed  time.Duration
	lat      []time.Duration // sorted
	matches  int64           // sum of "count" fields seen (lists, searches)
	matchN   int64           // how many answers carried one
	firstErr error
	note     string
	solo     *result       // the same operation by one client alone
	cpu      time.Duration // CPU time of the whole process (server and clients) during the run
}

// cpuPerRequest is the process CPU time one request cost, server and client
// together: unlike latency, it hardly moves when other programs load the machine.
func (r *result) cpuPerRequest() time.Duration {
	if r.count == 0 {
		return 0
	}
	return r.cpu / time.Duration(r.count)
}

func (r *result) throughput() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.count) / r.elapsed.Seconds()
}

// pct returns the p-th percentile (nearest rank) of the sorted latencies.
func (r *result) pct(p float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	i := int(float64(len(r.lat))*p/100+0.999999) - 1
	return r.lat[max(0, min(i, len(r.lat)-1))]
}

// step is one request of an operation, made by worker w with its own random
// source. It returns the "count" the answer reported (-1 when none) and the
// request's latency (building the request body is not part of it).
type step func(ctx context.Context, w int, r *rand.Rand) (matches int, took time.Duration, err error)

// run makes total requests of one operation with the given number of
// concurrent clients, each issuing its next request as soon as the previous
// one is answered (a closed loop), and records each latency. After limit (when
// positive) no new request starts, so a slow operation reports fewer.
func run(ctx context.Context, name string, total, clients int, limit time.Duration, seed uint64, fn step) *result {
	res := &result{name: name}
	var next atomic.Int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	lats := make([][]time.Duration, clients)
	start, cpu0 := time.Now(), processCPU()
	deadline := start.Add(limit)
	for w := 0; w < clients; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, uint64(w)+1))
			own := make([]time.Duration, 0, total/clients+1)
			var errs int
			var firstErr error
			var matches, matchN int64
			for next.Add(1) <= int64(total) {
				if ctx.Err() != nil || (limit > 0 && time.Now().After(deadline)) {
					break
				}
				m, took, err := fn(ctx, w, r)
				own = append(own, took)
				if err != nil {
					errs++
					if firstErr == nil {
						firstErr = err
					}
					continue
				}
				if m >= 0 {
					matches += int64(m)
					matchN++
				}
			}
			lats[w] = own
			mu.Lock()
			res.errors += errs
			res.matches += matches
			res.matchN += matchN
			if res.firstErr == nil {
				res.firstErr = firstErr
			}
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	res.elapsed, res.cpu = time.Since(start), processCPU()-cpu0
	for _, l := range lats {
		res.lat = append(res.lat, l...)
	}
	slices.Sort(res.lat)
	res.count = len(res.lat)
	return res
}
