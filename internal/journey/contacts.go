package journey

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"strings"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/directory"
	"layan/internal/events"
)

// Weeks is how many weeks after the first purchase the contacts chart follows
// (weeks 0 to Weeks-1); the contacts before the first purchase have their own
// bucket.
const Weeks = 26

// TopTopics is how many tags the topic split names; the rest are "other".
const TopTopics = 6

// ProactiveTag marks the tickets an agent opened to reach out (ReachOut):
// they are our contacts, not the customer's, and no journey figure counts them.
const ProactiveTag = "proactive"

const weekMillis = 7 * 24 * 60 * 60 * 1000

// Topic keys besides tags.
const (
	TopicOther = "other" // a tag outside the top TopTopics
	TopicNone  = "none"  // no tag at creation
)

// Split is one series of the contacts chart: a channel or a topic, with one
// count per bucket (Contacts.Buckets).
type Split struct {
	Key    string `json:"key"`
	Counts []int  `json:"counts"`
}

// Contacts is the journey chart: the tickets customers opened by week since
// their first purchase.
type Contacts struct {
	OrganizationID int64 `json:"organization_id,omitempty"`
	// Buckets name the columns: "before" (any time before the first
	// purchase), then "0" .. "25" (weeks since it).
	Buckets []string `json:"buckets"`
	// Customers with a purchase (in the organisation); Reached, per bucket,
	// those whose first purchase is long enough ago to have lived that week
	// (all of them for "before"): the denominator for a rate.
	Customers int   `json:"customers"`
	Reached   []int `json:"customers_reached"`
	Total     []int `json:"total"`
	// ByChannel: the ticket's channel (via_channel), largest first.
	ByChannel []Split `json:"by_channel"`
	// ByTopic: the ticket's tags when it was created, the TopTopics most
	// frequent by name, then "other" (a ticket counted once however many
	// other tags it has) and "none" (untagged). A ticket with two top tags
	// counts in both.
	ByTopic []Split `json:"by_topic"`
}

// BucketLabels are the bucket names: "before", "0" .. "25".
func BucketLabels() []string {
	out := make([]string, 0, Weeks+1)
	out = append(out, "before")
	for w := range Weeks {
		out = append(out, strconv.Itoa(w))
	}
	return out
}

// checkOrg refuses an organisation that does not exist (0 is "all").
func (s *Service) checkOrg(ctx context.Context, orgID int64) error {
	if orgID == 0 {
		return nil
	}
	if orgID < 0 {
		return apperr.Invalid("organization_id", "invalid", "must be an id")
	}
	var one int
	err := s.db.R.QueryRowContext(ctx, `SELECT 1 FROM organizations WHERE id = $1`, orgID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.Invalid("organization_id", "unknown", "no such organisation")
	}
	return err
}

// firstPurchases is the CTE of each customer's first purchase, of one
// organisation's customers when orgParam (its placeholder) is set.
func firstPurchases(orgParam string) string {
	if orgParam != "" {
		return `fp AS (SELECT ce.customer_id, MIN(ce.occurred_at) AS at FROM customer_events ce
			JOIN users u ON u.id = ce.customer_id AND u.organization_id = ` + orgParam + `
			WHERE ce.type = 'purchase' GROUP BY ce.customer_id)`
	}
	return `fp AS (SELECT customer_id, MIN(occurred_at) AS at FROM customer_events
		WHERE type = 'purchase' GROUP BY customer_id)`
}

// notProactive excludes the tickets we opened (ticket alias t).
const notProactive = `t.id NOT IN (SELECT ticket_id FROM ticket_tags WHERE tag = '` + ProactiveTag + `')`

