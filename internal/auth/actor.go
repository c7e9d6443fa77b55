package auth

import "slices"

// Roles.
const (
	RoleAdmin      = "admin"
	RoleAgent      = "agent"
	RoleLightAgent = "light_agent"
	RoleEndUser    = "end_user"
)

// ValidRole reports whether r is one of the four roles.
func ValidRole(r string) bool {
	switch r {
	case RoleAdmin, RoleAgent, RoleLightAgent, RoleEndUser:
		return true
	}
	return false
}

// Actor is who performs a call. Services decide what an Actor may see and
// change; handlers only build it.
type Actor struct {
	UserID         int64
	Name           string
	Email          string
	Role           string
	Locale         string
	OrganizationID int64
	// GroupIDs are the agent's groups; with RestrictedToGroups the agent sees
	// only those groups' tickets.
	GroupIDs           []int64
	RestrictedToGroups bool
	// System marks internal callers (demo seeding, CLI) that act for the workspace.
	System bool
}

// SystemActor acts with admin rights for the CLI and seeding.
func SystemActor() Actor { return Actor{Role: RoleAdmin, System: true, Name: "system"} }

// IsStaff: admins, agents and light agents.
func (a Actor) IsStaff() bool {
	return a.Role == RoleAdmin || a.Role == RoleAgent || a.Role == RoleLightAgent
}

// IsAdmin reports admin rights.
func (a Actor) IsAdmin() bool { return a.Role == RoleAdmin }

// CanEditTickets: admins and agents; light agents only read and add internal notes.
func (a Actor) CanEditTickets() bool { return a.Role == RoleAdmin || a.Role == RoleAgent }

// InGroup reports membership.
func (a Actor) InGroup(id int64) bool { return slices.Contains(a.GroupIDs, id) }
