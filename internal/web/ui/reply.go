package ui

import (
	"errors"
	"mime/multipart"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/blob"
	"layan/internal/directory"
	"layan/internal/events"
	"layan/internal/ticket"
)

// maxFilesPerReply bounds the attachments of one reply.
const maxFilesPerReply = 10

var uploadToken = regexp.MustCompile(`^[0-9a-f-]{36}$`)

// updateTicket: POST /agent/tickets/{id}. One form carries the reply (body,
// visibility, attachments) and the field changes; the button pressed may set
// the status ("Submit as Pending"). The reply must be based on the version
// of the ticket the agent saw (updated_stamp): otherwise it is refused with
// a warning and the draft is kept, so nobody answers a message they have
// not read.
func (p *Pages) updateTicket(w http.ResponseWriter, r *http.Request) {
	id, ok := p.ticketID(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	a := currentActor(r)
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if err := r.ParseMultipartForm(8 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
			p.fail(w, r, err)
			return
		}
	}
	cur, err := p.d.Tickets.Get(ctx, a, id)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	// The visit's work time counts whether or not the update goes through:
	// the page shown next starts a new visit.
	p.logVisit(r, a, id)
	d := draft{Body: r.PostFormValue("body"), Internal: r.PostFormValue("visibility") == "internal" || !a.CanEditTickets()}
	for _, tok := range r.PostForm["pending_upload"] {
		// "name|token": the token is last, as a file name may hold "|".
		if i := strings.LastIndex(tok, "|"); i >= 0 && uploadToken.MatchString(tok[i+1:]) {
			d.Uploads = append(d.Uploads, pendingUpload{Token: tok[i+1:], Name: tok[:i]})
		}
	}
	v := p.view(r)
	refuse := func(status int, notice string) {
		v.Flash, v.FlashKind = notice, "error"
		p.showTicket(w, r, v, status, id, d)
	}
	// Files first, so a refused reply keeps them as pending uploads.
	if r.MultipartForm != nil {
		files := r.MultipartForm.File["attachments"]
		if len(files)+len(d.Uploads) > maxFilesPerReply {
			refuse(http.StatusUnprocessableEntity, v.T("error.too_many_files", "max", maxFilesPerReply))
			return
		}
		for _, fh := range files {
			up, err := p.storeUpload(r, a, fh)
			if errors.Is(err, blob.ErrTooLarge) {
				refuse(http.StatusRequestEntityTooLarge, v.T("error.file_too_large", "file", fh.Filename,
					"max", formatSize(v.Locale, p.d.MaxUploadBytes)))
				return
			}
			if err != nil {
				p.fail(w, r, err)
				return
			}
			d.Uploads = append(d.Uploads, up)
		}
	}
	if stamp, err := strconv.ParseInt(r.PostFormValue("updated_stamp"), 10, 64); err == nil && stamp != cur.UpdatedAt.UnixMilli() {
		refuse(http.StatusConflict, p.staleNotice(r, v, id))
		return
	}
	patch := ticket.Patch{UpdatedStamp: cur.UpdatedAt}
	if a.CanEditTickets() {
		if err := fieldPatch(r, cur, &patch); err != nil {
			refuse(http.StatusUnprocessableEntity, v.T("error.invalid_input"))
			return
		}
		if cf, err := p.customFieldPatch(r, a, cur); err == nil {
			patch.CustomFields = cf
		}
	}
	done := "saved"
	if strings.TrimSpace(d.Body) != "" || len(d.Uploads) > 0 {
		public := !d.Internal
		nc := &ticket.NewComment{Body: d.Body, Public: &public, Via: "web"}
		for _, u := range d.Uploads {
			nc.Uploads = append(nc.Uploads, u.Token)
		}
		patch.Comment = nc
		done = "reply"
		if !public {
			done = "note"
		}
	}
	if _, err := p.d.Tickets.Update(ctx, a, id, patch); err != nil {
		switch status, key := errorKey(err); status {
		case http.StatusConflict:
			refuse(status, p.staleNotice(r, v, id))
		case http.StatusUnprocessableEntity, http.StatusForbidden:
			refuse(status, p.validationNotice(v, err, key))
		default:
			p.fail(w, r, err)
		}
		return
	}
	http.Redirect(w, r, "/agent/tickets/"+itoa(id)+"?done="+done, http.StatusSeeOther)
}

// storeUpload writes one attached file to the blob store and registers it
// with the ticket service, as POST /api/v2/uploads does.
func (p *Pages) storeUpload(r *http.Request, a auth.Actor, fh *multipart.FileHeader) (pendingUpload, error) {
	f, err := fh.Open()
	if err != nil {
		return pendingUpload{}, err
	}
	defer f.Close()
	key, size, err := p.d.Blobs.Put(r.Context(), f, p.d.MaxUploadBytes)
	if err != nil {
		return pendingUpload{}, err
	}
	ct := fh.Header.Get("Content-Type")
	if ct == "" {
		ct = "application/octet-stream"
	}
	token := uuid.Must(uuid.NewV7()).String()
	at, err := p.d.Tickets.NewUpload(r.Context(), a, token, fh.Filename, ct, key, size)
	if err != nil {
		return pendingUpload{}, err
	}
	return pendingUpload{Token: at.Token, Name: at.FileName}, nil
}

