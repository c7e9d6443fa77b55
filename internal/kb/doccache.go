package kb

import (
	"context"
	"sync"
)

// docCacheMax bounds the documents kept; past it the cache starts over.
const docCacheMax = 50_000

// docCache keeps what ranking and filtering read of a document (kb_docs
// without its body and words), by id. A kb_docs row is never updated: a
// change deletes it and inserts another, and PostgreSQL never gives an id
// twice, so an entry cannot go stale there; SQLite may give a deleted
// largest id again, and local index writes (indexGen) drop the cache for
// that. Without it a search read some sixty fat rows to rank candidates of
// which it shows ten.
type docCache struct {
	mu  sync.Mutex
	gen uint64
	m   map[int64]docRow
}

// get copies the cached documents among ids into out and returns the
// generation to pass to put.
func (c *docCache) get(ids []int64, out map[int64]docRow) uint64 {
	gen := indexGen.Load()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		c.gen, c.m = gen, nil
	}
	for _, id := range ids {
		if d, ok := c.m[id]; ok {
			out[id] = d
		}
	}
	return gen
}

// put keeps documents read from the database, unless the index was written
// meanwhile.
func (c *docCache) put(gen uint64, docs map[int64]docRow) {
	if indexGen.Load() != gen {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if c.m == nil || len(c.m)+len(docs) > docCacheMax {
		c.m = make(map[int64]docRow, len(docs))
	}
	for id, d := range docs {
		d.body, d.hasBody, d.words = "", false, ""
		c.m[id] = d
	}
}

// cachedDocs is docs with the cache: the first withBody ids (the likely
// page) are always read, with their bodies, and the others only when not
// cached, all in one statement. Phrase searches need the word lists, which
// the cache does not keep.
func (s *Service) cachedDocs(ctx context.Context, ids []int64, withWords bool, withBody int) (map[int64]docRow, error) {
	if withWords {
		return s.docs(ctx, ids, true, withBody)
	}
	withBody = min(withBody, len(ids))
	out := make(map[int64]docRow, len(ids))
	gen := s.docMeta.get(ids[withBody:], out)
	fetch := make([]int64, 0, len(ids)-len(out))
	fetch = append(fetch, ids[:withBody]...)
	for _, id := range ids[withBody:] {
		if _, ok := out[id]; !ok {
			fetch = append(fetch, id)
		}
	}
	if len(fetch) == 0 {
		return out, nil
	}
	read, err := s.docs(ctx, fetch, false, withBody)
	if err != nil {
		return nil, err
	}
	s.docMeta.put(gen, read)
	for id, d := range read {
		out[id] = d
	}
	return out, nil
}
