package kb

import (
	"sync"
	"sync/atomic"
	"time"
)

// indexGen counts index writes in this process (index and unindex bump it,
// whichever service or package calls them): a term's document frequency
// read before a write is not reused after it.
var indexGen atomic.Uint64

// dfMaxAge bounds how long a cached document frequency is used. Writes by
// other nodes of a cluster (and a search that read the index while a local
// write was about to commit) are seen after at most this long, within the
// "searchable within 1 s" promise.
const dfMaxAge = 500 * time.Millisecond

// dfCacheMax bounds the entries; past it the cache starts over.
const dfCacheMax = 100_000

// dfCache remembers document frequencies (and the document count, under
// docCountTerm), including those of terms the index does not hold (0): a
// search otherwise spends a round trip on kb_terms before it can read a
// single posting.
type dfCache struct {
	mu  sync.Mutex
	gen uint64
	m   map[string]dfEntry
}

type dfEntry struct {
	df int64
	at time.Time
}

// get returns the cached frequencies of terms (found) and the terms to read
// from the database (missing), with the generation to pass to put.
func (c *dfCache) get(terms []string, found map[string]int64) (missing []string, gen uint64) {
	gen = indexGen.Load()
	now := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		c.gen, c.m = gen, nil
	}
	for _, t := range terms {
		if e, ok := c.m[t]; ok && now.Sub(e.at) < dfMaxAge {
			found[t] = e.df
		} else {
			missing = append(missing, t)
		}
	}
	return missing, gen
}

// put stores frequencies read from the database (0 for the terms asked for
// and not found) unless the index was written meanwhile.
func (c *dfCache) put(gen uint64, asked []string, read map[string]int64, at time.Time) {
	if indexGen.Load() != gen {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if c.m == nil || len(c.m)+len(asked) > dfCacheMax {
		c.m = make(map[string]dfEntry, len(asked))
	}
	for _, t := range asked {
		c.m[t] = dfEntry{read[t], at}
	}
}