// staleNotice names who changed the ticket since the agent loaded it.
func (p *Pages) staleNotice(r *http.Request, v *View, id int64) string {
	evs, err := p.d.Tickets.Events(r.Context(), v.Actor, id)
	// Logged work time changes nothing: the change is the last other event.
	evs = slices.DeleteFunc(evs, func(e events.Event) bool { return e.Type == events.WorkLogged })
	if err == nil && len(evs) > 0 {
		if last := evs[len(evs)-1]; last.ActorID != 0 && last.ActorID != v.Actor.UserID {
			if u, err := p.d.Dir.GetUser(r.Context(), v.Actor, last.ActorID); err == nil {
				return v.T("reply.stale", "name", u.Name)
			}
		}
	}
	return v.T("reply.stale_unknown")
}

// validationNotice explains a refused change in the page's language.
func (p *Pages) validationNotice(v *View, err error, key string) string {
	if ve, ok := apperr.AsValidation(err); ok {
		if label, ok := fieldLabels[ve.Field]; ok {
			return v.T("error.invalid", "field", v.T(label))
		}
	}
	return v.T(key)
}

var fieldLabels = map[string]string{
	"status": "ticket.status", "priority": "ticket.priority", "type": "ticket.type", "language": "ticket.language",
	"assignee_id": "ticket.assignee", "group_id": "ticket.group", "tags": "ticket.tags",
	"comment.body": "reply.body", "comment.uploads": "reply.attach_files", "custom_fields": "ticket.custom_fields",
}

// fieldPatch adds the standard fields that the form changed.
func fieldPatch(r *http.Request, cur ticket.Ticket, patch *ticket.Patch) error {
	str := func(name, curVal string, allowed []string, dst **string) {
		if _, sent := r.PostForm[name]; !sent {
			return
		}
		v := r.PostFormValue(name)
		if v != curVal && (v == "" || slices.Contains(allowed, v)) {
			*dst = &v
		}
	}
	status := r.PostFormValue("submit_status")
	if status == "" {
		status = r.PostFormValue("status")
	}
	if status != "" && status != cur.Status && slices.Contains(ticket.Statuses, status) {
		patch.Status = &status
	}
	str("priority", cur.Priority, ticket.Priorities, &patch.Priority)
	str("type", cur.Type, ticket.Types, &patch.Type)
	str("language", cur.Language, ticket.Languages, &patch.Language)
	id := func(name string, curVal int64, dst **int64) error {
		if _, sent := r.PostForm[name]; !sent {
			return nil
		}
		var n int64
		if s := r.PostFormValue(name); s != "" {
			var err error
			if n, err = strconv.ParseInt(s, 10, 64); err != nil || n < 0 {
				return apperr.Invalid(name, "invalid", "not a number")
			}
		}
		if n != curVal {
			*dst = &n
		}
		return nil
	}
	if err := id("assignee_id", cur.AssigneeID, &patch.AssigneeID); err != nil {
		return err
	}
	if err := id("group_id", cur.GroupID, &patch.GroupID); err != nil {
		return err
	}
	if _, sent := r.PostForm["tags"]; sent {
		tags, err := directory.NormalizeTags(strings.Fields(strings.ReplaceAll(r.PostFormValue("tags"), ",", " ")))
		if err != nil {
			return err
		}
		if !slices.Equal(tags, cur.Tags) {
			patch.Tags = &tags
		}
	}
	return nil
}

// customFieldPatch reads cf_<id> inputs and returns the values that changed.
func (p *Pages) customFieldPatch(r *http.Request, a auth.Actor, cur ticket.Ticket) (map[int64]any, error) {
	if r.PostFormValue("cf_present") == "" {
		return nil, nil
	}
	defs, err := p.d.Tickets.Fields(r.Context(), a)
	if err != nil {
		return nil, err
	}
	out := map[int64]any{}
	for _, f := range defs {
		if !f.Active {
			continue
		}
		name := "cf_" + itoa(f.ID)
		old := cur.CustomFields[f.ID]
		switch f.Type {
		case "checkbox":
			val := r.PostFormValue(name) == "1"
			if oldB, _ := old.(bool); val != oldB {
				out[f.ID] = val
			}
		case "multiselect":
			vals := r.PostForm[name]
			var oldVals []string
			if list, ok := old.([]any); ok {
				for _, e := range list {
					if s, ok := e.(string); ok {
						oldVals = append(oldVals, s)
					}
				}
			}
			if !slices.Equal(vals, oldVals) {
				out[f.ID] = vals
			}
		case "integer", "decimal":
			val := strings.TrimSpace(r.PostFormValue(name))
			oldS := ""
			if n, ok := old.(float64); ok {
				oldS = strconv.FormatFloat(n, 'f', -1, 64)
			}
			if val != oldS {
				if val == "" {
					out[f.ID] = nil
				} else {
					out[f.ID] = val
				}
			}
		default:
			val := r.PostFormValue(name)
			oldS, _ := old.(string)
			if val != oldS {
				if val == "" {
					out[f.ID] = nil
				} else {
					out[f.ID] = val
				}
			}
		}
	}
	return out, nil
}
