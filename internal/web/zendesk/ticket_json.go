package zendesk

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"layan/internal/apperr"
	"layan/internal/ticket"
	"layan/internal/web/httpx"
)

// ticketJSON is Zendesk's ticket object.
type ticketJSON struct {
	ID               int64             `json:"id"`
	URL              string            `json:"url"`
	ExternalID       *string           `json:"external_id"`
	Type             *string           `json:"type"`
	Subject          string            `json:"subject"`
	RawSubject       string            `json:"raw_subject"`
	Description      string            `json:"description"`
	Priority         *string           `json:"priority"`
	Status           string            `json:"status"`
	Recipient        *string           `json:"recipient"`
	RequesterID      int64             `json:"requester_id"`
	SubmitterID      int64             `json:"submitter_id"`
	AssigneeID       *int64            `json:"assignee_id"`
	OrganizationID   *int64            `json:"organization_id"`
	GroupID          *int64            `json:"group_id"`
	CollaboratorIDs  []int64           `json:"collaborator_ids"`
	FollowerIDs      []int64           `json:"follower_ids"`
	EmailCCIDs       []int64           `json:"email_cc_ids"`
	HasIncidents     bool              `json:"has_incidents"`
	IsPublic         bool              `json:"is_public"`
	DueAt            *string           `json:"due_at"`
	Tags             []string          `json:"tags"`
	CustomFields     []customFieldJSON `json:"custom_fields"`
	Fields           []customFieldJSON `json:"fields"`
	Via              viaJSON           `json:"via"`
	AllowAttachments bool              `json:"allow_attachments"`
	CreatedAt        string            `json:"created_at"`
	UpdatedAt        string            `json:"updated_at"`
}

type customFieldJSON struct {
	ID    int64 `json:"id"`
	Value any   `json:"value"`
}

type viaJSON struct {
	Channel string `json:"channel"`
	Source  struct {
		From map[string]any `json:"from"`
		To   map[string]any `json:"to"`
		Rel  *string        `json:"rel"`
	} `json:"source"`
}

func strOrNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func newVia(channel string) viaJSON {
	v := viaJSON{Channel: channel}
	v.Source.From, v.Source.To = map[string]any{}, map[string]any{}
	return v
}

func toTicketJSON(r *http.Request, t ticket.Ticket) ticketJSON {
	fields := make([]customFieldJSON, 0, len(t.CustomFields))
	for id, v := range t.CustomFields {
		fields = append(fields, customFieldJSON{ID: id, Value: v})
	}
	sort.Slice(fields, func(i, j int) bool { return fields[i].ID < fields[j].ID })
	return ticketJSON{
		ID: t.ID, URL: resourceURL(r, "tickets", t.ID), ExternalID: strOrNil(t.ExternalID), Type: strOrNil(t.Type),
		Subject: t.Subject, RawSubject: t.Subject, Description: t.Description, Priority: strOrNil(t.Priority),
		Status: t.Status, RequesterID: t.RequesterID, SubmitterID: t.SubmitterID, AssigneeID: idOrNil(t.AssigneeID),
		OrganizationID: idOrNil(t.OrganizationID), GroupID: idOrNil(t.GroupID), CollaboratorIDs: []int64{},
		FollowerIDs: []int64{}, EmailCCIDs: []int64{}, IsPublic: true, DueAt: timeOrNil(t.DueAt), Tags: t.Tags,
		CustomFields: fields, Fields: fields, Via: newVia(t.Via), AllowAttachments: true,
		CreatedAt: t.CreatedAt.Format(time.RFC3339), UpdatedAt: t.UpdatedAt.Format(time.RFC3339),
	}
}

// commentIn is a comment in a request, with every field Zendesk clients send.
type commentIn struct {
	ID          json.RawMessage `json:"id"`
	Type        string          `json:"type"`
	Body        *string         `json:"body"`
	HTMLBody    *string         `json:"html_body"`
	PlainBody   *string         `json:"plain_body"`
	Public      *bool           `json:"public"`
	AuthorID    *int64          `json:"author_id"`
	Attachments json.RawMessage `json:"attachments"`
	CreatedAt   json.RawMessage `json:"created_at"`
	Uploads     []string        `json:"uploads"`
	Metadata    json.RawMessage `json:"metadata"`
	Via         json.RawMessage `json:"via"`
	TicketID    json.RawMessage `json:"ticket_id"`
}

func (c *commentIn) toNew() ticket.NewComment {
	nc := ticket.NewComment{Public: c.Public, Uploads: c.Uploads}
	if c.Body != nil {
		nc.Body = *c.Body
	}
	if c.HTMLBody != nil {
		nc.HTMLBody = *c.HTMLBody
	}
	if c.AuthorID != nil {
		nc.AuthorID = *c.AuthorID
	}
	return nc
}

