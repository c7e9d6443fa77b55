-- KPI rollups (docs/kpis.md, "Rollups"). kpi_facts holds what each ticket
-- contributes to the figures (one row per measured event: creation, first
-- reply, last resolution of a day, transfer, reopening, backlog change), so a
-- ticket can be re-rolled alone; kpi_daily sums the facts per UTC day and
-- filter dimensions (channel, group, language; '*' and group -1 for the
-- totals over them), with tag '' meaning every tag and day -1 holding the
-- running backlog total. Agent and organisation
-- filters read their facts instead (indexes below): a dimension with a
-- hundred values would multiply kpi_daily's rows by a hundred. kpi_dirty lists tickets whose events changed since
-- they were rolled: events.Insert writes it in the event's own transaction.
-- Days are days since 1970-01-01 UTC.
-- +goose Up
CREATE TABLE kpi_dirty (
    id        {{.PK}},
    ticket_id BIGINT NOT NULL
);

CREATE TABLE kpi_facts (
    ticket_id  BIGINT NOT NULL,
    kind       SMALLINT NOT NULL,
    day        BIGINT NOT NULL,
    channel    TEXT NOT NULL,
    group_id   BIGINT NOT NULL,
    agent_id   BIGINT NOT NULL,
    org_id     BIGINT NOT NULL,
    lang       TEXT NOT NULL,
    tags       TEXT NOT NULL,
    n          BIGINT NOT NULL,
    ms         BIGINT NOT NULL, -- the duration measured (first reply, resolution), milliseconds
    bin        SMALLINT NOT NULL,
    fcr        SMALLINT NOT NULL,
    esc        SMALLINT NOT NULL,
    tr         SMALLINT NOT NULL,
    next_day   BIGINT,
    reopen_day BIGINT
);
CREATE INDEX kpi_facts_ticket ON kpi_facts (ticket_id);
-- covering for the median's bin reads and the reopenings (rollup_sums.go),
-- with or without a group
CREATE INDEX kpi_facts_bin ON kpi_facts (kind, bin, day, ms, next_day, group_id, ticket_id);
CREATE INDEX kpi_facts_org ON kpi_facts (org_id, day);
CREATE INDEX kpi_facts_agent ON kpi_facts (agent_id, day);
-- the resolutions a later one or a reopening corrects (rollup_sums.go): covering
CREATE INDEX kpi_facts_next ON kpi_facts (kind, next_day, day, ticket_id, reopen_day, fcr, esc, tr, ms, bin, group_id, channel, lang)
    WHERE next_day IS NOT NULL;
CREATE INDEX kpi_facts_reopen ON kpi_facts (kind, reopen_day, day, ticket_id, next_day, fcr, esc, tr, ms, bin, group_id, channel, lang)
    WHERE reopen_day IS NOT NULL;

