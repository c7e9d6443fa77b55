package kb

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"html"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/search/analyze"
)

// SearchRequest is one search over articles and FAQ items.
type SearchRequest struct {
	Query      string
	Locale     string // the reader's locale: a hint for the query language, and their results rank first
	CategoryID int64
	SectionID  int64
	Label      string
	OnlyLocale bool     // only documents in Locale
	Kinds      []string // "article", "faq"; empty: both
	Exclude    []int64  // article ids to leave out (related articles)
	Limit      int      // default 10, at most 100
	Offset     int
	// Record stores the query for analytics (the reader's own searches, not
	// the agent panel's or the bot's lookups); Source names where it came from.
	Record bool
	Source string
}

// Hit is one result.
type Hit struct {
	Kind       string // article or faq
	ID         int64  // article or FAQ id
	Locale     string
	Title      string
	Snippet    string // HTML: escaped text with matched words in <em>
	Body       string // plain text of the document
	CategoryID int64
	SectionID  int64
	Labels     []string
	Score      float64
	// Confidence in [0,1]: how much of the query's weight the document
	// covers. The bot answers only above its threshold.
	Confidence float64
}

// SearchResult is a page of hits.
type SearchResult struct {
	Hits     []Hit
	Total    int   // hits found (at most the candidates read)
	SearchID int64 // for click tracking, when recorded
	Lang     string
}

// qword is a query word with the index terms it may match.
type qword struct {
	word  string
	alts  []qalt
	idf   float64 // the best idf among its known alternatives, for coverage
	known bool
}

type qalt struct {
	term   string
	weight float64
	idf    float64
}

func idf(n, df int64) float64 {
	return math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
}

// parsePhrases takes "quoted phrases" out of a query.
func parsePhrases(q string) (rest string, phrases []string) {
	var b strings.Builder
	for {
		i := strings.IndexByte(q, '"')
		if i < 0 {
			b.WriteString(q)
			break
		}
		j := strings.IndexByte(q[i+1:], '"')
		if j < 0 {
			b.WriteString(q[:i] + " " + q[i+1:])
			break
		}
		b.WriteString(q[:i] + " ")
		p := q[i+1 : i+1+j]
		if strings.TrimSpace(p) != "" {
			phrases = append(phrases, p)
		}
		b.WriteString(p + " ")
		q = q[i+2+j:]
	}
	return b.String(), phrases
}

// Search finds the articles and FAQ items that best answer the query among
// those the actor may read.
func (s *Service) Search(ctx context.Context, a auth.Actor, req SearchRequest) (SearchResult, error) {
	req.Query = strings.TrimSpace(req.Query)
	if err := checkText("query", req.Query, MaxQuery, true); err != nil {
		return SearchResult{}, err
	}
	if req.Limit <= 0 {
		req.Limit = 10
	}
	if req.Limit > 100 || req.Offset < 0 || req.Offset > 1000 {
		return SearchResult{}, apperr.Invalid("per_page", "invalid", "pages hold at most 100 results, up to the 1,000th")
	}
	locale := NormalizeLocale(req.Locale)
	hint, _ := analyze.ParseLang(locale)
	text, phrases := parsePhrases(req.Query)
	qlang, words := analyze.Query(text, hint)
	res := SearchResult{Lang: string(qlang), Hits: []Hit{}}
	hits, err := s.rank(ctx, a, req, locale, string(qlang), words, phrases)
	if err != nil {
		return res, err
	}
	res.Total = len(hits)
	if req.Offset < len(hits) {
		hits = hits[req.Offset:min(len(hits), req.Offset+req.Limit)]
	} else {
		hits = nil
	}
	res.Hits = append(res.Hits, hits...)
	if req.Record {
		res.SearchID, err = s.recordSearch(ctx, a, req.Query, locale, res.Total, req.Source)
		if err != nil {
			s.log.Warn("kb: record search", "err", err)
		}
	}
	return res, nil
}

func (s *Service) rank(ctx context.Context, a auth.Actor, req SearchRequest, locale, qlang string, words []analyze.QueryWord, phrases []string) ([]Hit, error) {
	hits, err := s.rankWith(ctx, a, req, locale, qlang, words, phrases, &dfRead{})
	if errors.Is(err, errStaleDF) { // a word the cache thought absent has documents now
		hits, err = s.rankWith(ctx, a, req, locale, qlang, words, phrases, &dfRead{fresh: true})
	}
	return hits, err
}

