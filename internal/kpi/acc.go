package kpi

import (
	"slices"
	"time"
)

// acc holds the additive parts of one period's figures. Both engines fill it
// (the replay from the event log, the rollups from kpi_daily and kpi_facts),
// and finish turns it into a Result, so the divisions, the nulls and the
// rounding are the same whichever engine counted.
type acc struct {
	created, resolved, reopened, backlog, transfers int
	fcr, esc, tr                                    int

	frtN           int
	frtSum, resSum float64
	frtBizSum      float64 // the first replies' business hours
	// The samples when the engine holds them all (replay, facts); otherwise
	// the medians are found from histograms and set in frtMed/resMed.
	frt, res       []float64
	frtMs, resMs   []int64 // the same samples in ms (their histogram bins)
	frtMed, resMed *float64

	volCh, volGr, volTag map[string]int

	csatN, csatGood, npsN, promoters, detractors, cesN, cesSum int

	retention   *float64
	deflections int

	asaN, abandoned, ahtN, slaMet, slaMissed int
	asaSum, ahtSum                           int64 // ms
}

// takeWork counts (sign 1) or takes back (−1) a resolution's handling time;
// resolutions without work logged are not in the sample.
func (a *acc) takeWork(ms int64, sign int) {
	if ms > 0 {
		a.ahtN += sign
		a.ahtSum += int64(sign) * ms
	}
}

func newAcc() *acc {
	return &acc{volCh: map[string]int{}, volGr: map[string]int{}, volTag: map[string]int{}}
}

func (a *acc) finish(from, to time.Time, f Filter) Result {
	r := Result{From: from, To: to, Created: a.created, Resolved: a.resolved, Reopened: a.reopened, Backlog: a.backlog,
		TransferEvents: a.transfers, FirstResponseCount: a.frtN,
		VolumeByChannel: nonZero(a.volCh), VolumeByGroup: nonZero(a.volGr), VolumeByTag: nonZero(a.volTag)}
	if a.frtN > 0 {
		v, b := a.frtSum/float64(a.frtN), a.frtBizSum/float64(a.frtN)
		r.FirstResponseAvgHours, r.FirstResponseBusinessAvgHours = &v, &b
	}
	if a.resolved > 0 {
		v := a.resSum / float64(a.resolved)
		r.ResolutionAvgHours = &v
	}
	r.FirstResponseMedianHours, r.ResolutionMedianHours = a.frtMed, a.resMed
	if a.frt != nil || a.frtN == 0 {
		r.FirstResponseMedianHours = median(a.frt)
	}
	if a.res != nil || a.resolved == 0 {
		r.ResolutionMedianHours = median(a.res)
	}
	r.FCRPercent = pct(a.fcr, a.resolved)
	r.EscalationPercent = pct(a.esc, a.resolved)
	r.TransferPercent = pct(a.tr, a.resolved)

	r.ChatsAnswered, r.ChatsAbandoned = a.asaN, a.abandoned
	if a.asaN > 0 {
		v := float64(a.asaSum) / 1000 / float64(a.asaN)
		r.ChatASASeconds = &v
	}
	r.ChatAbandonPercent = pct(a.abandoned, a.abandoned+a.asaN)
	r.HandledCount = a.ahtN
	if a.ahtN > 0 {
		v := float64(a.ahtSum) / 60_000 / float64(a.ahtN)
		r.HandlingAvgMinutes = &v
	}
	r.SLAMet, r.SLAMissed = a.slaMet, a.slaMissed
	r.SLAAttainmentPercent = pct(a.slaMet, a.slaMet+a.slaMissed)

	r.CSATResponses, r.NPSResponses, r.CESResponses = a.csatN, a.npsN, a.cesN
	r.CSATPercent = pct(a.csatGood, a.csatN)
	if a.npsN > 0 {
		v := float64(a.promoters-a.detractors) * 100 / float64(a.npsN)
		r.NPS = &v
	}
	if a.cesN > 0 {
		v := float64(a.cesSum) / float64(a.cesN)
		r.CESAverage = &v
	}
	if !f.ticketOnly() {
		r.RetentionPercent = a.retention
		if f.OrganizationID == 0 {
			r.Deflections = a.deflections
			r.DeflectionPercent = pct(a.deflections, a.deflections+a.created)
		}
	}
	return r
}

// nonZero drops the keys whose count went back to zero (a rollup row whose
// facts were all re-rolled away), so both engines list the same keys.
func nonZero(m map[string]int) map[string]int {
	out := make(map[string]int, len(m))
	for k, v := range m {
		if v != 0 {
			out[k] = v
		}
	}
	return out
}

func pct(n, of int) *float64 {
	if of == 0 {
		return nil
	}
	v := float64(n) * 100 / float64(of)
	return &v
}

func median(xs []float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	ys := slices.Clone(xs)
	slices.Sort(ys)
	n := len(ys)
	v := ys[n/2]
	if n%2 == 0 {
		v = (ys[n/2-1] + ys[n/2]) / 2
	}
	return &v
}
