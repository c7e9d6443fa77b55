package ui

import (
	"net/http"
	"strconv"

	"layan/internal/apperr"
	"layan/internal/i18n"
)

// The requester rates a solved request on its portal page (CSAT 1–5 and a
// comment), the portal's way to the same survey the mail links to.

type portalRating struct {
	TicketID  int64
	Scale     []surveyScale
	Comment   string
	Answered  bool
	Question  string
	Low, High string
}

// portalRatingOf is the rating form of a solved request; nil without a
// survey service or on any error (the rest of the page still shows).
func (p *Pages) portalRatingOf(r *http.Request, v *View, ticketID int64) *portalRating {
	if p.d.Surveys == nil {
		return nil
	}
	resp, ok, err := p.d.Surveys.TicketRating(r.Context(), v.Actor, ticketID)
	if err != nil {
		return nil
	}
	pr := &portalRating{TicketID: ticketID, Question: v.T("survey.question.csat"), Low: v.T("survey.low.csat"),
		High: v.T("survey.high.csat"), Comment: resp.Comment}
	score := 0
	if ok && resp.Score != nil {
		score, pr.Answered = *resp.Score, true
	}
	for s := 1; s <= 5; s++ {
		pr.Scale = append(pr.Scale, surveyScale{Score: s, Label: i18n.Integer(v.Locale, s), Selected: score == s})
	}
	return pr
}

// rateRequest: POST /portal/requests/{id}/rating (score, comment). The
// survey service lets only the requester rate, and only a solved request.
func (p *Pages) rateRequest(w http.ResponseWriter, r *http.Request) {
	id, ok := p.ticketID(w, r)
	if !ok {
		return
	}
	comment := r.PostFormValue("comment")
	score, err := strconv.Atoi(r.PostFormValue("score"))
	if err == nil {
		_, err = p.d.Surveys.RateTicket(r.Context(), currentActor(r), id, score, &comment)
	} else {
		err = apperr.Invalid("score", "invalid", "a number")
	}
	if _, bad := apperr.AsValidation(err); bad {
		v := p.view(r)
		v.Flash, v.FlashKind = v.T("survey.error.score"), "error"
		if ve, _ := apperr.AsValidation(err); ve.Field == "comment" {
			v.Flash = v.T("form.too_long", "field", v.T("survey.comment"))
		}
		p.showRequest(w, r, v, http.StatusBadRequest, id, newForm(), nil)
		return
	}
	if err != nil {
		p.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/portal/requests/"+itoa(id)+"?done=rated#rating", http.StatusSeeOther)
}