func (s *Service) rankWith(ctx context.Context, a auth.Actor, req SearchRequest, locale, qlang string, words []analyze.QueryWord, phrases []string, rd *dfRead) ([]Hit, error) {
	if len(words) == 0 {
		return nil, nil
	}
	if len(words) > 16 {
		words = words[:16]
	}
	// Which alternatives does the index know, and how rare are they?
	var all []string
	for _, w := range words {
		for _, alt := range w.Alts {
			all = append(all, alt.Term)
		}
	}
	df, n, err := s.docFreqs(ctx, all, rd)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, nil
	}
	qws := make([]qword, 0, len(words))
	var unknown []int
	for _, w := range words {
		qw := qword{word: w.Word}
		for _, alt := range w.Alts {
			if d := df[alt.Term]; d > 0 {
				qw.alts = append(qw.alts, qalt{alt.Term, alt.Weight, idf(n, d)})
			}
		}
		if len(qw.alts) > 0 {
			qw.known = true
		} else {
			unknown = append(unknown, len(qws))
		}
		qws = append(qws, qw)
	}
	// Typo tolerance: words the index does not know are matched to words one
	// edit away (many two edits away) through their deletion keys.
	if len(unknown) > 0 {
		if err := s.fuzzy(ctx, qws, unknown, n, rd); err != nil {
			return nil, err
		}
	}
	maxIDF := idf(n, 1)
	var totalIDF float64
	for i := range qws {
		q := &qws[i]
		for _, alt := range q.alts {
			q.idf = max(q.idf, alt.idf*alt.weight)
		}
		if len(q.alts) == 0 {
			q.idf = maxIDF * 0.5 // a word nobody wrote about still counts against confidence
		}
		totalIDF += q.idf
	}
	// Candidate documents: the best-weighted postings of each term.
	type termRef struct {
		q, alt int
	}
	var terms []string
	refs := map[string][]termRef{}
	for qi, q := range qws {
		for ai, alt := range q.alts {
			if _, ok := refs[alt.term]; !ok {
				terms = append(terms, alt.term)
			}
			refs[alt.term] = append(refs[alt.term], termRef{qi, ai})
		}
	}
	if len(terms) == 0 {
		if len(rd.probes) > 0 { // the words may have been published since they were cached
			_, err := s.postings(ctx, nil, rd.probes, readerLevel(a), 1)
			return nil, err
		}
		return nil, nil
	}
	if len(terms) > 32 { // keep the readings that weigh most
		prio := map[string]float64{}
		for _, q := range qws {
			for _, alt := range q.alts {
				prio[alt.term] = max(prio[alt.term], alt.weight*alt.idf)
			}
		}
		slices.SortStableFunc(terms, func(a, b string) int {
			switch {
			case prio[a] > prio[b]:
				return -1
			case prio[a] < prio[b]:
				return 1
			}
			return 0
		})
		terms = terms[:32]
	}
	// A budget of postings per query, shared by its terms: a long question
	// with many readings reads fewer documents per reading.
	perTerm := max(s.PostingsPerTerm/4, min(s.PostingsPerTerm, 4*s.PostingsPerTerm/len(terms)))
	filtered := req.CategoryID != 0 || req.SectionID != 0 || req.Label != "" || req.OnlyLocale || len(req.Kinds) == 1
	if filtered {
		perTerm *= 3 // filters are applied after reading
	}
	postings, err := s.postings(ctx, terms, rd.probes, readerLevel(a), perTerm)
	if err != nil {
		return nil, err
	}
	type cand struct {
		best    []float64 // per query word: best contribution
		score   float64
		covered float64
	}
	// Candidates and their per-word slots are carved from a few large
	// allocations: a query reads up to a few thousand postings.
	pool := make([]cand, 0, len(postings))
	var slots []float64
	cands := make(map[int64]*cand, len(postings)/2)
	for _, p := range postings {
		c := cands[p.doc]
		if c == nil {
			if len(slots) < len(qws) {
				slots = make([]float64, 256*len(qws))
			}
			pool = append(pool, cand{best: slots[:len(qws):len(qws)]})
			slots = slots[len(qws):]
			c = &pool[len(pool)-1]
			cands[p.doc] = c
		}
		for _, r := range refs[p.term] {
			alt := qws[r.q].alts[r.alt]
			v := alt.weight * alt.idf * float64(p.weight) / weightScale
			if v > c.best[r.q] {
				c.best[r.q] = v
			}
		}
	}
	if len(cands) == 0 {
		return nil, nil
	}
	type ranked struct {
		id    int64
		score float64
	}
	order := make([]ranked, 0, len(cands))
	for id, c := range cands {
		for qi, v := range c.best {
			if v > 0 {
				c.score += v
				c.covered += qws[qi].idf
			}
		}
		order = append(order, ranked{id, c.score})
	}
	// Keep the best few hundred for the document read.
	slices.SortFunc(order, func(a, b ranked) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return cmp.Compare(a.id, b.id)
	})
	limit := max(60, 3*(req.Offset+req.Limit))
	if filtered {
		limit *= 4
	}
	ids := make([]int64, min(limit, len(order)))
	for i := range ids {
		ids[i] = order[i].id
	}
	// The page is most likely among the best few candidates: their bodies
	// come with the document read, saving the page's own round trip. Filters
	// can push the page far down the candidates, so filtered searches read
	// the page's bodies afterwards.
	withBody := 0
	if !filtered && len(req.Exclude) == 0 && len(phrases) == 0 {
		withBody = (req.Offset + req.Limit*3/2 + 7) / 8 * 8
	}
	docs, err := s.cachedDocs(ctx, ids, len(phrases) > 0, withBody)
	if err != nil {
		return nil, err
	}
	var phraseWords [][]string
	for _, p := range phrases {
		if ws := analyze.Words(p); len(ws) > 0 {
			phraseWords = append(phraseWords, ws)
		}
	}
	excluded := map[int64]bool{}
	for _, id := range req.Exclude {
		excluded[id] = true
	}
	best := map[string]*Hit{}
	for _, id := range ids {
		d, ok := docs[id]
		if !ok || (len(req.Kinds) > 0 && !slices.Contains(req.Kinds, d.kind)) {
			continue
		}
		if (req.CategoryID != 0 && d.category != req.CategoryID) || (req.SectionID != 0 && d.section != req.SectionID) ||
			(req.Label != "" && !slices.Contains(d.labels, strings.ToLower(req.Label))) || (req.OnlyLocale && d.locale != locale) ||
			(d.kind == "article" && excluded[d.ref]) {
			continue
		}
		if !hasPhrases(d.words, phraseWords) {
			continue
		}
		c := cands[id]
		coverage := c.covered / totalIDF
		score := c.score * (0.5 + 0.5*coverage)
		if d.locale == qlang {
			score *= 1.25
		}
		if d.locale == locale {
			score *= 1.2
		}
		key := fmt.Sprintf("%s:%d", d.kind, d.ref)
		if h := best[key]; h != nil && h.Score >= score {
			continue
		}
		best[key] = &Hit{Kind: d.kind, ID: id, Locale: d.locale, Title: d.title, CategoryID: d.category,
			SectionID: d.section, Labels: slices.Clone(d.labels), Score: score, Confidence: math.Min(1, coverage)}
	}
	hits := make([]Hit, 0, len(best))
	for _, h := range best {
		hits = append(hits, *h)
	}
	slices.SortFunc(hits, func(x, y Hit) int {
		switch {
		case x.Score > y.Score:
			return -1
		case x.Score < y.Score:
			return 1
		case x.ID != y.ID: // document ids here
			return int(x.ID - y.ID)
		}
		return strings.Compare(x.Kind, y.Kind)
	})
	if len(hits) > 1000 {
		hits = hits[:1000]
	}
	match := map[string]bool{}
	for _, q := range qws {
		for _, alt := range q.alts {
			match[alt.term] = true
		}
	}
	// Hit.ID held the document id until now; the page's hits get their
	// bodies and snippets.
	page := hits[min(len(hits), req.Offset):min(len(hits), req.Offset+req.Limit)]
	bodies := make(map[int64]string, len(page))
	var docIDs []int64
	for _, h := range page {
		if d := docs[h.ID]; d.hasBody {
			bodies[h.ID] = d.body
		} else {
			docIDs = append(docIDs, h.ID)
		}
	}
	if err := s.bodies(ctx, docIDs, bodies); err != nil {
		return nil, err
	}
	for i := range hits {
		docID := hits[i].ID
		hits[i].ID = docs[docID].ref
		if body, ok := bodies[docID]; ok {
			hits[i].Body = body
			hits[i].Snippet = snippet(lang(hits[i].Locale), body, match)
		}
	}
	return hits, nil
}

