package email

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// ingestedFlag marks messages that are committed, on servers that allow
// keywords; \Seen is set too (and alone on servers without keywords).
const ingestedFlag imap.Flag = "$LayanIngested"

// runPollers keeps one IMAP poller running per active address with an IMAP
// URL, restarting them when addresses change.
func (s *Service) runPollers(ctx context.Context) {
	type running struct {
		url    string
		cancel context.CancelFunc
		done   chan struct{}
	}
	pollers := map[int64]*running{}
	stop := func(id int64) {
		p := pollers[id]
		p.cancel()
		<-p.done
		delete(pollers, id)
	}
	defer func() {
		for id := range pollers {
			stop(id)
		}
	}()
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		if book, err := s.addresses(ctx); err == nil {
			want := map[int64]Address{}
			for _, a := range book.list {
				if a.Active && a.IMAPURL != "" {
					want[a.ID] = a
				}
			}
			for id, p := range pollers {
				if a, ok := want[id]; !ok || a.IMAPURL != p.url {
					stop(id)
				}
			}
			for id, a := range want {
				if _, ok := pollers[id]; ok {
					continue
				}
				pctx, cancel := context.WithCancel(ctx)
				p := &running{url: a.IMAPURL, cancel: cancel, done: make(chan struct{})}
				pollers[id] = p
				go func() {
					defer close(p.done)
					s.pollMailbox(pctx, a)
				}()
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-s.reconfigure:
		case <-t.C:
		}
	}
}

// pollMailbox polls one mailbox until ctx ends, reconnecting with back-off.
func (s *Service) pollMailbox(ctx context.Context, a Address) {
	backoff := time.Second
	for ctx.Err() == nil {
		start := time.Now()
		err := s.imapSession(ctx, a, false)
		if ctx.Err() != nil {
			return
		}
		s.log.Warn("imap poller disconnected", "address", a.Email, "server", RedactURL(a.IMAPURL), "err", err, "retry_in", backoff)
		if time.Since(start) > 5*time.Minute {
			backoff = time.Second
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 5*time.Minute)
	}
}

// PollOnce connects to the mailbox of address id, ingests every message
// waiting there and disconnects. It returns how many messages it handled.
func (s *Service) PollOnce(ctx context.Context, id int64) (int, error) {
	a, err := s.getAddress(ctx, id)
	if err != nil {
		return 0, err
	}
	if a.IMAPURL == "" {
		return 0, errors.New("the address has no IMAP URL")
	}
	var n int
	err = s.imapRun(ctx, a, true, &n)
	return n, err
}

func (s *Service) imapSession(ctx context.Context, a Address, once bool) error {
	var n int
	return s.imapRun(ctx, a, once, &n)
}

// dialIMAP connects and logs in.
func (s *Service) dialIMAP(ctx context.Context, u ServerURL, newMail chan<- struct{}) (*imapclient.Client, error) {
	host, _, _ := net.SplitHostPort(u.Host)
	opts := &imapclient.Options{
		TLSConfig: s.tlsConfig(host, u.InsecureSkipVerify),
		Dialer:    &net.Dialer{Timeout: 30 * time.Second},
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					select {
					case newMail <- struct{}{}:
					default:
					}
				}
			},
		},
	}
	var c *imapclient.Client
	var err error
	switch u.TLS {
	case "implicit":
		c, err = imapclient.DialTLS(u.Host, opts)
	case "starttls":
		c, err = imapclient.DialStartTLS(u.Host, opts)
	default:
		c, err = imapclient.DialInsecure(u.Host, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", u.Host, err)
	}
	if err := c.Login(u.User, u.Password).Wait(); err != nil {
		c.Close()
		return nil, fmt.Errorf("log in as %s: %w", u.User, err)
	}
	return c, nil
}