// ticketIn is a ticket in a create or update request. It lists every field of
// Zendesk's ticket so real clients pass; read-only ones are accepted and ignored.
type ticketIn struct {
	ID              json.RawMessage `json:"id"`
	URL             json.RawMessage `json:"url"`
	ExternalID      *string         `json:"external_id"`
	Type            *string         `json:"type"`
	Subject         *string         `json:"subject"`
	RawSubject      json.RawMessage `json:"raw_subject"`
	Description     *string         `json:"description"`
	Priority        *string         `json:"priority"`
	Status          *string         `json:"status"`
	CustomStatusID  json.RawMessage `json:"custom_status_id"`
	Recipient       json.RawMessage `json:"recipient"`
	RequesterID     *int64          `json:"requester_id"`
	SubmitterID     *int64          `json:"submitter_id"`
	AssigneeID      *nullableID     `json:"assignee_id"`
	AssigneeEmail   *string         `json:"assignee_email"`
	OrganizationID  *nullableID     `json:"organization_id"`
	GroupID         *nullableID     `json:"group_id"`
	CollaboratorIDs json.RawMessage `json:"collaborator_ids"`
	Collaborators   json.RawMessage `json:"collaborators"`
	FollowerIDs     json.RawMessage `json:"follower_ids"`
	EmailCCIDs      json.RawMessage `json:"email_cc_ids"`
	ForumTopicID    json.RawMessage `json:"forum_topic_id"`
	ProblemID       json.RawMessage `json:"problem_id"`
	HasIncidents    json.RawMessage `json:"has_incidents"`
	DueAt           *nullableTime   `json:"due_at"`
	Tags            *[]string       `json:"tags"`
	AdditionalTags  []string        `json:"additional_tags"`
	RemoveTags      []string        `json:"remove_tags"`
	CustomFields    []customFieldIn `json:"custom_fields"`
	Fields          []customFieldIn `json:"fields"`
	Via             *struct {
		Channel string          `json:"channel"`
		Source  json.RawMessage `json:"source"`
	} `json:"via"`
	SatisfactionRating  json.RawMessage `json:"satisfaction_rating"`
	SharingAgreementIDs json.RawMessage `json:"sharing_agreement_ids"`
	FollowupIDs         json.RawMessage `json:"followup_ids"`
	ViaFollowupSourceID json.RawMessage `json:"via_followup_source_id"`
	MacroIDs            json.RawMessage `json:"macro_ids"`
	TicketFormID        json.RawMessage `json:"ticket_form_id"`
	BrandID             json.RawMessage `json:"brand_id"`
	AllowChannelback    json.RawMessage `json:"allow_channelback"`
	AllowAttachments    json.RawMessage `json:"allow_attachments"`
	IsPublic            json.RawMessage `json:"is_public"`
	CreatedAt           json.RawMessage `json:"created_at"`
	UpdatedAt           json.RawMessage `json:"updated_at"`
	Comment             *commentIn      `json:"comment"`
	Requester           *struct {
		Name     string          `json:"name"`
		Email    string          `json:"email"`
		LocaleID json.RawMessage `json:"locale_id"`
		Locale   string          `json:"locale"`
	} `json:"requester"`
	UpdatedStamp *nullableTime `json:"updated_stamp"`
	SafeUpdate   bool          `json:"safe_update"`
}

type customFieldIn struct {
	ID    int64 `json:"id"`
	Value any   `json:"value"`
}

// nullableID is an id that may be sent as a number, a numeric string, or null
// (null clears it: 0).
type nullableID struct{ V int64 }

func (n *nullableID) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "null" || s == "" {
		n.V = 0
		return nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 {
		return &httpx.BadRequest{Msg: "ids must be numbers"}
	}
	n.V = v
	return nil
}

// nullableTime is an RFC 3339 time or null; the zero time counts as unset,
// because some clients send "0001-01-01T00:00:00Z" for empty fields.
type nullableTime struct{ T time.Time }

func (n *nullableTime) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		n.T = time.Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return &httpx.BadRequest{Msg: "times must be RFC 3339 strings"}
	}
	if s == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		if t, err = time.Parse("2006-01-02", s); err != nil {
			return &httpx.BadRequest{Msg: "times must be RFC 3339 strings"}
		}
	}
	if t.Year() <= 1 {
		t = time.Time{}
	}
	n.T = t
	return nil
}

func (in *ticketIn) customFields() (map[int64]any, error) {
	all := append(in.CustomFields, in.Fields...)
	if len(all) == 0 {
		return nil, nil
	}
	out := make(map[int64]any, len(all))
	for _, f := range all {
		if f.ID <= 0 {
			return nil, apperr.Invalid("custom_fields", "invalid", "every custom field needs an id")
		}
		v := f.Value
		if n, ok := v.(json.Number); ok {
			fl, err := n.Float64()
			if err != nil {
				return nil, apperr.Invalid("custom_fields", "invalid_value", "has an invalid number")
			}
			v = fl
		}
		out[f.ID] = v
	}
	return out, nil
}