// docFreqs reads the document frequency of each term, and the document
// count: from the cache where it can (see dfCache), the rest in one
// statement.
func (s *Service) docFreqs(ctx context.Context, terms []string, rd *dfRead) (map[string]int64, int64, error) {
	want := append(slices.Clone(terms), docCountTerm)
	slices.Sort(want)
	want = slices.Compact(want)
	out := make(map[string]int64, len(want))
	missing, gen := want, indexGen.Load()
	if !rd.fresh {
		missing, gen = s.dfs.get(want, out)
		for _, t := range want {
			if d, ok := out[t]; ok && d == 0 && !slices.Contains(rd.probes, t) {
				rd.probes = append(rd.probes, t)
			}
		}
	}
	if len(missing) > 0 {
		at := time.Now()
		read, err := s.readDocFreqs(ctx, missing)
		if err != nil {
			return nil, 0, err
		}
		s.dfs.put(gen, missing, read, at)
		for _, t := range missing {
			out[t] = read[t]
		}
	}
	n := out[docCountTerm]
	delete(out, docCountTerm)
	return out, n, nil
}

// readDocFreqs reads the document frequencies of terms from kb_terms
// (terms it lacks are left out).
func (s *Service) readDocFreqs(ctx context.Context, terms []string) (map[string]int64, error) {
	args := make([]any, len(terms))
	for i, t := range terms {
		args[i] = t
	}
	rows, err := s.queryIn(ctx, `SELECT term, df FROM kb_terms WHERE term IN (IN)`, nil, args, docCountTerm)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[string]int64, len(terms))
	for rows.Next() {
		var t string
		var d int64
		if err := rows.Scan(&t, &d); err != nil {
			return nil, err
		}
		out[t] = d
	}
	return out, rows.Err()
}

