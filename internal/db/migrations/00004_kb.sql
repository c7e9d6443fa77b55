-- Self-service: the knowledge base (categories → sections → articles with a
-- translation per locale and every version kept), FAQ items, votes, search
-- analytics, and the search index shared by articles and FAQ items.
-- visibility: public (anyone), signed_in (customers who signed in), internal
-- (staff only). In the index it is a level: 0, 1, 2; a reader sees levels up
-- to their own.
-- +goose Up
CREATE TABLE kb_categories (
    id            {{.PK}},
    position      BIGINT NOT NULL DEFAULT 0,
    source_locale TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

CREATE TABLE kb_category_translations (
    category_id BIGINT NOT NULL REFERENCES kb_categories (id) ON DELETE CASCADE,
    locale      TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (category_id, locale)
);

CREATE TABLE kb_sections (
    id            {{.PK}},
    category_id   BIGINT NOT NULL REFERENCES kb_categories (id) ON DELETE CASCADE,
    position      BIGINT NOT NULL DEFAULT 0,
    source_locale TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX kb_sections_category ON kb_sections (category_id, position);

CREATE TABLE kb_section_translations (
    section_id  BIGINT NOT NULL REFERENCES kb_sections (id) ON DELETE CASCADE,
    locale      TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (section_id, locale)
);

CREATE TABLE kb_articles (
    id            {{.PK}},
    section_id    BIGINT NOT NULL REFERENCES kb_sections (id),
    author_id     BIGINT REFERENCES users (id) ON DELETE SET NULL,
    visibility    TEXT NOT NULL CHECK (visibility IN ('public', 'signed_in', 'internal')),
    source_locale TEXT NOT NULL,
    labels        TEXT NOT NULL DEFAULT '',
    position      BIGINT NOT NULL DEFAULT 0,
    promoted      BOOLEAN NOT NULL DEFAULT FALSE,
    view_count    BIGINT NOT NULL DEFAULT 0,
    vote_up       BIGINT NOT NULL DEFAULT 0,
    vote_down     BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX kb_articles_section ON kb_articles (section_id, position, id);

CREATE TABLE kb_article_labels (
    article_id BIGINT NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
    label      TEXT NOT NULL,
    PRIMARY KEY (article_id, label)
);
CREATE INDEX kb_article_labels_label ON kb_article_labels (label, article_id);

-- One row per article and locale: the current text. draft translations are
-- not shown to customers nor indexed. outdated: the source changed after this
-- translation was last written.
CREATE TABLE kb_translations (
    id          {{.PK}},
    article_id  BIGINT NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
    locale      TEXT NOT NULL,
    title       TEXT NOT NULL,
    body_md     TEXT NOT NULL,
    body_html   TEXT NOT NULL,
    draft       BOOLEAN NOT NULL DEFAULT TRUE,
    outdated    BOOLEAN NOT NULL DEFAULT FALSE,
    version     BIGINT NOT NULL DEFAULT 1,
    author_id   BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX kb_translations_article_locale ON kb_translations (article_id, locale);

CREATE TABLE kb_versions (
    id             {{.PK}},
    translation_id BIGINT NOT NULL REFERENCES kb_translations (id) ON DELETE CASCADE,
    version        BIGINT NOT NULL,
    title          TEXT NOT NULL,
    body_md        TEXT NOT NULL,
    draft          BOOLEAN NOT NULL,
    author_id      BIGINT REFERENCES users (id) ON DELETE SET NULL,
    note           TEXT NOT NULL DEFAULT '',
    created_at     BIGINT NOT NULL
);
CREATE UNIQUE INDEX kb_versions_translation ON kb_versions (translation_id, version);

-- "Was this helpful?": one vote per article and voter (a user, or an anonymous
-- visitor's key).
CREATE TABLE kb_votes (
    id         {{.PK}},
    article_id BIGINT NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
    voter_key  TEXT NOT NULL,
    user_id    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    value      BIGINT NOT NULL CHECK (value IN (-1, 1)),
    comment    TEXT NOT NULL DEFAULT '',
    locale     TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX kb_votes_voter ON kb_votes (article_id, voter_key);

CREATE TABLE kb_faqs (
    id          {{.PK}},
    category_id BIGINT REFERENCES kb_categories (id) ON DELETE SET NULL,
    locale      TEXT NOT NULL,
    question    TEXT NOT NULL,
    answer_md   TEXT NOT NULL,
    answer_html TEXT NOT NULL,
    visibility  TEXT NOT NULL CHECK (visibility IN ('public', 'signed_in', 'internal')),
    position    BIGINT NOT NULL DEFAULT 0,
    home        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX kb_faqs_list ON kb_faqs (locale, category_id, position);

-- Search analytics: every query with its result count, and the clicks on results.
CREATE TABLE kb_searches (
    id         {{.PK}},
    query      TEXT NOT NULL,
    locale     TEXT NOT NULL,
    results    BIGINT NOT NULL,
    user_id    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    source     TEXT NOT NULL DEFAULT 'search',
    created_at BIGINT NOT NULL
);
CREATE INDEX kb_searches_time ON kb_searches (created_at);
CREATE INDEX kb_searches_zero ON kb_searches (results, created_at);

CREATE TABLE kb_search_clicks (
    search_id  BIGINT NOT NULL REFERENCES kb_searches (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    ref_id     BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX kb_search_clicks_search ON kb_search_clicks (search_id);

-- The search index. A document is a published article translation or a FAQ
-- item. Its analysed terms (search/analyze) go to kb_postings with a
-- BM25-style weight of the term in the document, so a query reads the best
-- documents of each term straight from the primary key, on both engines.
CREATE TABLE kb_docs (
    id          {{.PK}},
    kind        TEXT NOT NULL CHECK (kind IN ('article', 'faq')),
    ref_id      BIGINT NOT NULL,
    locale      TEXT NOT NULL,
    level       BIGINT NOT NULL,
    category_id BIGINT NOT NULL DEFAULT 0,
    section_id  BIGINT NOT NULL DEFAULT 0,
    labels      TEXT NOT NULL DEFAULT '',
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    words       TEXT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX kb_docs_ref ON kb_docs (kind, ref_id, locale);

CREATE TABLE kb_postings (
    term   TEXT NOT NULL,
    weight BIGINT NOT NULL,
    doc_id BIGINT NOT NULL,
    level  BIGINT NOT NULL,
    PRIMARY KEY (term, weight, doc_id)
){{if .SQLite}} WITHOUT ROWID{{end}};
CREATE INDEX kb_postings_doc ON kb_postings (doc_id);

-- Document frequency of each term, for its weight in a query.
CREATE TABLE kb_terms (
    term TEXT PRIMARY KEY,
    df   BIGINT NOT NULL
){{if .SQLite}} WITHOUT ROWID{{end}};

-- The surface words of the index with their terms, and their one-deletion
-- keys, for typo tolerance: a query word the index does not know is looked up
-- by its own deletion keys (SymSpell), which finds words one edit away, and
-- many two edits away, with plain index lookups.
CREATE TABLE kb_words (
    word  TEXT NOT NULL,
    lang  TEXT NOT NULL,
    terms TEXT NOT NULL,
    PRIMARY KEY (word, lang)
){{if .SQLite}} WITHOUT ROWID{{end}};

CREATE TABLE kb_word_keys (
    key  TEXT NOT NULL,
    word TEXT NOT NULL,
    PRIMARY KEY (key, word)
){{if .SQLite}} WITHOUT ROWID{{end}};

-- +goose Down
DROP TABLE kb_word_keys;
DROP TABLE kb_words;
DROP TABLE kb_terms;
DROP TABLE kb_postings;
DROP TABLE kb_docs;
DROP TABLE kb_search_clicks;
DROP TABLE kb_searches;
DROP TABLE kb_faqs;
DROP TABLE kb_votes;
DROP TABLE kb_versions;
DROP TABLE kb_translations;
DROP TABLE kb_article_labels;
DROP TABLE kb_articles;
DROP TABLE kb_section_translations;
DROP TABLE kb_sections;
DROP TABLE kb_category_translations;
DROP TABLE kb_categories;
