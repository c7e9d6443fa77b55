-- Service-level figures in the KPI rollups (docs/kpis.md): first replies in
-- business hours, the agent work
-- logged before each resolution (handling time), chats answered (their
-- queue waits) and abandoned, SLA targets achieved and missed. A database
-- rolled before this migration is rebuilt on the next start (the state row
-- goes), so old tickets get these facts too.
-- +goose Up
ALTER TABLE kpi_facts ADD COLUMN work_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE kpi_facts ADD COLUMN biz_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE kpi_daily ADD COLUMN frt_bsum BIGINT NOT NULL DEFAULT 0;
ALTER TABLE kpi_daily ADD COLUMN asa_n BIGINT NOT NULL DEFAULT 0;
ALTER TABLE kpi_daily ADD COLUMN asa_sum BIGINT NOT NULL DEFAULT 0;
ALTER TABLE kpi_daily ADD COLUMN abandoned BIGINT NOT NULL DEFAULT 0;
ALTER TABLE kpi_daily ADD COLUMN aht_n BIGINT NOT NULL DEFAULT 0;
ALTER TABLE kpi_daily ADD COLUMN aht_sum BIGINT NOT NULL DEFAULT 0;
ALTER TABLE kpi_daily ADD COLUMN sla_met BIGINT NOT NULL DEFAULT 0;
ALTER TABLE kpi_daily ADD COLUMN sla_missed BIGINT NOT NULL DEFAULT 0;
DELETE FROM kpi_rollup_state;
-- the corrections read work_ms too: still covering
DROP INDEX kpi_facts_next;
DROP INDEX kpi_facts_reopen;
CREATE INDEX kpi_facts_next ON kpi_facts (kind, next_day, day, ticket_id, reopen_day, fcr, esc, tr, ms, bin, work_ms, group_id, channel, lang)
    WHERE next_day IS NOT NULL;
CREATE INDEX kpi_facts_reopen ON kpi_facts (kind, reopen_day, day, ticket_id, next_day, fcr, esc, tr, ms, bin, work_ms, group_id, channel, lang)
    WHERE reopen_day IS NOT NULL;

-- +goose Down
DROP INDEX kpi_facts_next;
DROP INDEX kpi_facts_reopen;
CREATE INDEX kpi_facts_next ON kpi_facts (kind, next_day, day, ticket_id, reopen_day, fcr, esc, tr, ms, bin, group_id, channel, lang)
    WHERE next_day IS NOT NULL;
CREATE INDEX kpi_facts_reopen ON kpi_facts (kind, reopen_day, day, ticket_id, next_day, fcr, esc, tr, ms, bin, group_id, channel, lang)
    WHERE reopen_day IS NOT NULL;
ALTER TABLE kpi_daily DROP COLUMN sla_missed;
ALTER TABLE kpi_daily DROP COLUMN sla_met;
ALTER TABLE kpi_daily DROP COLUMN aht_sum;
ALTER TABLE kpi_daily DROP COLUMN aht_n;
ALTER TABLE kpi_daily DROP COLUMN abandoned;
ALTER TABLE kpi_daily DROP COLUMN asa_sum;
ALTER TABLE kpi_daily DROP COLUMN asa_n;
ALTER TABLE kpi_facts DROP COLUMN work_ms;
ALTER TABLE kpi_facts DROP COLUMN biz_ms;
ALTER TABLE kpi_daily DROP COLUMN frt_bsum;
