package ui

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"layan/internal/auth"
	"layan/internal/directory"
	"layan/internal/ticket"
)

// unsolved are the statuses an agent still has work on.
var unsolved = []string{"new", "open", "pending", "hold"}

// viewDef is one inbox view: a named ticket list.
type viewDef struct {
	Key   string
	Label string
	Query ticket.ListQuery
	// Filters the view itself fixes, so the filter bar hides them.
	FixedAssignee, FixedGroup bool
	// Assignee and Group are the filter values a fixed view stands for
	// ("me", "none", an id), so a saved copy keeps them.
	Assignee, Group string
	// Saved views: the default sort and order, and who may delete it.
	Saved, Shared, CanDelete bool
	SavedID                  int64
	Sort, Order              string
	Count                    int
}

// viewDefs are the views an actor has: personal, shared and one per group
// (a restricted agent only gets their own groups).
func viewDefs(v *View, a auth.Actor, groups []directory.Group) []viewDef {
	defs := []viewDef{
		{Key: "my-open", Label: v.T("nav.view.my_open"), FixedAssignee: true, Assignee: "me",
			Query: ticket.ListQuery{Statuses: unsolved, AssigneeID: a.UserID}},
		{Key: "unassigned", Label: v.T("nav.view.unassigned"), FixedAssignee: true, Assignee: "none",
			Query: ticket.ListQuery{Statuses: unsolved, AssigneeID: -1}},
		{Key: "all-open", Label: v.T("nav.view.all_open"), Query: ticket.ListQuery{Statuses: unsolved}},
		{Key: "pending", Label: v.T("nav.view.pending"), Query: ticket.ListQuery{Statuses: []string{"pending"}}},
		{Key: "solved", Label: v.T("nav.view.solved_recently"), Query: ticket.ListQuery{Statuses: []string{"solved"}}},
	}
	for _, g := range groups {
		if a.RestrictedToGroups && !a.IsAdmin() && !a.InGroup(g.ID) {
			continue
		}
		defs = append(defs, viewDef{Key: "group-" + itoa(g.ID), Label: g.Name, FixedGroup: true, Group: itoa(g.ID),
			Query: ticket.ListQuery{Statuses: unsolved, GroupID: g.ID}})
	}
	return defs
}

// queryKey names a list query in the count cache.
func queryKey(q ticket.ListQuery) string {
	return fmt.Sprintf("%s|%d|%d|%d|%d", strings.Join(q.Statuses, ","), q.AssigneeID, q.GroupID, q.RequesterID, q.OrganizationID)
}

// inboxFilter is what the filter bar and pager put in the query string.
type inboxFilter struct {
	Status   string // one status within the view's
	Assignee string // "", "me", "none" or a user id
	Group    string // "" or a group id
	Sort     string
	Order    string // "desc" (default) or "asc"
	After    string
	Before   string
}

// sorts the inbox offers; the others the service knows sort by raw text
// ("high" < "low" < "normal"), which would look wrong.
var sorts = []string{"updated_at", "created_at", "id", "subject"}

// apply narrows the view's query with the filter; bad values are ignored.
func (f *inboxFilter) apply(def viewDef, a auth.Actor) ticket.ListQuery {
	q := def.Query
	q.Statuses = slices.Clone(q.Statuses)
	if f.Status != "" && slices.Contains(q.Statuses, f.Status) {
		q.Statuses = []string{f.Status}
	} else {
		f.Status = ""
	}
	if !def.FixedAssignee {
		switch f.Assignee {
		case "me":
			q.AssigneeID = a.UserID
		case "none":
			q.AssigneeID = -1
		case "":
		default:
			if id, err := strconv.ParseInt(f.Assignee, 10, 64); err == nil && id > 0 {
				q.AssigneeID = id
			} else {
				f.Assignee = ""
			}
		}
	} else {
		f.Assignee = ""
	}
	if !def.FixedGroup {
		if id, err := strconv.ParseInt(f.Group, 10, 64); err == nil && id > 0 {
			q.GroupID = id
		} else {
			f.Group = ""
		}
	} else {
		f.Group = ""
	}
	if f.Sort == "" {
		f.Sort = def.Sort
	}
	if f.Order == "" {
		f.Order = def.Order
	}
	if !slices.Contains(sorts, f.Sort) {
		f.Sort = "updated_at"
	}
	if f.Order != "asc" {
		f.Order = "desc"
	}
	q.Sort, q.Desc = f.Sort, f.Order == "desc"
	return q
}

// filtered reports whether the filter narrows the view (its count then
// differs from the sidebar's).
func (f inboxFilter) filtered() bool { return f.Status != "" || f.Assignee != "" || f.Group != "" }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
