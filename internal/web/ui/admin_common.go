package ui

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"layan/internal/auth"
	"layan/internal/directory"
	"layan/internal/web/httpx"
)

// The admin pages: people, groups, organisations, ticket fields, branding,
// languages and API tokens. Only admins reach them (adminOnly); the
// services check the same permissions again on every call.

// adminOnly admits admins. Anonymous visitors go to the sign-in page; every
// other role gets the 403 page.
func (p *Pages) adminOnly(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a, ok := httpx.ActorFrom(r.Context())
		if !ok {
			p.toLogin(w, r)
			return
		}
		if !a.IsAdmin() {
			p.forbidden(w, r)
			return
		}
		next(w, r)
	}
}

// adminHome: GET /admin opens the first section.
func (p *Pages) adminHome(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/admin/agents", http.StatusSeeOther)
}

// adminDone are the notices shown after a change (?done=KEY).
var adminDone = map[string]string{
	"saved":   "common.saved",
	"created": "admin.created",
	"deleted": "admin.deleted",
	"invited": "admin.invite_sent",
	"revoked": "admin.token_revoked",
	"moved":   "admin.field_moved",
	"added":   "admin.member_added",
	"removed": "admin.member_removed",
}

// adminView is the common part of an admin page, titled by a catalog key.
func (p *Pages) adminView(r *http.Request, titleKey string) *View {
	v := p.view(r)
	v.Title, v.Nav = v.T(titleKey), "admin"
	if key, ok := adminDone[r.URL.Query().Get("done")]; ok && r.Method == http.MethodGet {
		v.Flash, v.FlashKind = v.T(key), "ok"
	}
	return v
}

// pathID reads the {name} path segment as a positive id, or answers 404.
func (p *Pages) pathID(w http.ResponseWriter, r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		p.notFound(w, r)
		return 0, false
	}
	return id, true
}

// staffRoles are the roles an admin gives on the agents page.
var staffRoles = []string{auth.RoleAgent, auth.RoleLightAgent, auth.RoleAdmin}

// staffUsers lists every admin, agent and light agent, by name.
func (p *Pages) staffUsers(ctx context.Context, a auth.Actor) ([]directory.User, error) {
	var out []directory.User
	for _, role := range []string{auth.RoleAdmin, auth.RoleAgent, auth.RoleLightAgent} {
		for page := 1; page <= 50; page++ {
			us, total, err := p.d.Dir.ListUsers(ctx, a, role, directory.Page{Page: page, PerPage: 100})
			if err != nil {
				return nil, err
			}
			out = append(out, us...)
			if page*100 >= total || len(us) == 0 {
				break
			}
		}
	}
	slices.SortFunc(out, func(x, y directory.User) int {
		return cmp.Or(cmp.Compare(strings.ToLower(x.Name), strings.ToLower(y.Name)), cmp.Compare(x.ID, y.ID))
	})
	return out, nil
}

// memberships maps each user to the groups they are in.
func (p *Pages) memberships(ctx context.Context, a auth.Actor, groups []directory.Group) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	for _, g := range groups {
		ids, err := p.d.Dir.GroupMembers(ctx, a, g.ID)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			out[id] = append(out[id], g.ID)
		}
	}
	return out, nil
}

// allOrganizations lists organisations for a select (at most 1,000).
func (p *Pages) allOrganizations(ctx context.Context, a auth.Actor) ([]directory.Organization, error) {
	var out []directory.Organization
	for page := 1; page <= 10; page++ {
		os, total, err := p.d.Dir.ListOrganizations(ctx, a, directory.Page{Page: page, PerPage: 100})
		if err != nil {
			return nil, err
		}
		out = append(out, os...)
		if page*100 >= total || len(os) == 0 {
			break
		}
	}
	slices.SortFunc(out, func(x, y directory.Organization) int {
		return cmp.Compare(strings.ToLower(x.Name), strings.ToLower(y.Name))
	})
	return out, nil
}

// ids reads a list of ids posted under one name; bad values are skipped.
func ids(vals []string) []int64 {
	var out []int64
	for _, s := range vals {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// offsetPager links for offset pages of a list at base (which ends in "?" or "&").
func offsetPager(base string, page, perPage, total int) (prev, next string) {
	if page > 1 {
		prev = base + "page=" + strconv.Itoa(page-1)
	}
	if page*perPage < total {
		next = base + "page=" + strconv.Itoa(page+1)
	}
	return prev, next
}

// pageParam reads ?page= (1 when absent or wrong).
func pageParam(r *http.Request) int {
	if n, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil && n > 1 && n < 100000 {
		return n
	}
	return 1
}

// splitList reads a list typed into one box: commas, spaces or lines apart.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == '،' || r == ' ' || r == '\n' || r == '\r' || r == '\t'
	})
}