type posting struct {
	term   string
	weight int64
	doc    int64
}

// postings reads the perTerm best-weighted documents of each term that the
// reader's level allows, in one statement. The probes, terms the cache holds
// as absent from the index, are read alongside: a posting of one means the
// cache is stale (errStaleDF), and the search starts over without it.
func (s *Service) postings(ctx context.Context, terms, probes []string, lvl, perTerm int) ([]posting, error) {
	// On SQLite the statement is prepared once per size (8, 16, 24, ...),
	// padded with the empty term, which has no postings: parsing a long
	// UNION on every query would cost more than running it.
	all := terms
	if len(probes) > 0 {
		all = append(slices.Clip(terms), probes...)
	}
	var rows *sql.Rows
	var err error
	if s.db.Dialect == db.Postgres {
		// One small statement for any number of terms: PostgreSQL plans a
		// UNION of 8 to 32 branches anew on every run (its custom plans),
		// which cost as much as running it.
		s.searchStmts.Add(1)
		rows, err = s.db.R.QueryContext(ctx, `SELECT t.term, p.weight, p.doc_id FROM unnest($3::text[]) AS t (term)
			CROSS JOIN LATERAL (SELECT weight, doc_id FROM kb_postings WHERE term = t.term AND level <= $1
				ORDER BY weight DESC, doc_id DESC LIMIT $2) AS p`, lvl, perTerm, all)
	} else {
		size := (len(all) + 7) / 8 * 8
		var stmt *sql.Stmt
		if stmt, err = s.postingsStmt(ctx, size); err != nil {
			return nil, err
		}
		args := []any{lvl, perTerm}
		for i := 0; i < size; i++ {
			t := docCountTerm
			if i < len(all) {
				t = all[i]
			}
			args = append(args, t)
		}
		s.searchStmts.Add(1)
		rows, err = stmt.QueryContext(ctx, args...)
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []posting
	for rows.Next() {
		var p posting
		if err := rows.Scan(&p.term, &p.weight, &p.doc); err != nil {
			return nil, err
		}
		if len(probes) > 0 && slices.Contains(probes, p.term) {
			s.dfs.drop(probes)
			return nil, errStaleDF
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// queryIn runs q, whose "(IN)" is replaced by a list of placeholders after
// the fixed arguments, with list padded to a size of a few fixed lengths so
// that the prepared statement is reused.
func (s *Service) queryIn(ctx context.Context, q string, fixed, list []any, pad any) (*sql.Rows, error) {
	size := inSize(len(list))
	key := fmt.Sprintf("%d:%s", size, q)
	s.stmtMu.Lock()
	st, ok := s.inStmts[key]
	if !ok {
		var err error
		st, err = s.db.R.PrepareContext(ctx, strings.Replace(q, "(IN)", "("+db.Placeholders(len(fixed)+1, size)+")", 1))
		if err != nil {
			s.stmtMu.Unlock()
			return nil, err
		}
		if s.inStmts == nil {
			s.inStmts = map[string]*sql.Stmt{}
		}
		s.inStmts[key] = st
	}
	s.stmtMu.Unlock()
	s.searchStmts.Add(1)
	args := make([]any, 0, len(fixed)+size)
	args = append(args, fixed...)
	args = append(args, list...)
	for len(args) < len(fixed)+size {
		args = append(args, pad)
	}
	return st.QueryContext(ctx, args...)
}

// inSize is the padded length of an IN list of n values: 16, 32, 64, ...
func inSize(n int) int {
	size := 16
	for size < n {
		size *= 2
	}
	return size
}

func (s *Service) postingsStmt(ctx context.Context, size int) (*sql.Stmt, error) {
	s.stmtMu.Lock()
	defer s.stmtMu.Unlock()
	if st, ok := s.stmts[size]; ok {
		return st, nil
	}
	// LIMIT is "$2 + 0", not "$2": SQLite plans a bare parameter's LIMIT
	// with its bound value, which ties the statement to that value: every
	// search with another budget re-prepared the whole UNION (7% of a search's
	// CPU at 100,000 articles). The reverse index scan stops at the limit
	// either way.
	var b strings.Builder
	for i := 0; i < size; i++ {
		if i > 0 {
			b.WriteString(" UNION ALL ")
		}
		fmt.Fprintf(&b, `SELECT * FROM (SELECT term, weight, doc_id FROM kb_postings WHERE term = $%d AND level <= $1
			ORDER BY weight DESC, doc_id DESC LIMIT $2 + 0) AS p%d`, i+3, i)
	}
	st, err := s.db.R.PrepareContext(ctx, b.String())
	if err != nil {
		return nil, err
	}
	if s.stmts == nil {
		s.stmts = map[int]*sql.Stmt{}
	}
	s.stmts[size] = st
	return st, nil
}

type docRow struct {
	kind     string
	ref      int64
	locale   string
	category int64
	section  int64
	labels   []string
	title    string
	words    string
	body     string
	hasBody  bool // body was read (see docs)
}

// bodies reads the plain text of documents into out.
func (s *Service) bodies(ctx context.Context, ids []int64, out map[int64]string) error {
	if len(ids) == 0 {
		return nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.queryIn(ctx, `SELECT id, body FROM kb_docs WHERE id IN (IN)`, nil, args, int64(0))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var b string
		if err := rows.Scan(&id, &b); err != nil {
			return err
		}
		out[id] = b
	}
	return rows.Err()
}

// docs reads what ranking and filtering need of documents; the word list
// only for phrase queries, and the body of the first withBody ids (those
// likely to make the page).
func (s *Service) docs(ctx context.Context, ids []int64, withWords bool, withBody int) (map[int64]docRow, error) {
	out := make(map[int64]docRow, len(ids))
	words := "''"
	if withWords {
		words = "words"
	}
	for chunk := range slices.Chunk(ids, 500) {
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		// The body is read for the first ids of the list, which are the
		// statement's first parameters: one statement per (list size, body
		// count), both from a few fixed values.
		body := "NULL"
		if withBody > 0 {
			body = "CASE WHEN id IN (" + db.Placeholders(1, min(withBody, inSize(len(chunk)))) + ") THEN body END"
		}
		withBody = 0 // the first chunk holds the best candidates
		rows, err := s.queryIn(ctx, `SELECT id, kind, ref_id, locale, category_id, section_id, labels, title, `+words+`, `+body+`
			FROM kb_docs WHERE id IN (IN)`, nil, args, int64(0))
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var d docRow
			var labels string
			var b sql.NullString
			if err := rows.Scan(&id, &d.kind, &d.ref, &d.locale, &d.category, &d.section, &labels, &d.title, &d.words, &b); err != nil {
				rows.Close()
				return nil, err
			}
			d.labels = strings.Fields(labels)
			d.body, d.hasBody = b.String, b.Valid
			out[id] = d
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// hasPhrases reports whether the document's words contain every phrase.
func hasPhrases(words string, phrases [][]string) bool {
	if len(phrases) == 0 {
		return true
	}
	padded := " " + words + " "
	for _, p := range phrases {
		if !strings.Contains(padded, " "+strings.Join(p, " ")+" ") {
			return false
		}
	}
	return true
}

// fuzzy finds index words near each unknown query word and adds their terms:
// words one or two edits away (deletion keys), words of the same family
// (a shared five-letter prefix), and the halves of a compound written as one
// word (giftcard → gift card).
func (s *Service) fuzzy(ctx context.Context, qws []qword, unknown []int, n int64, rd *dfRead) error {
	var keys, halves []string
	for _, i := range unknown {
		w := qws[i].word
		if utf8.RuneCountInString(w) >= 4 {
			keys = append(keys, deletionKeys(w)...)
		}
		if k, ok := prefixKey(w); ok {
			keys = append(keys, k)
		}
		if r := []rune(w); len(r) >= 7 {
			for j := 3; j <= len(r)-3; j++ {
				halves = append(halves, string(r[:j]), string(r[j:]))
			}
		}
	}
	if len(keys) == 0 {
		return nil
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	args := make([]any, 0, len(keys)+len(halves))
	for _, k := range keys {
		args = append(args, k)
	}
	type near struct {
		word   string
		terms  []string
		weight float64
	}
	cacheKey := strings.Join(keys, "\x00") + "\x01" + strings.Join(halves, "\x00")
	known, gen := s.nearWords.get(cacheKey, rd.fresh)
	if known == nil {
		var err error
		if known, err = s.readNearWords(ctx, keys, halves); err != nil {
			return err
		}
		s.nearWords.put(gen, cacheKey, known)
	}
	var termList []string
	best := map[int][]near{}
	for _, i := range unknown {
		w := qws[i].word
		wr := []rune(w)
		limit := 1
		if len(wr) >= 7 {
			limit = 2
		}
		bestD := limit + 1
		var found []near
		for cand, terms := range known {
			d := editDistance(w, cand)
			if d > limit || d > bestD {
				continue
			}
			if d < bestD {
				bestD, found = d, nil
			}
			found = append(found, near{cand, terms, 0.8 - 0.05*float64(d)})
		}
		if len(found) == 0 && len(wr) >= 6 { // same family: a long shared beginning
			for cand, terms := range known {
				cr := []rune(cand)
				p := 0
				for p < len(wr) && p < len(cr) && wr[p] == cr[p] {
					p++
				}
				if p >= 5 && p >= min(len(wr), len(cr))-3 {
					found = append(found, near{cand, terms, 0.65})
				}
			}
		}
		if len(found) == 0 && len(wr) >= 7 { // a compound written as one word
			for j := 3; j <= len(wr)-3; j++ {
				a, b := known[string(wr[:j])], known[string(wr[j:])]
				if len(a) > 0 && len(b) > 0 {
					found = append(found, near{string(wr[:j]), a, 0.7}, near{string(wr[j:]), b, 0.7})
					break
				}
			}
		}
		best[i] = found
		for _, f := range found {
			termList = append(termList, f.terms...)
		}
	}
	if len(termList) == 0 {
		return nil
	}
	df, _, err := s.docFreqs(ctx, termList, rd)
	if err != nil {
		return err
	}
	for i, ns := range best {
		for _, f := range ns {
			for j, t := range f.terms {
				d := df[t]
				if d == 0 || slices.ContainsFunc(qws[i].alts, func(a qalt) bool { return a.term == t }) {
					continue
				}
				w := f.weight
				if j > 0 {
					w -= 0.05
				}
				qws[i].alts = append(qws[i].alts, qalt{t, w, idf(n, d)})
			}
		}
	}
	return nil
}

// readNearWords reads the index words filed under any of keys, and those
// among halves, with their terms.
func (s *Service) readNearWords(ctx context.Context, keys, halves []string) (map[string][]string, error) {
	args := make([]any, 0, len(keys)+len(halves))
	for _, k := range keys {
		args = append(args, k)
	}
	q := `SELECT DISTINCT w.word, w.terms FROM kb_word_keys k JOIN kb_words w ON w.word = k.word
		WHERE k.key IN (` + db.Placeholders(1, len(keys)) + `)`
	if len(halves) > 0 {
		for _, h := range halves {
			args = append(args, h)
		}
		q += ` UNION SELECT word, terms FROM kb_words WHERE word IN (` + db.Placeholders(len(keys)+1, len(halves)) + `)`
	}
	s.searchStmts.Add(1)
	rows, err := s.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	known := map[string][]string{}
	for rows.Next() {
		var w, t string
		if err := rows.Scan(&w, &t); err != nil {
			return nil, err
		}
		known[w] = append(known[w], strings.Fields(t)...)
	}
	return known, rows.Err()
}

// editDistance is the optimal-string-alignment distance (Damerau-Levenshtein
// with adjacent swaps) between two words.
func editDistance(a, b string) int {
	x, y := []rune(a), []rune(b)
	prev2 := make([]int, len(y)+1)
	prev := make([]int, len(y)+1)
	cur := make([]int, len(y)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(x); i++ {
		cur[0] = i
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(y)]
}

// snippet picks the stretch of body with the most matched words and marks
// them with <em>. Everything else is escaped.
func snippet(l analyze.Lang, body string, match map[string]bool) string {
	const width = 30 // words
	fields := strings.Fields(body)
	if len(fields) == 0 {
		return ""
	}
	hit := make([]bool, len(fields))
	seen := make(map[string]bool, len(fields)/2) // a body repeats its words: look each up once
	for i, f := range fields {
		w := snippetWord(f)
		if w == "" {
			continue
		}
		if v, ok := seen[w]; ok {
			hit[i] = v
			continue
		}
		for _, term := range analyze.WordTerms(l, w) {
			if match[term] {
				hit[i] = true
				break
			}
		}
		seen[w] = hit[i]
	}
	start, bestN, n := 0, -1, 0
	for i := range fields {
		if hit[i] {
			n++
		}
		if i >= width && hit[i-width] {
			n--
		}
		if i >= width-1 || i == len(fields)-1 {
			if n > bestN {
				bestN, start = n, max(0, i-width+1)
			}
		}
	}
	var b strings.Builder
	if start > 0 {
		b.WriteString("… ")
	}
	end := min(len(fields), start+width)
	for i := start; i < end; i++ {
		if i > start {
			b.WriteByte(' ')
		}
		if hit[i] {
			b.WriteString("<em>" + html.EscapeString(fields[i]) + "</em>")
		} else {
			b.WriteString(html.EscapeString(fields[i]))
		}
	}
	if end < len(fields) {
		b.WriteString(" …")
	}
	return b.String()
}

// snippetWord is the word a body field stands for: its normalised words
// joined. Most fields are plain ASCII, for which that is the field's letters
// and digits in lower case, often the field itself.
func snippetWord(f string) string {
	plain := true
	for i := 0; i < len(f); i++ {
		switch c := f[i]; {
		case c >= 0x80:
			return analyze.JoinedWord(f)
		case c < '0' || c > 'z' || (c > '9' && c < 'a'):
			plain = false
		}
	}
	if plain {
		return f
	}
	b := make([]byte, 0, len(f))
	for i := 0; i < len(f); i++ {
		switch c := f[i]; {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b = append(b, c)
		case c >= 'A' && c <= 'Z':
			b = append(b, c+'a'-'A')
		}
	}
	return string(b)
}

// recordSearch stores a query for analytics: queued, written within a
// second (see searchLog).
func (s *Service) recordSearch(ctx context.Context, a auth.Actor, q, locale string, results int, source string) (int64, error) {
	if source == "" {
		source = "search"
	}
	return s.searches.add(ctx, searchRow{query: strings.ToLower(q), locale: locale, results: results,
		userID: db.NullID(a.UserID), source: source, at: db.Millis(s.now())})
}
