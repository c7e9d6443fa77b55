package kb

import (
	"context"
	"strings"
	"unicode/utf8"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
)

// Image is a picture of an article, stored in the blob store; articles show
// it at /kb/images/{key}.
type Image struct {
	ID          int64
	ArticleID   int64
	Key         string
	Name        string
	ContentType string
	Size        int64
}

// ImageTypes are the picture formats accepted: raster images only (an SVG
// can carry script).
var ImageTypes = []string{"image/png", "image/jpeg", "image/gif", "image/webp"}

// MaxImageBytes bounds one image.
const MaxImageBytes = 5 << 20

// AddImage records an uploaded image (already in the blob store under key)
// as the article's.
func (s *Service) AddImage(ctx context.Context, a auth.Actor, articleID int64, key, name, contentType string, size int64) (Image, error) {
	if err := canWrite(a); err != nil {
		return Image{}, err
	}
	ok := false
	for _, t := range ImageTypes {
		ok = ok || t == contentType
	}
	if !ok {
		return Image{}, apperr.Invalid("image", "type", "must be a PNG, JPEG, GIF or WebP image")
	}
	if size <= 0 || size > MaxImageBytes {
		return Image{}, apperr.Invalid("image", "too_large", "is too large")
	}
	name = strings.TrimSpace(name)
	if !utf8.ValidString(name) || name == "" {
		name = "image"
	}
	if r := []rune(name); len(r) > 200 {
		name = string(r[:200])
	}
	if _, err := getArticleRow(ctx, s.db.R, articleID); err != nil {
		return Image{}, err
	}
	img := Image{ArticleID: articleID, Key: key, Name: name, ContentType: contentType, Size: size}
	err := s.db.W.QueryRowContext(ctx, `INSERT INTO kb_images (article_id, blob_key, name, content_type, size, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (article_id, blob_key) DO UPDATE SET name = excluded.name RETURNING id`,
		articleID, key, name, contentType, size, db.Millis(s.now())).Scan(&img.ID)
	return img, err
}

// Images lists an article's images (staff, for the editor).
func (s *Service) Images(ctx context.Context, a auth.Actor, articleID int64) ([]Image, error) {
	if err := canWrite(a); err != nil {
		return nil, err
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, article_id, blob_key, name, content_type, size FROM kb_images
		WHERE article_id = $1 ORDER BY id`, articleID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Image{}
	for rows.Next() {
		var i Image
		if err := rows.Scan(&i.ID, &i.ArticleID, &i.Key, &i.Name, &i.ContentType, &i.Size); err != nil {
			return nil, err
		}
		out = append(out, i)
	}
	return out, rows.Err()
}

// ImageByKey finds an image the actor may see: one of an article they may
// read. Unknown keys and images of articles hidden from them are not found,
// so the address of a ticket attachment never serves through here.
func (s *Service) ImageByKey(ctx context.Context, a auth.Actor, key string) (Image, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, article_id, blob_key, name, content_type, size FROM kb_images
		WHERE blob_key = $1 ORDER BY id LIMIT 20`, key)
	if err != nil {
		return Image{}, err
	}
	var imgs []Image
	for rows.Next() {
		var i Image
		if err := rows.Scan(&i.ID, &i.ArticleID, &i.Key, &i.Name, &i.ContentType, &i.Size); err != nil {
			rows.Close()
			return Image{}, err
		}
		imgs = append(imgs, i)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Image{}, err
	}
	for _, i := range imgs {
		if _, err := s.GetArticle(ctx, a, i.ArticleID, ""); err == nil {
			return i, nil
		}
	}
	return Image{}, apperr.NotFound("image")
}