func (in *ticketIn) toNew() (ticket.NewTicket, error) {
	nt := ticket.NewTicket{}
	if in.Subject != nil {
		nt.Subject = *in.Subject
	}
	if in.Status != nil {
		nt.Status = *in.Status
	}
	if in.Priority != nil {
		nt.Priority = *in.Priority
	}
	if in.Type != nil {
		nt.Type = *in.Type
	}
	if in.ExternalID != nil {
		nt.ExternalID = *in.ExternalID
	}
	if in.RequesterID != nil {
		nt.RequesterID = *in.RequesterID
	}
	if in.AssigneeID != nil {
		nt.AssigneeID = in.AssigneeID.V
	}
	if in.GroupID != nil {
		nt.GroupID = in.GroupID.V
	}
	if in.OrganizationID != nil {
		nt.OrganizationID = in.OrganizationID.V
	}
	if in.DueAt != nil {
		nt.DueAt = in.DueAt.T
	}
	if in.Tags != nil {
		nt.Tags = *in.Tags
	}
	nt.Tags = append(nt.Tags, in.AdditionalTags...)
	if in.Via != nil {
		nt.Via = in.Via.Channel
	}
	if in.Requester != nil {
		nt.Requester = &ticket.Requester{Name: in.Requester.Name, Email: in.Requester.Email, Locale: in.Requester.Locale}
	}
	var err error
	if nt.CustomFields, err = in.customFields(); err != nil {
		return nt, err
	}
	switch {
	case in.Comment != nil:
		nt.Comment = in.Comment.toNew()
	case in.Description != nil:
		nt.Comment = ticket.NewComment{Body: *in.Description}
	default:
		return nt, apperr.Invalid("comment", "required", "a new ticket needs a comment or a description")
	}
	return nt, nil
}

func (in *ticketIn) toPatch() (ticket.Patch, error) {
	p := ticket.Patch{Subject: in.Subject, Status: in.Status, Priority: in.Priority, Type: in.Type,
		ExternalID: in.ExternalID, RequesterID: in.RequesterID, Tags: in.Tags, AddTags: in.AdditionalTags, RemoveTags: in.RemoveTags}
	if in.AssigneeID != nil {
		p.AssigneeID = &in.AssigneeID.V
	}
	if in.GroupID != nil {
		p.GroupID = &in.GroupID.V
	}
	if in.OrganizationID != nil {
		p.OrganizationID = &in.OrganizationID.V
	}
	if in.DueAt != nil {
		p.DueAt = &in.DueAt.T
	}
	if in.Comment != nil {
		c := in.Comment.toNew()
		p.Comment = &c
	}
	if in.SafeUpdate && in.UpdatedStamp != nil {
		p.UpdatedStamp = in.UpdatedStamp.T
	}
	var err error
	p.CustomFields, err = in.customFields()
	return p, err
}

// commentJSON is Zendesk's comment object.
type commentJSON struct {
	ID          int64            `json:"id"`
	Type        string           `json:"type"`
	AuthorID    int64            `json:"author_id"`
	Body        string           `json:"body"`
	HTMLBody    string           `json:"html_body"`
	PlainBody   string           `json:"plain_body"`
	Public      bool             `json:"public"`
	Attachments []attachmentJSON `json:"attachments"`
	AuditID     int64            `json:"audit_id"`
	Via         viaJSON          `json:"via"`
	CreatedAt   string           `json:"created_at"`
}

type attachmentJSON struct {
	ID          int64  `json:"id"`
	FileName    string `json:"file_name"`
	ContentURL  string `json:"content_url"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	Inline      bool   `json:"inline"`
	Thumbnails  []any  `json:"thumbnails"`
}

func toAttachmentJSON(r *http.Request, a ticket.Attachment) attachmentJSON {
	return attachmentJSON{ID: a.ID, FileName: a.FileName, ContentType: a.ContentType, Size: a.Size, Thumbnails: []any{},
		ContentURL: baseURL(r) + "/attachments/token/" + a.Token + "/?name=" + urlQueryEscape(a.FileName)}
}

func toCommentJSON(r *http.Request, c ticket.Comment) commentJSON {
	atts := make([]attachmentJSON, 0, len(c.Attachments))
	for _, a := range c.Attachments {
		atts = append(atts, toAttachmentJSON(r, a))
	}
	return commentJSON{ID: c.ID, Type: "Comment", AuthorID: c.AuthorID, Body: c.Body, HTMLBody: c.HTMLBody,
		PlainBody: c.Body, Public: c.Public, Attachments: atts, Via: newVia(c.Via), CreatedAt: c.CreatedAt.Format(time.RFC3339)}
}

// TicketJSON is a ticket in Zendesk's shape, for Layan's own endpoints that
// answer with a ticket (the reach-out of the churn-risk list).
func TicketJSON(r *http.Request, t ticket.Ticket) any { return toTicketJSON(r, t) }
