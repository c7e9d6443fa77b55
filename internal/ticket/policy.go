package ticket

import (
	"context"
	"strconv"
	"strings"

	"layan/internal/apperr"
	"layan/internal/auth"
)

// scope is the SQL condition (on alias t) limiting tickets to those an actor
// may read, with its arguments numbered from the caller's next placeholder.
type scope struct {
	cond string
	args []any
}

// visibility decides which tickets an actor reads. It is the single source of
// the rule for lists, search, show_many and single reads.
// A failed lookup of the customer's organisation counts as "not shared": the
// narrower view is the safe one.
func (s *Service) visibility(ctx context.Context, a auth.Actor) visibilityRule {
	r := visibilityRule{actor: a}
	if a.Role == auth.RoleEndUser && a.OrganizationID != 0 {
		err := s.db.Reads().QueryRowContext(ctx, `SELECT shared_tickets, shared_comments FROM organizations WHERE id = $1`,
			a.OrganizationID).Scan(&r.orgShared, &r.orgSharedComments)
		if err != nil {
			r.orgShared, r.orgSharedComments = false, false
		}
	}
	return r
}

type visibilityRule struct {
	actor             auth.Actor
	orgShared         bool
	orgSharedComments bool
}

// sql returns the condition with placeholders starting at $next.
func (r visibilityRule) sql(next int) scope {
	a := r.actor
	ph := func(i int) string { return "$" + strconv.Itoa(next+i) }
	switch {
	case a.System || a.Role == auth.RoleAdmin:
		return scope{cond: "1=1"}
	case a.IsStaff() && !a.RestrictedToGroups:
		return scope{cond: "1=1"}
	case a.IsStaff():
		args := []any{a.UserID}
		parts := []string{"t.assignee_id = " + ph(0)}
		if len(a.GroupIDs) > 0 {
			in := make([]string, len(a.GroupIDs))
			for i, g := range a.GroupIDs {
				in[i] = ph(i + 1)
				args = append(args, g)
			}
			parts = append(parts, "t.group_id IN ("+strings.Join(in, ", ")+")")
		}
		return scope{cond: "(" + strings.Join(parts, " OR ") + ")", args: args}
	case a.Role == auth.RoleEndUser:
		if r.orgShared {
			return scope{cond: "(t.requester_id = " + ph(0) + " OR t.organization_id = " + ph(1) + ")",
				args: []any{a.UserID, a.OrganizationID}}
		}
		return scope{cond: "t.requester_id = " + ph(0), args: []any{a.UserID}}
	}
	return scope{cond: "1=0"}
}

// canRead applies the same rule to one ticket.
func (r visibilityRule) canRead(t Ticket) bool {
	a := r.actor
	switch {
	case a.System || a.Role == auth.RoleAdmin:
		return true
	case a.IsStaff() && !a.RestrictedToGroups:
		return true
	case a.IsStaff():
		return t.AssigneeID == a.UserID || (t.GroupID != 0 && a.InGroup(t.GroupID))
	case a.Role == auth.RoleEndUser:
		return t.RequesterID == a.UserID || (r.orgShared && t.OrganizationID != 0 && t.OrganizationID == a.OrganizationID)
	}
	return false
}

// canComment: customers comment on their own tickets, and on their
// organisation's when it shares comments too.
func (r visibilityRule) canComment(t Ticket) bool {
	if !r.canRead(t) {
		return false
	}
	a := r.actor
	if a.Role == auth.RoleEndUser && t.RequesterID != a.UserID {
		return r.orgSharedComments
	}
	return true
}

// readable loads a ticket and checks the actor may read it. A ticket the actor
// may not read is reported as not found, so ids do not leak.
func (s *Service) readable(ctx context.Context, a auth.Actor, id int64) (Ticket, visibilityRule, error) {
	rule := s.visibility(ctx, a)
	t, err := getTicket(ctx, s.db.Reads(), id)
	if err != nil {
		return t, rule, err
	}
	if !rule.canRead(t) {
		return Ticket{}, rule, apperr.NotFound("ticket")
	}
	return t, rule, nil
}
