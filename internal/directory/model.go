// Package directory holds the people of a workspace: users of every role
// (admins, agents, light agents, customers), organisations, groups and their
// memberships, and the credentials (passwords, API tokens, sessions) that
// turn a request into an auth.Actor. One users table serves every role, as in
// Zendesk, so one package owns it.
package directory

import "time"

// User is a person: staff or customer.
type User struct {
	ID                 int64
	Name               string
	Email              string
	Role               string
	Locale             string
	TimeZone           string
	OrganizationID     int64
	DefaultGroupID     int64
	ExternalID         string
	Phone              string
	Details            string
	Notes              string
	Tags               []string
	RestrictedToGroups bool
	Active             bool
	Suspended          bool
	Verified           bool
	HasPassword        bool
	LastLoginAt        time.Time
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// UserInput creates a user. Zero values mean defaults.
type UserInput struct {
	Name               string
	Email              string
	Role               string
	Locale             string
	TimeZone           string
	OrganizationID     int64
	DefaultGroupID     int64
	ExternalID         string
	Phone              string
	Details            string
	Notes              string
	Tags               []string
	RestrictedToGroups bool
	Password           string
	Verified           bool
}

// UserPatch changes a user; nil fields stay as they are.
type UserPatch struct {
	Name               *string
	Email              *string
	Role               *string
	Locale             *string
	TimeZone           *string
	OrganizationID     *int64
	DefaultGroupID     *int64
	ExternalID         *string
	Phone              *string
	Details            *string
	Notes              *string
	Tags               *[]string
	RestrictedToGroups *bool
	Suspended          *bool
	Password           *string
}

// Group is a team of agents.
type Group struct {
	ID          int64
	Name        string
	Description string
	Default     bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Organization is a customer company.
type Organization struct {
	ID             int64
	Name           string
	Details        string
	Notes          string
	ExternalID     string
	GroupID        int64
	SharedTickets  bool
	SharedComments bool
	Tags           []string
	DomainNames    []string
	AccountOwnerID int64
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// OrgInput creates or (with pointers through OrgPatch) changes an organisation.
type OrgInput struct {
	Name           string
	Details        string
	Notes          string
	ExternalID     string
	GroupID        int64
	SharedTickets  bool
	SharedComments bool
	Tags           []string
	DomainNames    []string
	AccountOwnerID int64
}

// OrgPatch changes an organisation; nil fields stay.
type OrgPatch struct {
	Name           *string
	Details        *string
	Notes          *string
	ExternalID     *string
	GroupID        *int64
	SharedTickets  *bool
	SharedComments *bool
	Tags           *[]string
	DomainNames    *[]string
	AccountOwnerID *int64
}

// Page asks for one page of a list: offset pages (Page>=1) or, with Keyset,
// the rows after id After (cursor pagination). Keyset lists return one row
// more than PerPage when there are more.
type Page struct {
	Page    int
	PerPage int
	After   int64
	Keyset  bool
	// NoCount skips counting every match (SearchUsers: the count is then the
	// number of users returned), for callers that show only a first few.
	NoCount bool
}

// Normalize clamps the page to sane bounds (Zendesk: 100 per page at most).
func (p Page) Normalize() Page {
	if p.PerPage <= 0 {
		p.PerPage = 100
	}
	if p.PerPage > 100 {
		p.PerPage = 100
	}
	if p.Page <= 0 {
		p.Page = 1
	}
	return p
}

// Offset of an offset page.
func (p Page) Offset() int { return (p.Page - 1) * p.PerPage }