CREATE TABLE kpi_daily (
    day       BIGINT NOT NULL,
    tag       TEXT NOT NULL,
    channel   TEXT NOT NULL,
    group_id  BIGINT NOT NULL,
    lang      TEXT NOT NULL,
    created   BIGINT NOT NULL DEFAULT 0,
    frt_n     BIGINT NOT NULL DEFAULT 0,
    frt_sum   BIGINT NOT NULL DEFAULT 0, -- milliseconds: integer sums survive re-rolls exactly
    res_n     BIGINT NOT NULL DEFAULT 0,
    res_sum   BIGINT NOT NULL DEFAULT 0,
    fcr       BIGINT NOT NULL DEFAULT 0,
    esc       BIGINT NOT NULL DEFAULT 0,
    tr        BIGINT NOT NULL DEFAULT 0,
    transfers BIGINT NOT NULL DEFAULT 0,
    backlog   BIGINT NOT NULL DEFAULT 0,
    f00 BIGINT NOT NULL DEFAULT 0,
    f01 BIGINT NOT NULL DEFAULT 0,
    f02 BIGINT NOT NULL DEFAULT 0,
    f03 BIGINT NOT NULL DEFAULT 0,
    f04 BIGINT NOT NULL DEFAULT 0,
    f05 BIGINT NOT NULL DEFAULT 0,
    f06 BIGINT NOT NULL DEFAULT 0,
    f07 BIGINT NOT NULL DEFAULT 0,
    f08 BIGINT NOT NULL DEFAULT 0,
    f09 BIGINT NOT NULL DEFAULT 0,
    f10 BIGINT NOT NULL DEFAULT 0,
    f11 BIGINT NOT NULL DEFAULT 0,
    f12 BIGINT NOT NULL DEFAULT 0,
    f13 BIGINT NOT NULL DEFAULT 0,
    f14 BIGINT NOT NULL DEFAULT 0,
    f15 BIGINT NOT NULL DEFAULT 0,
    f16 BIGINT NOT NULL DEFAULT 0,
    f17 BIGINT NOT NULL DEFAULT 0,
    f18 BIGINT NOT NULL DEFAULT 0,
    f19 BIGINT NOT NULL DEFAULT 0,
    f20 BIGINT NOT NULL DEFAULT 0,
    f21 BIGINT NOT NULL DEFAULT 0,
    f22 BIGINT NOT NULL DEFAULT 0,
    f23 BIGINT NOT NULL DEFAULT 0,
    f24 BIGINT NOT NULL DEFAULT 0,
    f25 BIGINT NOT NULL DEFAULT 0,
    f26 BIGINT NOT NULL DEFAULT 0,
    f27 BIGINT NOT NULL DEFAULT 0,
    f28 BIGINT NOT NULL DEFAULT 0,
    f29 BIGINT NOT NULL DEFAULT 0,
    f30 BIGINT NOT NULL DEFAULT 0,
    f31 BIGINT NOT NULL DEFAULT 0,
    r00 BIGINT NOT NULL DEFAULT 0,
    r01 BIGINT NOT NULL DEFAULT 0,
    r02 BIGINT NOT NULL DEFAULT 0,
    r03 BIGINT NOT NULL DEFAULT 0,
    r04 BIGINT NOT NULL DEFAULT 0,
    r05 BIGINT NOT NULL DEFAULT 0,
    r06 BIGINT NOT NULL DEFAULT 0,
    r07 BIGINT NOT NULL DEFAULT 0,
    r08 BIGINT NOT NULL DEFAULT 0,
    r09 BIGINT NOT NULL DEFAULT 0,
    r10 BIGINT NOT NULL DEFAULT 0,
    r11 BIGINT NOT NULL DEFAULT 0,
    r12 BIGINT NOT NULL DEFAULT 0,
    r13 BIGINT NOT NULL DEFAULT 0,
    r14 BIGINT NOT NULL DEFAULT 0,
    r15 BIGINT NOT NULL DEFAULT 0,
    r16 BIGINT NOT NULL DEFAULT 0,
    r17 BIGINT NOT NULL DEFAULT 0,
    r18 BIGINT NOT NULL DEFAULT 0,
    r19 BIGINT NOT NULL DEFAULT 0,
    r20 BIGINT NOT NULL DEFAULT 0,
    r21 BIGINT NOT NULL DEFAULT 0,
    r22 BIGINT NOT NULL DEFAULT 0,
    r23 BIGINT NOT NULL DEFAULT 0,
    r24 BIGINT NOT NULL DEFAULT 0,
    r25 BIGINT NOT NULL DEFAULT 0,
    r26 BIGINT NOT NULL DEFAULT 0,
    r27 BIGINT NOT NULL DEFAULT 0,
    r28 BIGINT NOT NULL DEFAULT 0,
    r29 BIGINT NOT NULL DEFAULT 0,
    r30 BIGINT NOT NULL DEFAULT 0,
    r31 BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tag, day, channel, group_id, lang)
){{if .SQLite}} WITHOUT ROWID{{end}};
-- the volume by tag of the group totals: covering
CREATE INDEX kpi_daily_tags ON kpi_daily (channel, lang, group_id, day, tag, created);

-- Survey figures are read live (internal/kpi/live.go): covering for them.
CREATE INDEX survey_responses_kpi ON survey_responses (kind, answered_at, score, group_id, channel, agent_id, customer_id);

-- One row: whether the rollups were built from the whole event log.
CREATE TABLE kpi_rollup_state (
    id       BIGINT PRIMARY KEY,
    built_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE kpi_rollup_state;
DROP INDEX survey_responses_kpi;
DROP INDEX kpi_daily_tags;
DROP TABLE kpi_daily;
DROP TABLE kpi_facts;
DROP TABLE kpi_dirty;
