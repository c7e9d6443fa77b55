package kb

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// indexGen counts index writes in this process (index and unindex bump it,
// whichever service or package calls them): a term's document frequency
// read before a write is not reused after it.
var indexGen atomic.Uint64

// How long a cached document frequency is used. Writes by other nodes of a
// cluster, and by a local write that committed after a search read the
// index, are seen after at most this long. A term cached as absent is
// checked on every search (see postings), so a newly published word is found
// at once; it expires too, for the rare term whose documents this reader
// may not see.
const (
	dfMaxAge     = 5 * time.Second
	absentMaxAge = 30 * time.Second
)

// DropSearchCaches makes every service's searches forget what they cached,
// as an index write does: for benchmarks of a search that finds nothing
// cached.
func (s *Service) DropSearchCaches() { indexGen.Add(1) }

// errStaleDF: a term cached as absent has postings; the search reads its
// frequencies afresh.
var errStaleDF = errors.New("kb: stale document frequencies")

// dfRead is one search's use of the cache.
type dfRead struct {
	fresh  bool     // read every frequency from the database
	probes []string // terms taken as absent from the cache, to check
}

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
		if e, ok := c.m[t]; ok && (now.Sub(e.at) < dfMaxAge || e.df == 0 && now.Sub(e.at) < absentMaxAge) {
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
		if t == docCountTerm && read[t] == 0 {
			continue // an empty index is no absent term: nothing could probe it
		}
		c.m[t] = dfEntry{read[t], at}
	}
}

// drop forgets terms.
func (c *dfCache) drop(terms []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, t := range terms {
		delete(c.m, t)
	}
}

// nearCache remembers, for the unknown words of a query (their deletion
// keys and halves), the index words near them: the typo look-up joins two
// tables over dozens of keys, and a misspelling is seldom made once. Local
// index writes drop it; another node's new words are offered as corrections
// after at most dfMaxAge (the word itself is found at once, see postings).
// The maps are shared: readers must not change them.
type nearCache struct {
	mu  sync.Mutex
	gen uint64
	m   map[string]nearEntry
}

type nearEntry struct {
	known map[string][]string
	at    time.Time
}

const nearCacheMax = 2_000 // queries with unknown words; each holds a few dozen words

// get returns the cached words for key (nil if none, or fresh is set) and
// the generation to pass to put.
func (c *nearCache) get(key string, fresh bool) (map[string][]string, uint64) {
	gen := indexGen.Load()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		c.gen, c.m = gen, nil
	}
	if e, ok := c.m[key]; ok && !fresh && time.Since(e.at) < dfMaxAge {
		return e.known, gen
	}
	return nil, gen
}

func (c *nearCache) put(gen uint64, key string, known map[string][]string) {
	at := time.Now()
	if indexGen.Load() != gen {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if c.m == nil || len(c.m) >= nearCacheMax {
		c.m = map[string]nearEntry{}
	}
	c.m[key] = nearEntry{known, at}
}
