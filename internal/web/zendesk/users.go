package zendesk

import (
	"encoding/json"
	"net/http"
	"time"

	"layan/internal/auth"
	"layan/internal/directory"
)

// userJSON is Zendesk's user object.
type userJSON struct {
	ID                  int64          `json:"id"`
	URL                 string         `json:"url"`
	Name                string         `json:"name"`
	Email               *string        `json:"email"`
	Role                string         `json:"role"`
	RoleType            *int           `json:"role_type"`
	Locale              string         `json:"locale"`
	TimeZone            string         `json:"time_zone"`
	IanaTimeZone        string         `json:"iana_time_zone"`
	OrganizationID      *int64         `json:"organization_id"`
	DefaultGroupID      *int64         `json:"default_group_id"`
	ExternalID          *string        `json:"external_id"`
	Phone               *string        `json:"phone"`
	Details             string         `json:"details"`
	Notes               string         `json:"notes"`
	Tags                []string       `json:"tags"`
	Active              bool           `json:"active"`
	Suspended           bool           `json:"suspended"`
	Verified            bool           `json:"verified"`
	Moderator           bool           `json:"moderator"`
	OnlyPrivateComments bool           `json:"only_private_comments"`
	RestrictedAgent     bool           `json:"restricted_agent"`
	TicketRestriction   *string        `json:"ticket_restriction"`
	Shared              bool           `json:"shared"`
	UserFields          map[string]any `json:"user_fields"`
	Photo               any            `json:"photo"`
	LastLoginAt         *string        `json:"last_login_at"`
	CreatedAt           string         `json:"created_at"`
	UpdatedAt           string         `json:"updated_at"`
}

// toUserJSON shows staff everything; a customer sees their own profile
// without the agents' private notes.
func toUserJSON(r *http.Request, u directory.User, viewer auth.Actor) userJSON {
	j := userJSON{ID: u.ID, URL: resourceURL(r, "users", u.ID), Name: u.Name, Email: strOrNil(u.Email), Role: u.Role,
		Locale: u.Locale, TimeZone: u.TimeZone, IanaTimeZone: u.TimeZone, OrganizationID: idOrNil(u.OrganizationID),
		DefaultGroupID: idOrNil(u.DefaultGroupID), ExternalID: strOrNil(u.ExternalID), Phone: strOrNil(u.Phone),
		Details: u.Details, Notes: u.Notes, Tags: u.Tags, Active: u.Active, Suspended: u.Suspended, Verified: u.Verified,
		OnlyPrivateComments: u.Role == auth.RoleLightAgent, RestrictedAgent: u.RestrictedToGroups,
		UserFields: map[string]any{}, LastLoginAt: timeOrNil(u.LastLoginAt),
		CreatedAt: u.CreatedAt.Format(time.RFC3339), UpdatedAt: u.UpdatedAt.Format(time.RFC3339)}
	if u.Role == auth.RoleLightAgent {
		j.Role = "agent" // Zendesk shows light agents as agents with a custom role
		rt := 1
		j.RoleType = &rt
	}
	if u.RestrictedToGroups {
		g := "groups"
		j.TicketRestriction = &g
	}
	if !viewer.IsStaff() {
		j.Notes, j.Details, j.Tags = "", "", []string{}
	}
	return j
}

func usersJSON(r *http.Request, us []directory.User, viewer auth.Actor) []userJSON {
	out := make([]userJSON, len(us))
	for i, u := range us {
		out[i] = toUserJSON(r, u, viewer)
	}
	return out
}

// userIn lists every field of Zendesk's user so real clients pass.
type userIn struct {
	ID                   json.RawMessage `json:"id"`
	URL                  json.RawMessage `json:"url"`
	Email                *string         `json:"email"`
	Name                 *string         `json:"name"`
	Active               json.RawMessage `json:"active"`
	Alias                json.RawMessage `json:"alias"`
	ChatOnly             json.RawMessage `json:"chat_only"`
	CustomRoleID         json.RawMessage `json:"custom_role_id"`
	DefaultGroupID       *nullableID     `json:"default_group_id"`
	Details              *string         `json:"details"`
	ExternalID           *string         `json:"external_id"`
	IanaTimeZone         *string         `json:"iana_time_zone"`
	Locale               *string         `json:"locale"`
	LocaleID             json.RawMessage `json:"locale_id"`
	Moderator            json.RawMessage `json:"moderator"`
	Notes                *string         `json:"notes"`
	OnlyPrivateComments  json.RawMessage `json:"only_private_comments"`
	OrganizationID       *nullableID     `json:"organization_id"`
	Phone                *string         `json:"phone"`
	Photo                json.RawMessage `json:"photo"`
	RemotePhotoURL       json.RawMessage `json:"remote_photo_url"`
	RestrictedAgent      *bool           `json:"restricted_agent"`
	Role                 *string         `json:"role"`
	RoleType             json.RawMessage `json:"role_type"`
	Shared               json.RawMessage `json:"shared"`
	SharedAgent          json.RawMessage `json:"shared_agent"`
	SharedPhoneNumber    json.RawMessage `json:"shared_phone_number"`
	Signature            json.RawMessage `json:"signature"`
	Suspended            *bool           `json:"suspended"`
	Tags                 *[]string       `json:"tags"`
	TicketRestriction    *string         `json:"ticket_restriction"`
	TimeZone             *string         `json:"time_zone"`
	TwoFactorAuthEnabled json.RawMessage `json:"two_factor_auth_enabled"`
	UserFields           json.RawMessage `json:"user_fields"`
	Verified             *bool           `json:"verified"`
	ReportCSV            json.RawMessage `json:"report_csv"`
	LastLoginAt          json.RawMessage `json:"last_login_at"`
	CreatedAt            json.RawMessage `json:"created_at"`
	UpdatedAt            json.RawMessage `json:"updated_at"`
	Password             *string         `json:"password"`
	LayanRole            *string         `json:"layan_role"` // light_agent, which Zendesk models as a custom role
}

