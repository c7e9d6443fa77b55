-- Images of knowledge-base articles: the blob key (SHA-256 of the bytes), so
-- an image is served only as an article's image and to those who may read
-- that article. Times are Unix milliseconds.
-- +goose Up
CREATE TABLE kb_images (
    id           {{.PK}},
    article_id   BIGINT NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
    blob_key     TEXT NOT NULL,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE UNIQUE INDEX kb_images_article_key ON kb_images (article_id, blob_key);
CREATE INDEX kb_images_key ON kb_images (blob_key);

-- +goose Down
DROP INDEX kb_images_key;
DROP INDEX kb_images_article_key;
DROP TABLE kb_images;
