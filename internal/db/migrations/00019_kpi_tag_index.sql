-- An index path for tag-filtered KPI reads (docs/kpis.md, "Rollups"):
-- kpi_facts holds a fact's tags as text (" a b "), which only a scan can
-- match. kpi_fact_tags repeats, once per tag, the facts a tag-filtered read
-- takes from kpi_facts (creations for the volume by tag, first replies and
-- resolutions for the medians and the corrections, reopenings), keyed by tag
-- so such a read touches only that tag's rows. seq is the fact's place among
-- its ticket's facts (a ticket may reopen twice a day). Written with the
-- facts; the rollups are rebuilt once to fill it.
-- +goose Up
CREATE TABLE kpi_fact_tags (
    tag        TEXT NOT NULL,
    kind       SMALLINT NOT NULL,
    bin        SMALLINT NOT NULL,
    day        BIGINT NOT NULL,
    ticket_id  BIGINT NOT NULL,
    seq        INTEGER NOT NULL,
    channel    TEXT NOT NULL,
    group_id   BIGINT NOT NULL,
    lang       TEXT NOT NULL,
    tags       TEXT NOT NULL,
    n          BIGINT NOT NULL,
    ms         BIGINT NOT NULL,
    fcr        SMALLINT NOT NULL,
    esc        SMALLINT NOT NULL,
    tr         SMALLINT NOT NULL,
    next_day   BIGINT,
    reopen_day BIGINT,
    work_ms    BIGINT NOT NULL DEFAULT 0, -- a resolution's handling time (00018)
    PRIMARY KEY (tag, kind, bin, day, ticket_id, seq)
){{if .SQLite}} WITHOUT ROWID{{end}};
CREATE INDEX kpi_fact_tags_ticket ON kpi_fact_tags (ticket_id);
-- the next read (or the worker) rebuilds the rollups, filling the table
DELETE FROM kpi_rollup_state;

-- +goose Down
DROP TABLE kpi_fact_tags;
