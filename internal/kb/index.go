package kb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"layan/internal/db"
	"layan/internal/search/analyze"
)

// The index. Each published article translation and each FAQ item is one
// document (kb_docs). Its analysed terms go to kb_postings with a weight: the
// BM25 term-frequency part, title words counting three times, with a fixed
// average length so weights never need rewriting. A query multiplies it by the
// term's inverse document frequency (kb_terms). Because the primary key is
// (term, weight, doc_id), the best documents for a term are the first rows
// of an index range on both engines, which keeps a query's cost bounded
// however many documents share its words.
const (
	bm25K1       = 1.2
	bm25B        = 0.75
	bm25AvgLen   = 150.0
	titleBoost   = 3
	weightScale  = 1000
	docCountTerm = "" // kb_terms row holding the number of documents
)

// doc is what goes into the index.
type doc struct {
	kind     string // article or faq
	ref      int64
	locale   string
	level    int
	category int64
	section  int64
	labels   []string
	title    string
	body     string // plain text
}

// unindex removes the document (kind, ref, locale), if indexed.
func unindex(ctx context.Context, tx *sql.Tx, kind string, ref int64, locale string) error {
	indexGen.Add(1) // cached document frequencies are stale from now on
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM kb_docs WHERE kind = $1 AND ref_id = $2 AND locale = $3`, kind, ref, locale).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT term FROM kb_postings WHERE doc_id = $1`, id)
	if err != nil {
		return err
	}
	var terms []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		terms = append(terms, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	slices.Sort(terms)
	terms = append(terms, docCountTerm)
	for chunk := range slices.Chunk(terms, 500) {
		args := make([]any, len(chunk))
		for i, t := range chunk {
			args[i] = t
		}
		if _, err := tx.ExecContext(ctx, `UPDATE kb_terms SET df = df - 1 WHERE term IN (`+db.Placeholders(1, len(chunk))+`)`, args...); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM kb_postings WHERE doc_id = $1`, id); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM kb_docs WHERE id = $1`, id)
	return err
}

// lang is the analyser for a knowledge-base locale.
func lang(locale string) analyze.Lang {
	l, _ := analyze.ParseLang(locale)
	if l == "" {
		return analyze.English
	}
	return l
}

// termWeights computes each term's stored weight for a document.
func termWeights(l analyze.Lang, title, body string) (map[string]int64, []analyze.Token) {
	tt := analyze.Tokens(l, title)
	bt := analyze.Tokens(l, body)
	tf := map[string]int{}
	for _, t := range tt {
		for _, term := range t.Terms {
			tf[term] += titleBoost
		}
	}
	for _, t := range bt {
		for _, term := range t.Terms {
			tf[term]++
		}
	}
	dl := float64(len(tt) + len(bt))
	norm := bm25K1 * (1 - bm25B + bm25B*dl/bm25AvgLen)
	out := make(map[string]int64, len(tf))
	for term, n := range tf {
		f := float64(n)
		w := int64(math.Round(weightScale * f * (bm25K1 + 1) / (f + norm)))
		out[term] = max(w, 1)
	}
	return out, append(tt, bt...)
}

