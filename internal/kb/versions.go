package kb

import (
	"context"
	"strings"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
)

// Versions lists the saved versions of an article's translation, newest first
// (staff only).
func (s *Service) Versions(ctx context.Context, a auth.Actor, articleID int64, locale string) ([]Version, error) {
	if readerLevel(a) < 2 {
		return nil, apperr.Forbidden("read article versions")
	}
	t, err := getTranslation(ctx, s.db.R, articleID, NormalizeLocale(locale))
	if err != nil {
		return nil, err
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, version, title, body_md, draft, COALESCE(author_id, 0), note, created_at
		FROM kb_versions WHERE translation_id = $1 ORDER BY version DESC`, t.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Version{}
	for rows.Next() {
		var v Version
		var at int64
		if err := rows.Scan(&v.ID, &v.Version, &v.Title, &v.BodyMD, &v.Draft, &v.AuthorID, &v.Note, &at); err != nil {
			return nil, err
		}
		v.CreatedAt = db.Time(at)
		out = append(out, v)
	}
	return out, rows.Err()
}

func (s *Service) version(ctx context.Context, a auth.Actor, articleID int64, locale string, n int64) (Version, error) {
	vs, err := s.Versions(ctx, a, articleID, locale)
	if err != nil {
		return Version{}, err
	}
	for _, v := range vs {
		if v.Version == n {
			return v, nil
		}
	}
	return Version{}, apperr.NotFound("version")
}

// DiffLine is one line of a line diff: Op is ' ' (kept), '-' (removed) or '+' (added).
type DiffLine struct {
	Op   byte
	Text string
}

// DiffVersions compares two versions of a translation, title first.
func (s *Service) DiffVersions(ctx context.Context, a auth.Actor, articleID int64, locale string, from, to int64) ([]DiffLine, error) {
	va, err := s.version(ctx, a, articleID, locale, from)
	if err != nil {
		return nil, err
	}
	vb, err := s.version(ctx, a, articleID, locale, to)
	if err != nil {
		return nil, err
	}
	return Diff("# "+va.Title+"\n"+va.BodyMD, "# "+vb.Title+"\n"+vb.BodyMD), nil
}

// Diff is a line diff (longest common subsequence) of two texts.
func Diff(a, b string) []DiffLine {
	x := strings.Split(strings.ReplaceAll(a, "\r\n", "\n"), "\n")
	y := strings.Split(strings.ReplaceAll(b, "\r\n", "\n"), "\n")
	if len(x)*len(y) > 4_000_000 { // too big to align: show it as replaced
		out := make([]DiffLine, 0, len(x)+len(y))
		for _, l := range x {
			out = append(out, DiffLine{'-', l})
		}
		for _, l := range y {
			out = append(out, DiffLine{'+', l})
		}
		return out
	}
	lcs := make([][]int32, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int32, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []DiffLine
	i, j := 0, 0
	for i < len(x) && j < len(y) {
		switch {
		case x[i] == y[j]:
			out = append(out, DiffLine{' ', x[i]})
			i++
			j++
		case lcs[i+1][j] >= lcs[i][j+1]:
			out = append(out, DiffLine{'-', x[i]})
			i++
		default:
			out = append(out, DiffLine{'+', y[j]})
			j++
		}
	}
	for ; i < len(x); i++ {
		out = append(out, DiffLine{'-', x[i]})
	}
	for ; j < len(y); j++ {
		out = append(out, DiffLine{'+', y[j]})
	}
	return out
}

// RestoreVersion writes an old version's title and body as a new version.
func (s *Service) RestoreVersion(ctx context.Context, a auth.Actor, articleID int64, locale string, n int64) (Translation, error) {
	v, err := s.version(ctx, a, articleID, locale, n)
	if err != nil {
		return Translation{}, err
	}
	t, _, err := s.SaveTranslation(ctx, a, articleID, locale, TranslationInput{Title: &v.Title, Body: &v.BodyMD,
		Note: "restored version " + itoa(n)})
	return t, err
}