func (in *userIn) timeZone() *string {
	if in.IanaTimeZone != nil && *in.IanaTimeZone != "" {
		return in.IanaTimeZone
	}
	if in.TimeZone != nil && *in.TimeZone != "" {
		return in.TimeZone
	}
	return nil
}

func (in *userIn) role() *string {
	if in.LayanRole != nil {
		return in.LayanRole
	}
	return in.Role
}

func (in *userIn) restricted() *bool {
	if in.TicketRestriction != nil {
		b := *in.TicketRestriction == "groups"
		return &b
	}
	return in.RestrictedAgent
}

func (in *userIn) toInput() directory.UserInput {
	d := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	u := directory.UserInput{Name: d(in.Name), Email: d(in.Email), Role: d(in.role()), Locale: d(in.Locale),
		TimeZone: d(in.timeZone()), ExternalID: d(in.ExternalID), Phone: d(in.Phone), Details: d(in.Details),
		Notes: d(in.Notes), Password: d(in.Password)}
	if in.OrganizationID != nil {
		u.OrganizationID = in.OrganizationID.V
	}
	if in.DefaultGroupID != nil {
		u.DefaultGroupID = in.DefaultGroupID.V
	}
	if in.Tags != nil {
		u.Tags = *in.Tags
	}
	if r := in.restricted(); r != nil {
		u.RestrictedToGroups = *r
	}
	if in.Verified != nil {
		u.Verified = *in.Verified
	}
	return u
}

func (in *userIn) toPatch() directory.UserPatch {
	p := directory.UserPatch{Name: in.Name, Email: in.Email, Role: in.role(), Locale: in.Locale, TimeZone: in.timeZone(),
		ExternalID: in.ExternalID, Phone: in.Phone, Details: in.Details, Notes: in.Notes, Tags: in.Tags,
		RestrictedToGroups: in.restricted(), Suspended: in.Suspended, Password: in.Password}
	if in.OrganizationID != nil {
		p.OrganizationID = &in.OrganizationID.V
	}
	if in.DefaultGroupID != nil {
		p.DefaultGroupID = &in.DefaultGroupID.V
	}
	return p
}

type userBody struct {
	User userJSON `json:"user"`
}

// ListUsers: GET /api/v2/users (staff), optional role filter.
func (api *API) ListUsers(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	role := r.URL.Query().Get("role")
	if role == "" {
		role = r.URL.Query().Get("role[]")
	}
	size, after, _, cursor, err := cursorRequest(r)
	if err != nil {
		return 0, nil, err
	}
	if cursor {
		from, err := afterID(after)
		if err != nil {
			return 0, nil, err
		}
		users, _, err := api.Dir.ListUsers(r.Context(), a, role, directory.Page{PerPage: size, After: from, Keyset: true})
		if err != nil {
			return 0, nil, err
		}
		users, meta, links := idKeysetPage(r, users, size, func(u directory.User) int64 { return u.ID })
		return http.StatusOK, map[string]any{"users": usersJSON(r, users, a), "meta": meta, "links": links}, nil
	}
	p, err := readOffsetPage(r)
	if err != nil {
		return 0, nil, err
	}
	users, total, err := api.Dir.ListUsers(r.Context(), a, role, directory.Page{Page: p.Page, PerPage: p.PerPage})
	if err != nil {
		return 0, nil, err
	}
	next, prev := pageLinks(r, p, total)
	return http.StatusOK, map[string]any{"users": usersJSON(r, users, a), "next_page": next, "previous_page": prev, "count": total}, nil
}

// ShowUser: GET /api/v2/users/{id}.
func (api *API) ShowUser(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := idFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	u, err := api.Dir.GetUser(r.Context(), a, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, userBody{toUserJSON(r, u, a)}, nil
}

// Me: GET /api/v2/users/me.
func (api *API) Me(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	u, err := api.Dir.GetUser(r.Context(), a, a.UserID)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, userBody{toUserJSON(r, u, a)}, nil
}

// CreateUser: POST /api/v2/users.
func (api *API) CreateUser(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	in, err := decodeObject[userIn](w, r, api.MaxBody, "user")
	if err != nil {
		return 0, nil, err
	}
	u, err := api.Dir.CreateUser(r.Context(), a, in.toInput())
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, userBody{toUserJSON(r, u, a)}, nil
}

// UpdateUser: PUT /api/v2/users/{id}.
func (api *API) UpdateUser(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := idFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	in, err := decodeObject[userIn](w, r, api.MaxBody, "user")
	if err != nil {
		return 0, nil, err
	}
	u, err := api.Dir.UpdateUser(r.Context(), a, id, in.toPatch())
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, userBody{toUserJSON(r, u, a)}, nil
}

// SearchUsers: GET /api/v2/users/search?query=.
func (api *API) SearchUsers(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	q := r.URL.Query().Get("query")
	if q == "" {
		q = r.URL.Query().Get("external_id")
	}
	p, err := readOffsetPage(r)
	if err != nil {
		return 0, nil, err
	}
	users, total, err := api.Dir.SearchUsers(r.Context(), a, q, directory.Page{Page: p.Page, PerPage: p.PerPage})
	if err != nil {
		return 0, nil, err
	}
	next, prev := pageLinks(r, p, total)
	return http.StatusOK, map[string]any{"users": usersJSON(r, users, a), "next_page": next, "previous_page": prev, "count": total}, nil
}