func (s *Service) imapRun(ctx context.Context, a Address, once bool, count *int) error {
	u, err := ParseServerURL("imap", a.IMAPURL)
	if err != nil {
		return err
	}
	newMail := make(chan struct{}, 1)
	c, err := s.dialIMAP(ctx, u, newMail)
	if err != nil {
		return err
	}
	var closeOnce sync.Once
	closeConn := func() { closeOnce.Do(func() { c.Close() }) }
	defer closeConn()
	stopWatch := context.AfterFunc(ctx, closeConn) // unblock network reads on shutdown
	defer stopWatch()
	sel, err := c.Select(u.Folder, nil).Wait()
	if err != nil {
		return fmt.Errorf("select %s: %w", u.Folder, err)
	}
	keywords := slices.Contains(sel.PermanentFlags, imap.FlagWildcard)
	for {
		n, err := s.drainMailbox(ctx, c, a, u, keywords)
		*count += n
		if err != nil || once {
			return err
		}
		if c.Caps().Has(imap.CapIdle) {
			idle, err := c.Idle()
			if err != nil {
				return fmt.Errorf("idle: %w", err)
			}
			select {
			case <-ctx.Done():
			case <-newMail:
			case <-time.After(s.cfg.IdleTimeout):
			case <-c.Closed():
			}
			if err := idle.Close(); err != nil {
				return err
			}
			if err := idle.Wait(); err != nil {
				return fmt.Errorf("idle: %w", err)
			}
		} else {
			select {
			case <-ctx.Done():
			case <-time.After(s.cfg.PollInterval):
			}
			if err := c.Noop().Wait(); err != nil {
				return err
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// imapBatch is how many messages are fetched, ingested and then marked
// together. Larger batches keep the ingest workers busy longer between
// the batch's end (all committed, then marked) and the next fetch; a crash
// leaves at most one batch unmarked, fetched again and found stored.
const imapBatch = 200

// drainMailbox ingests every message not yet marked, in batches; each batch
// is marked (or moved) only after all of its messages are committed.
func (s *Service) drainMailbox(ctx context.Context, c *imapclient.Client, a Address, u ServerURL, keywords bool) (int, error) {
	criteria := &imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagDeleted}}
	if keywords {
		criteria.NotFlag = append(criteria.NotFlag, ingestedFlag)
	} else {
		criteria.NotFlag = append(criteria.NotFlag, imap.FlagSeen)
	}
	found, err := c.UIDSearch(criteria, nil).Wait()
	if err != nil {
		return 0, fmt.Errorf("search: %w", err)
	}
	uids := found.AllUIDs()
	total := 0
	for len(uids) > 0 && ctx.Err() == nil {
		// Sizes first, to batch by bytes and to refuse oversized messages.
		batch := uids[:min(len(uids), imapBatch)]
		uids = uids[len(batch):]
		sizes, err := c.Fetch(imap.UIDSetNum(batch...), &imap.FetchOptions{UID: true, RFC822Size: true}).Collect()
		if err != nil {
			return total, fmt.Errorf("fetch sizes: %w", err)
		}
		var small []imap.UID
		var done []imap.UID
		var bytesInBatch int64
		flush := func() error {
			if len(small) == 0 {
				return nil
			}
			ok, err := s.fetchAndIngest(ctx, c, a, small)
			done = append(done, ok...)
			small, bytesInBatch = nil, 0
			return err
		}
		for _, m := range sizes {
			if m.RFC822Size > s.cfg.MaxMessageBytes {
				if err := s.ingestOversized(ctx, c, a, m.UID, m.RFC822Size); err != nil {
					return total, err
				}
				done = append(done, m.UID)
				continue
			}
			if bytesInBatch+m.RFC822Size > 32<<20 {
				if err := flush(); err != nil {
					_ = s.markDone(c, u, done, keywords)
					return total + len(done), err
				}
			}
			small = append(small, m.UID)
			bytesInBatch += m.RFC822Size
		}
		err = flush()
		if merr := s.markDone(c, u, done, keywords); merr != nil {
			return total, merr
		}
		total += len(done)
		if err != nil {
			return total, err
		}
	}
	return total, ctx.Err()
}

// ingestOversized records a message over the size limit from its first 64 KiB.
func (s *Service) ingestOversized(ctx context.Context, c *imapclient.Client, a Address, uid imap.UID, size int64) error {
	section := &imap.FetchItemBodySection{Peek: true, Partial: &imap.SectionPartial{Offset: 0, Size: 64 << 10}}
	msgs, err := c.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
	if err != nil {
		return fmt.Errorf("fetch head: %w", err)
	}
	if len(msgs) == 0 {
		return nil
	}
	head := msgs[0].FindBodySection(section)
	key, msgID := dedupeKey(head)
	_, err = s.recordTooLarge(ctx, Inbound{Raw: head, Source: "imap", AddressID: a.ID, size: size}, key, msgID)
	return err
}

// markDone flags (or moves) committed messages.
func (s *Service) markDone(c *imapclient.Client, u ServerURL, uids []imap.UID, keywords bool) error {
	if len(uids) == 0 {
		return nil
	}
	set := imap.UIDSetNum(uids...)
	flags := []imap.Flag{imap.FlagSeen}
	if keywords {
		flags = append(flags, ingestedFlag)
	}
	if err := c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: flags}, nil).Close(); err != nil {
		return fmt.Errorf("flag: %w", err)
	}
	if u.MoveTo != "" {
		if _, err := c.Move(set, u.MoveTo).Wait(); err != nil {
			return fmt.Errorf("move to %s: %w", u.MoveTo, err)
		}
	}
	return nil
}
