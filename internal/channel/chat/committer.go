package chat

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// Group commit: the messages that arrive while a transaction commits go
// into the next one together, so a node stores a thousand messages a
// second with a few dozen commits (one fsync each) instead of a thousand.
// Each message is still committed before it is acknowledged.

const maxBatch = 128

type appendReq struct {
	c    *Conversation
	m    *Message
	v    Visitor
	atts []string
	dup  bool
	err  error
	done chan struct{}
}

type committer struct {
	once sync.Once
	reqs chan *appendReq
}

// commit queues one message for the next group commit and waits for it.
func (s *Service) commit(ctx context.Context, c *Conversation, m *Message, v Visitor, atts []string) (bool, error) {
	s.committer.once.Do(func() {
		s.committer.reqs = make(chan *appendReq, 4*maxBatch)
		go s.commitLoop()
	})
	r := &appendReq{c: c, m: m, v: v, atts: atts, done: make(chan struct{})}
	select {
	case s.committer.reqs <- r:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	<-r.done // the loop always answers; the caller's message may be committed even if it stopped waiting
	return r.dup, r.err
}

func (s *Service) commitLoop() {
	for r := range s.committer.reqs {
		batch := []*appendReq{r}
	more:
		for len(batch) < maxBatch {
			select {
			case r := <-s.committer.reqs:
				batch = append(batch, r)
			default:
				break more
			}
		}
		err := s.db.WithTx(context.Background(), func(tx *sql.Tx) error {
			for _, r := range batch {
				if err := s.appendOne(tx, r); err != nil {
					return err
				}
			}
			return nil
		})
		for _, r := range batch {
			if err != nil && (r.err == nil || r.dup) {
				r.err, r.dup = err, false // nothing of the batch was stored
			}
			close(r.done)
		}
	}
}

// appendOne stores one message of a batch. A refusal (ended conversation,
// bad upload) is the request's error and leaves the batch going: the
// savepoint undoes what the message had written. A database error fails
// the batch.
func (s *Service) appendOne(tx *sql.Tx, r *appendReq) error {
	ctx := context.Background()
	m := r.m
	if m.Ref != "" {
		err := tx.QueryRowContext(ctx, `SELECT id, seq, created_at, body FROM chat_messages
			WHERE conversation_id = $1 AND author_kind = $2 AND client_ref = $3`, r.c.ID, m.Author.Kind, m.Ref).Scan(&m.ID, &m.Seq, &m.At, &m.Text)
		if err == nil {
			r.dup = true
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	}
	if len(r.atts) == 0 {
		// The only refusal, an ended conversation, happens before any write.
		err := s.insertMessage(ctx, tx, r.c, m, r.v, nil)
		if ErrorCode(err) != "" {
			r.err = err
			return nil
		}
		return err
	}
	if _, err := tx.ExecContext(ctx, `SAVEPOINT chat_message`); err != nil {
		return err
	}
	err := s.insertMessage(ctx, tx, r.c, m, r.v, r.atts)
	if ErrorCode(err) != "" {
		r.err = err
		_, err = tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT chat_message`)
		return err
	}
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `RELEASE SAVEPOINT chat_message`)
	return err
}
