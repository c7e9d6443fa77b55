// Package kb is the knowledge base: categories → sections → articles with a
// translation per locale and every version kept, FAQ items, "was this
// helpful?" votes, view counts, search (over articles and FAQ items, in
// English, Indonesian and Persian) with its analytics, and deflection events.
package kb

import (
	"time"

	"layan/internal/auth"
)

// Visibility says who may read an article or FAQ item.
const (
	Public   = "public"    // anyone, signed in or not
	SignedIn = "signed_in" // customers who signed in, and staff
	Internal = "internal"  // staff only
)

// Locales the knowledge base is written in.
var Locales = []string{"en", "id", "fa"}

// Limits.
const (
	MaxTitle   = 255
	MaxBody    = 200_000
	MaxName    = 255
	MaxLabels  = 20
	MaxComment = 2_000
	MaxQuery   = 500
)

// level is the index form of a visibility: a reader sees levels up to theirs.
func level(visibility string) int {
	switch visibility {
	case Public:
		return 0
	case SignedIn:
		return 1
	}
	return 2
}

// readerLevel is what an actor may read: anonymous visitors public only,
// signed-in customers also signed_in, staff everything.
func readerLevel(a auth.Actor) int {
	switch {
	case a.System || a.IsStaff():
		return 2
	case a.UserID != 0:
		return 1
	}
	return 0
}

// Category groups sections.
type Category struct {
	ID           int64
	Position     int
	SourceLocale string
	Locale       string // the locale of Name/Description
	Name         string
	Description  string
	Outdated     bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Section groups articles within a category.
type Section struct {
	ID           int64
	CategoryID   int64
	Position     int
	SourceLocale string
	Locale       string
	Name         string
	Description  string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Article is an article with the translation chosen for the reader.
type Article struct {
	ID           int64
	SectionID    int64
	CategoryID   int64
	AuthorID     int64
	Visibility   string
	SourceLocale string
	Labels       []string
	Position     int
	Promoted     bool
	ViewCount    int64
	VoteUp       int64
	VoteDown     int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// Translation is the reader's locale when it exists (and is published
	// for customers), else the source locale.
	Translation Translation
	// Locales that have a translation (published or draft).
	TranslatedLocales []string
	// OutdatedLocales are translations written before the last source change.
	OutdatedLocales []string
}

// Translation is an article's text in one locale.
type Translation struct {
	ID        int64
	ArticleID int64
	Locale    string
	Title     string
	BodyMD    string
	BodyHTML  string
	Draft     bool
	Outdated  bool
	Version   int64
	AuthorID  int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Version is one saved state of a translation.
type Version struct {
	ID        int64
	Version   int64
	Title     string
	BodyMD    string
	Draft     bool
	AuthorID  int64
	Note      string
	CreatedAt time.Time
}

// Vote is a "was this helpful?" answer.
type Vote struct {
	ID        int64
	ArticleID int64
	UserID    int64
	Value     int // 1 helpful, -1 not helpful
	Comment   string
	Locale    string
	CreatedAt time.Time
}

// FAQ is a curated question and answer.
type FAQ struct {
	ID         int64
	CategoryID int64
	Locale     string
	Question   string
	AnswerMD   string
	AnswerHTML string
	Visibility string
	Position   int
	Home       bool // shown on the portal home page
	CreatedAt  time.Time
	UpdatedAt  time.Time
}