// index writes the document, replacing an earlier version of it.
func index(ctx context.Context, tx *sql.Tx, d doc, now int64) error {
	defer indexGen.Add(1) // after the writes too: a search between them must not keep what it read
	if err := unindex(ctx, tx, d.kind, d.ref, d.locale); err != nil {
		return err
	}
	l := lang(d.locale)
	weights, tokens := termWeights(l, d.title, d.body)
	words := strings.Join(analyze.Words(d.title+"\n"+d.body), " ")
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO kb_docs (kind, ref_id, locale, level, category_id, section_id, labels, title, body, words, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		d.kind, d.ref, d.locale, d.level, d.category, d.section, strings.Join(d.labels, " "), d.title, d.body, words, now).Scan(&id)
	if err != nil {
		return err
	}
	terms := make([]string, 0, len(weights))
	for t := range weights {
		terms = append(terms, t)
	}
	slices.Sort(terms) // a fixed order: concurrent writers lock kb_terms rows alike
	for chunk := range slices.Chunk(terms, 400) {
		var b strings.Builder
		args := make([]any, 0, 4*len(chunk))
		for i, t := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			n := len(args)
			fmt.Fprintf(&b, "($%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4)
			args = append(args, t, weights[t], id, d.level)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO kb_postings (term, weight, doc_id, level) VALUES `+b.String(), args...); err != nil {
			return err
		}
	}
	if err := bumpTerms(ctx, tx, append([]string{docCountTerm}, terms...)); err != nil {
		return err
	}
	return addWords(ctx, tx, l, tokens)
}

// bumpTerms adds one to the document frequency of each term.
func bumpTerms(ctx context.Context, tx *sql.Tx, terms []string) error {
	for chunk := range slices.Chunk(terms, 500) {
		var b strings.Builder
		args := make([]any, len(chunk))
		for i, t := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "($%d, 1)", i+1)
			args[i] = t
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO kb_terms (term, df) VALUES `+b.String()+
			` ON CONFLICT (term) DO UPDATE SET df = kb_terms.df + 1`, args...); err != nil {
			return err
		}
	}
	return nil
}

// addWords records new surface words with their terms and deletion keys.
func addWords(ctx context.Context, tx *sql.Tx, l analyze.Lang, tokens []analyze.Token) error {
	seen := map[string]bool{}
	var words []analyze.Token
	for _, t := range tokens {
		n := utf8.RuneCountInString(t.Word)
		if seen[t.Word] || n < 3 || n > 24 || isNumber(t.Word) {
			continue
		}
		seen[t.Word] = true
		words = append(words, t)
	}
	slices.SortFunc(words, func(a, b analyze.Token) int { return strings.Compare(a.Word, b.Word) })
	for chunk := range slices.Chunk(words, 300) {
		var b strings.Builder
		args := make([]any, 0, 3*len(chunk))
		for i, t := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			n := len(args)
			fmt.Fprintf(&b, "($%d, $%d, $%d)", n+1, n+2, n+3)
			args = append(args, t.Word, string(l), strings.Join(t.Terms, " "))
		}
		rows, err := tx.QueryContext(ctx, `INSERT INTO kb_words (word, lang, terms) VALUES `+b.String()+
			` ON CONFLICT (word, lang) DO NOTHING RETURNING word`, args...)
		if err != nil {
			return err
		}
		var fresh []string
		for rows.Next() {
			var w string
			if err := rows.Scan(&w); err != nil {
				rows.Close()
				return err
			}
			fresh = append(fresh, w)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		var keys [][2]string
		for _, w := range fresh {
			for _, k := range deletionKeys(w) {
				keys = append(keys, [2]string{k, w})
			}
			if k, ok := prefixKey(w); ok {
				keys = append(keys, [2]string{k, w})
			}
		}
		for kc := range slices.Chunk(keys, 500) {
			var b strings.Builder
			args := make([]any, 0, 2*len(kc))
			for i, k := range kc {
				if i > 0 {
					b.WriteString(", ")
				}
				fmt.Fprintf(&b, "($%d, $%d)", 2*i+1, 2*i+2)
				args = append(args, k[0], k[1])
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO kb_word_keys (key, word) VALUES `+b.String()+
				` ON CONFLICT (key, word) DO NOTHING`, args...); err != nil {
				return err
			}
		}
	}
	return nil
}

func isNumber(w string) bool {
	for _, r := range w {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// prefixKey files a long word under its first five letters, so a query word
// of the same family (verify → verification) finds it.
func prefixKey(w string) (string, bool) {
	r := []rune(w)
	if len(r) < 6 {
		return "", false
	}
	return "^" + string(r[:5]), true
}

// deletionKeys are the word and every form of it with one letter deleted.
// Two words one edit apart (insertion, deletion, substitution, swap of
// neighbours) share a key.
func deletionKeys(w string) []string {
	r := []rune(w)
	out := []string{w}
	for i := range r {
		k := string(r[:i]) + string(r[i+1:])
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}
