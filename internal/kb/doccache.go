package kb

import (
	"context"
	"sync"
)

// The cache's bounds; past either it starts over.
const (
	docCacheMax       = 50_000
	docCacheBodyBytes = 8 << 20 // the bodies of pages shown, some thousands of documents
)

// docCache keeps what ranking and filtering read of a document (kb_docs
// without its word list), by id, and the body of those that made a page. A
// kb_docs row is never updated: a change deletes it and inserts another, and
// PostgreSQL never gives an id twice, so an entry cannot go stale there;
// SQLite may give a deleted largest id again, and local index writes
// (indexGen) drop the cache for that. Without it a search read some sixty fat
// rows to rank candidates of which it shows ten; with it a search for what
// was searched before reads nothing but postings.
type docCache struct {
	mu        sync.Mutex
	gen       uint64
	m         map[int64]docRow
	bodyBytes int
}

// get copies the cached documents among ids into out and returns the
// generation to pass to put.
func (c *docCache) get(ids []int64, out map[int64]docRow) uint64 {
	gen := indexGen.Load()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		c.gen, c.m, c.bodyBytes = gen, nil, 0
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
	if c.m == nil || len(c.m)+len(docs) > docCacheMax || c.bodyBytes > docCacheBodyBytes {
		c.m, c.bodyBytes = make(map[int64]docRow, len(docs)), 0
	}
	for id, d := range docs {
		d.words = ""
		if old, ok := c.m[id]; ok && old.hasBody && !d.hasBody {
			continue // keep the body
		}
		if d.hasBody {
			c.bodyBytes += len(d.body)
		}
		c.m[id] = d
	}
}

// cachedDocs is docs with the cache: of the first withBody ids (the likely
// page) those whose bodies are not cached are read with them, and of the
// others those not cached, in one statement; often none. Phrase searches
// need the word lists, which the cache does not keep.
func (s *Service) cachedDocs(ctx context.Context, ids []int64, withWords bool, withBody int) (map[int64]docRow, error) {
	if withWords {
		return s.docs(ctx, ids, true, withBody)
	}
	withBody = min(withBody, len(ids))
	out := make(map[int64]docRow, len(ids))
	gen := s.docMeta.get(ids, out)
	var fetch []int64
	for _, id := range ids[:withBody] {
		if !out[id].hasBody {
			fetch = append(fetch, id)
		}
	}
	bodies := len(fetch)
	for _, id := range ids[withBody:] {
		if _, ok := out[id]; !ok {
			fetch = append(fetch, id)
		}
	}
	if len(fetch) == 0 {
		return out, nil
	}
	// The body count is rounded up, for a few statements' shapes only: a
	// few more bodies than needed may come along.
	read, err := s.docs(ctx, fetch, false, (bodies+7)/8*8)
	if err != nil {
		return nil, err
	}
	s.docMeta.put(gen, read)
	for id, d := range read {
		out[id] = d
	}
	return out, nil
}
