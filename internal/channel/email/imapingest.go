package email

import (
	"bytes"
	"context"
	"fmt"
	"net/mail"
	"sync"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// defaultIngestWorkers is how many messages of one mailbox are ingested at
// once. One at a time, every message waits for its own commits; several at
// once share the commits of the database's group commit (SQLite) or use
// several connections (PostgreSQL), while the next messages download.
const defaultIngestWorkers = 8

// fetchAndIngest downloads the messages and ingests them, several at a
// time; it returns the UIDs that are committed (ingested, recorded as
// failed, or duplicates). After the first error no further message is
// started; those already running finish and count.
//
// Messages of one batch keep the mailbox's order where it matters: a reply
// whose In-Reply-To or References names a message earlier in the batch
// waits until that one is committed (so it threads into its ticket, as it
// would have one by one), and is skipped when that one failed (both come
// again at the next poll).
func (s *Service) fetchAndIngest(ctx context.Context, c *imapclient.Client, a Address, uids []imap.UID) ([]imap.UID, error) {
	section := &imap.FetchItemBodySection{Peek: true}
	cmd := c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}})
	defer cmd.Close()
	var (
		mu       sync.Mutex
		done     []imap.UID
		firstErr error
		wg       sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
	}
	failed := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return firstErr != nil
	}
	slots := make(chan struct{}, s.cfg.IngestWorkers)
	inFlight := map[string]*pending{} // by Message-ID, messages of this batch
	for !failed() {
		msg := cmd.Next()
		if msg == nil {
			break
		}
		buf, err := msg.Collect()
		if err != nil {
			fail(fmt.Errorf("fetch: %w", err))
			break
		}
		raw := buf.FindBodySection(section)
		if raw == nil {
			continue
		}
		id, refs := threadHeaders(raw)
		var deps []*pending
		for _, r := range refs {
			if p, ok := inFlight[r]; ok {
				deps = append(deps, p)
			}
		}
		me := &pending{done: make(chan struct{})}
		if id != "" {
			if _, dup := inFlight[id]; !dup {
				inFlight[id] = me
			}
		}
		slots <- struct{}{}
		wg.Add(1)
		go func(uid imap.UID) {
			defer wg.Done()
			defer func() { <-slots }()
			defer close(me.done)
			for _, d := range deps {
				<-d.done
				if !d.ok {
					return // its parent comes again at the next poll; so does it
				}
			}
			if _, err := s.Ingest(ctx, Inbound{Raw: raw, Source: "imap", AddressID: a.ID}); err != nil {
				fail(err)
				return
			}
			me.ok = true
			mu.Lock()
			done = append(done, uid)
			mu.Unlock()
		}(buf.UID)
	}
	wg.Wait()
	closeErr := cmd.Close()
	if firstErr != nil {
		return done, firstErr
	}
	return done, closeErr
}

// pending is a message of the batch being ingested; ok is set before done
// is closed.
type pending struct {
	done chan struct{}
	ok   bool
}

// threadHeaders reads a message's own Message-ID and the ids it answers
// (In-Reply-To, References) from its header block.
func threadHeaders(raw []byte) (id string, refs []string) {
	end := headerEnd(raw)
	if end < 0 {
		return "", nil
	}
	msg, err := mail.ReadMessage(bytes.NewReader(append(raw[:end:end], '\r', '\n')))
	if err != nil {
		return quickMessageID(raw), nil
	}
	refs = msgIDList(msg.Header.Get("In-Reply-To"))
	refs = append(refs, msgIDList(msg.Header.Get("References"))...)
	return normalizeMsgID(msg.Header.Get("Message-Id")), refs
}
