package ui

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"layan/internal/ticket"
	"layan/internal/web/httpx"
)

// maxBulk bounds one bulk action (a page of a view, with room to spare).
const maxBulk = 100

// bulk: POST /agent/bulk (ids, bulk_assignee, bulk_status, bulk_tag, back)
// applies one patch to each selected ticket through the ticket service, so
// every ticket gets its own permission check and events.
func (p *Pages) bulk(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, _ := httpx.ActorFrom(ctx)
	if err := r.ParseForm(); err != nil {
		p.fail(w, r, err)
		return
	}
	back := localPath(r.PostFormValue("back"), "/agent")
	var patch ticket.Patch
	switch as := r.PostFormValue("bulk_assignee"); as {
	case "":
	case "me":
		patch.AssigneeID = &a.UserID
	case "none":
		zero := int64(0)
		patch.AssigneeID = &zero
	default:
		if id, err := strconv.ParseInt(as, 10, 64); err == nil && id > 0 {
			patch.AssigneeID = &id
		}
	}
	if st := r.PostFormValue("bulk_status"); slices.Contains(ticket.Statuses, st) {
		patch.Status = &st
	}
	if tag := strings.TrimSpace(r.PostFormValue("bulk_tag")); tag != "" {
		patch.AddTags = strings.Fields(strings.ReplaceAll(tag, ",", " "))
	}
	ids := r.PostForm["ids"]
	if len(ids) > maxBulk {
		ids = ids[:maxBulk]
	}
	ok, failed := 0, 0
	if patch.AssigneeID != nil || patch.Status != nil || len(patch.AddTags) > 0 {
		for _, s := range ids {
			id, err := strconv.ParseInt(s, 10, 64)
			if err == nil {
				_, err = p.d.Tickets.Update(ctx, a, id, patch)
			}
			if err != nil {
				failed++
				continue
			}
			ok++
		}
	}
	u, _ := url.Parse(back)
	q := u.Query()
	q.Set("bulk_ok", strconv.Itoa(ok))
	q.Set("bulk_failed", strconv.Itoa(failed))
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
}
