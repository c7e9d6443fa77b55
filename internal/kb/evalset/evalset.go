// Package evalset is the retrieval evaluation set of the knowledge base: 300
// articles (100 topics of an online shop's help centre, each written in
// English, Indonesian and Persian) and the questions customers ask about them,
// in their words: affixes, colloquial spellings, missing letters, Arabic
// letter forms in Persian, and questions nothing in the set answers. Tests
// measure search and the chatbot with it; "layan bench search" draws its
// synthetic articles from its vocabulary.
package evalset

import (
	"bufio"
	"bytes"
	"context"
	"embed"
	"fmt"
	"strings"

	"layan/internal/auth"
	"layan/internal/kb"
)

//go:embed data/*.txt
var files embed.FS

// Article is one article of the set.
type Article struct {
	Key, Lang, Title, Body string
}

// Question is a customer question and the topic that answers it ("none":
// nothing in the set does).
type Question struct {
	Key, Lang, Text string
}

// None is the key of questions without an answer in the set.
const None = "none"

func lines(name string, fields int) [][]string {
	data, err := files.ReadFile("data/" + name)
	if err != nil {
		panic(err)
	}
	var out [][]string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		p := strings.SplitN(l, "|", fields)
		if len(p) != fields {
			panic(fmt.Sprintf("evalset: %s: bad line %q", name, l))
		}
		out = append(out, p)
	}
	return out
}

// Articles returns the articles.
func Articles() []Article {
	var out []Article
	for _, p := range lines("articles.txt", 4) {
		out = append(out, Article{p[0], p[1], p[2], p[3]})
	}
	return out
}

// Questions returns the questions.
func Questions() []Question {
	var out []Question
	for _, p := range lines("questions.txt", 3) {
		out = append(out, Question{p[0], p[1], p[2]})
	}
	return out
}

// ID names an article of the set: its topic and language.
func ID(key, lang string) string { return key + "/" + lang }

// Seed publishes every article of the set as a public article of its own (one
// per topic and language) and returns the article ids by ID(key, lang).
func Seed(ctx context.Context, s *kb.Service, a auth.Actor) (map[string]int64, error) {
	cat, err := s.CreateCategory(ctx, a, kb.CategoryInput{Locale: "en", Name: "Help"})
	if err != nil {
		return nil, err
	}
	sec, err := s.CreateSection(ctx, a, kb.SectionInput{CategoryID: cat.ID, Locale: "en", Name: "Shop"})
	if err != nil {
		return nil, err
	}
	ids := map[string]int64{}
	for _, art := range Articles() {
		got, err := s.CreateArticle(ctx, a, kb.ArticleInput{SectionID: sec.ID, Locale: art.Lang, Title: art.Title, Body: art.Body})
		if err != nil {
			return nil, fmt.Errorf("seed %s: %w", ID(art.Key, art.Lang), err)
		}
		ids[ID(art.Key, art.Lang)] = got.ID
	}
	return ids, nil
}