// ContactsByWeek computes the journey chart (admins) over every customer with
// a purchase, or one organisation's (orgID != 0). Two aggregate queries,
// whatever the number of customers.
func (s *Service) ContactsByWeek(ctx context.Context, a auth.Actor, orgID int64) (Contacts, error) {
	if !a.IsAdmin() && !a.System {
		return Contacts{}, apperr.Forbidden("customer journey")
	}
	if err := s.checkOrg(ctx, orgID); err != nil {
		return Contacts{}, err
	}
	n := Weeks + 1
	c := Contacts{OrganizationID: orgID, Buckets: BucketLabels(), Reached: make([]int, n), Total: make([]int, n),
		ByChannel: []Split{}, ByTopic: []Split{}}
	args, orgParam := []any{db.Millis(s.now().UTC())}, ""
	if orgID != 0 {
		args, orgParam = append(args, orgID), "$2"
	}

	// How many customers lived each week: the weeks since the first purchase,
	// capped at Weeks, counted per value.
	rows, err := s.db.R.QueryContext(ctx, `WITH `+firstPurchases(orgParam)+`
		SELECT CASE WHEN $1 < at THEN 0 WHEN ($1 - at) / `+strconv.Itoa(weekMillis)+` >= `+strconv.Itoa(Weeks)+` THEN `+strconv.Itoa(Weeks)+`
			ELSE ($1 - at) / `+strconv.Itoa(weekMillis)+` END AS lived, COUNT(*) FROM fp GROUP BY 1`, args...)
	if err != nil {
		return c, err
	}
	lived := make([]int, Weeks+1) // lived[k]: customers who completed k weeks (Weeks: at least that many)
	for rows.Next() {
		var k int64
		var cnt int
		if err := rows.Scan(&k, &cnt); err != nil {
			rows.Close()
			return c, err
		}
		lived[min(max(k, 0), Weeks)] += cnt
		c.Customers += cnt
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return c, err
	}
	c.Reached[0] = c.Customers
	// Week w has begun for those who completed at least w weeks.
	acc := 0
	for w := Weeks; w >= 0; w-- {
		acc += lived[w]
		if w < Weeks {
			c.Reached[w+1] = acc
		}
	}

	// The contacts: per bucket, channel and tags at creation. The tags at
	// creation are the "before" of the ticket's first tag change, or its
	// tags when they never changed (as the KPI replay reads them); tc reads
	// the tag changes through their partial index (migration 00020).
	args, orgParam = nil, ""
	if orgID != 0 {
		args, orgParam = []any{orgID}, "$1"
	}
	rows, err = s.db.R.QueryContext(ctx, `WITH `+firstPurchases(orgParam)+`,
		tc AS (SELECT ticket_id, MIN(id) AS id FROM events WHERE type = '`+events.FieldChanged+`' AND field = 'tags' GROUP BY ticket_id)
		SELECT CASE WHEN t.created_at < fp.at THEN -1 ELSE (t.created_at - fp.at) / `+strconv.Itoa(weekMillis)+` END AS wk,
			t.via_channel, COALESCE(e.before, t.tags) AS tags, COUNT(*)
		FROM fp JOIN tickets t ON t.requester_id = fp.customer_id
		LEFT JOIN tc ON tc.ticket_id = t.id LEFT JOIN events e ON e.id = tc.id
		WHERE t.deleted_at IS NULL AND t.created_at < fp.at + `+strconv.Itoa(Weeks*weekMillis)+` AND `+notProactive+`
		GROUP BY 1, 2, 3`, args...)
	if err != nil {
		return c, err
	}
	type cell struct {
		bucket  int
		channel string
		tags    []string
		n       int
	}
	var cells []cell
	chTotal, tagTotal := map[string]int{}, map[string]int{}
	for rows.Next() {
		var wk int64
		var ch, tags string
		var cnt int
		if err := rows.Scan(&wk, &ch, &tags, &cnt); err != nil {
			rows.Close()
			return c, err
		}
		if wk >= Weeks {
			continue
		}
		ts := directory.SplitTags(tags)
		if slices.Contains(ts, ProactiveTag) {
			continue // tagged proactive at creation, the tag removed since
		}
		cl := cell{bucket: int(max(wk, -1)) + 1, channel: ch, tags: ts, n: cnt}
		cells = append(cells, cl)
		chTotal[ch] += cnt
		for _, tg := range ts {
			tagTotal[tg] += cnt
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return c, err
	}
	top := topKeys(tagTotal, TopTopics)
	chans := topKeys(chTotal, len(chTotal))
	chIdx := map[string]int{}
	for i, ch := range chans {
		chIdx[ch] = i
		c.ByChannel = append(c.ByChannel, Split{Key: ch, Counts: make([]int, n)})
	}
	topicIdx := map[string]int{}
	for i, tg := range append(top, TopicOther, TopicNone) {
		topicIdx[tg] = i
		c.ByTopic = append(c.ByTopic, Split{Key: tg, Counts: make([]int, n)})
	}
	for _, cl := range cells {
		c.Total[cl.bucket] += cl.n
		c.ByChannel[chIdx[cl.channel]].Counts[cl.bucket] += cl.n
		if len(cl.tags) == 0 {
			c.ByTopic[topicIdx[TopicNone]].Counts[cl.bucket] += cl.n
			continue
		}
		other := false
		for _, tg := range cl.tags {
			if i, ok := topicIdx[tg]; ok && tg != TopicOther && tg != TopicNone {
				c.ByTopic[i].Counts[cl.bucket] += cl.n
			} else {
				other = true
			}
		}
		if other {
			c.ByTopic[topicIdx[TopicOther]].Counts[cl.bucket] += cl.n
		}
	}
	// Drop the empty "other" and "none" series.
	c.ByTopic = slices.DeleteFunc(c.ByTopic, func(sp Split) bool {
		return (sp.Key == TopicOther || sp.Key == TopicNone) && sum(sp.Counts) == 0 && !slices.Contains(top, sp.Key)
	})
	return c, nil
}

// topKeys returns up to n keys, largest count first, then by name.
func topKeys(m map[string]int, n int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if c := cmp.Compare(m[b], m[a]); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	if len(keys) > n {
		keys = keys[:n]
	}
	return keys
}

func sum(xs []int) int {
	t := 0
	for _, x := range xs {
		t += x
	}
	return t
}

// Group is one side of churned vs retained.
type Group struct {
	Customers int `json:"customers"`
	// Contacts are the tickets the group opened during its tenure (first
	// purchase to cancellation, or to now); TenureDays their summed tenure.
	Contacts   int     `json:"contacts"`
	TenureDays float64 `json:"tenure_days"`
	// ContactsPer30Days is Contacts ÷ TenureDays × 30 (nil without tenure):
	// contacts per customer per 30 days of being a customer.
	ContactsPer30Days *float64 `json:"contacts_per_30_days"`
	// ContactedPercent is the share who ever opened a ticket (nil: no customers).
	ContactedPercent *float64 `json:"contacted_percent"`
	// CSATPercent is the share of good answers (score 4 or 5) among the
	// group's CSAT answers; nil without any.
	CSATAnswers int      `json:"csat_answers"`
	CSATPercent *float64 `json:"csat_percent"`
}

// ChurnComparison answers "did churned customers contact us more or less?".
type ChurnComparison struct {
	OrganizationID int64 `json:"organization_id,omitempty"`
	Churned        Group `json:"churned"`
	Retained       Group `json:"retained"`
	// Ratio is churned contacts per 30 days ÷ retained (nil when either is
	// missing or the retained rate is zero).
	Ratio *float64 `json:"ratio"`
}

// ChurnedVsRetained compares churned customers (whose latest
// signup/purchase/cancellation is a cancellation) with retained ones (a
// purchase and no cancellation after their latest purchase), over everyone or
// one organisation's customers (admins). One aggregate query for the
// customers and contacts, one for the surveys.
func (s *Service) ChurnedVsRetained(ctx context.Context, a auth.Actor, orgID int64) (ChurnComparison, error) {
	if !a.IsAdmin() && !a.System {
		return ChurnComparison{}, apperr.Forbidden("customer journey")
	}
	if err := s.checkOrg(ctx, orgID); err != nil {
		return ChurnComparison{}, err
	}
	out := ChurnComparison{OrganizationID: orgID}
	args := []any{db.Millis(s.now().UTC())}
	orgJoin := ""
	if orgID != 0 {
		args = append(args, orgID)
		orgJoin = `JOIN users u ON u.id = ce.customer_id AND u.organization_id = $2`
	}
	// life: each customer's lifecycle; grp: churned (c) or retained (r), with
	// the tenure's start and end.
	cte := `WITH life AS (SELECT ce.customer_id,
			MIN(CASE WHEN ce.type = 'purchase' THEN ce.occurred_at END) AS first_purchase,
			MAX(CASE WHEN ce.type = 'purchase' THEN ce.occurred_at END) AS last_purchase,
			MAX(CASE WHEN ce.type = 'cancellation' THEN ce.occurred_at END) AS last_cancel,
			MIN(ce.occurred_at) AS first_at, MAX(ce.occurred_at) AS last_at
			FROM customer_events ce ` + orgJoin + `
			WHERE ce.type IN ('signup', 'purchase', 'cancellation') GROUP BY ce.customer_id),
		grp AS (SELECT customer_id,
			CASE WHEN last_cancel IS NOT NULL AND last_cancel = last_at THEN 'c'
				WHEN last_purchase IS NOT NULL AND (last_cancel IS NULL OR last_cancel < last_purchase) THEN 'r' END AS g,
			COALESCE(first_purchase, first_at) AS start_at,
			CASE WHEN last_cancel IS NOT NULL AND last_cancel = last_at THEN last_cancel ELSE $1 END AS end_at
			FROM life)`
	rows, err := s.db.R.QueryContext(ctx, cte+churnContacts(s.db.Dialect), args...)
	if err != nil {
		return out, err
	}
	for rows.Next() {
		var g string
		var n, contacts, contacted int
		var tenure int64
		if err := rows.Scan(&g, &n, &tenure, &contacts, &contacted); err != nil {
			rows.Close()
			return out, err
		}
		grp := &out.Retained
		if g == "c" {
			grp = &out.Churned
		}
		grp.Customers, grp.Contacts, grp.TenureDays = n, contacts, float64(tenure)/(24*60*60*1000)
		if grp.TenureDays > 0 {
			grp.ContactsPer30Days = ptr(float64(contacts) / grp.TenureDays * 30)
		}
		if n > 0 {
			grp.ContactedPercent = ptr(100 * float64(contacted) / float64(n))
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return out, err
	}
	rows, err = s.db.R.QueryContext(ctx, cte+`
		SELECT g.g, COUNT(*), SUM(CASE WHEN sr.score >= 4 THEN 1 ELSE 0 END)
		FROM grp g JOIN survey_responses sr ON sr.customer_id = g.customer_id
		WHERE g.g IS NOT NULL AND sr.kind = 'csat' AND sr.answered_at IS NOT NULL AND sr.score IS NOT NULL
		GROUP BY g.g`, args...)
	if err != nil {
		return out, err
	}
	for rows.Next() {
		var g string
		var n, good int
		if err := rows.Scan(&g, &n, &good); err != nil {
			rows.Close()
			return out, err
		}
		grp := &out.Retained
		if g == "c" {
			grp = &out.Churned
		}
		grp.CSATAnswers = n
		if n > 0 {
			grp.CSATPercent = ptr(100 * float64(good) / float64(n))
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return out, err
	}
	if c, r := out.Churned.ContactsPer30Days, out.Retained.ContactsPer30Days; c != nil && r != nil && *r > 0 {
		out.Ratio = ptr(*c / *r)
	}
	return out, nil
}

// churnContacts sums each group's customers, tenure, contacts during the
// tenure and customers who ever opened a ticket. SQLite reads each
// customer's tickets as an index range (tickets_journey), 1.7 times as fast
// as the join; PostgreSQL hash-joins every ticket, 2.3 times as fast as its
// plan of the per-customer form (BenchmarkJourneyContacts, 200,000 tickets).
func churnContacts(d db.Dialect) string {
	if d == db.SQLite {
		return `,
		per AS (SELECT g.g, g.start_at, g.end_at,
			(SELECT COUNT(*) FROM tickets t WHERE t.requester_id = g.customer_id AND t.created_at >= g.start_at
				AND t.created_at <= g.end_at AND t.deleted_at IS NULL AND ` + notProactive + `) AS in_tenure,
			CASE WHEN EXISTS (SELECT 1 FROM tickets t WHERE t.requester_id = g.customer_id AND t.deleted_at IS NULL
				AND ` + notProactive + `) THEN 1 ELSE 0 END AS ever
			FROM grp g WHERE g.g IS NOT NULL)
		SELECT g, COUNT(*), SUM(CASE WHEN end_at > start_at THEN end_at - start_at ELSE 0 END), SUM(in_tenure), SUM(ever)
		FROM per GROUP BY g`
	}
	return `
		SELECT g.g, COUNT(*), SUM(CASE WHEN g.end_at > g.start_at THEN g.end_at - g.start_at ELSE 0 END),
			SUM(COALESCE(c.in_tenure, 0)), SUM(CASE WHEN c.ever > 0 THEN 1 ELSE 0 END)
		FROM grp g LEFT JOIN (
			SELECT t.requester_id, COUNT(*) AS ever,
				SUM(CASE WHEN t.created_at >= g2.start_at AND t.created_at <= g2.end_at THEN 1 ELSE 0 END) AS in_tenure
			FROM grp g2 JOIN tickets t ON t.requester_id = g2.customer_id
			WHERE g2.g IS NOT NULL AND t.deleted_at IS NULL AND ` + notProactive + `
			GROUP BY t.requester_id) c ON c.requester_id = g.customer_id
		WHERE g.g IS NOT NULL GROUP BY g.g`
}

func ptr[T any](v T) *T { return &v }
