package ui_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"layan/internal/auth"
	"layan/internal/directory"
	"layan/internal/ticket"
)

var adminPaths = []string{"/admin", "/admin/agents", "/admin/agents/1", "/admin/groups", "/admin/groups/1",
	"/admin/organizations", "/admin/organizations/1", "/admin/customers", "/admin/customers/1", "/admin/fields",
	"/admin/fields/new", "/admin/branding", "/admin/languages", "/admin/tokens"}

// Admin pages: admins only. Agents and customers get 403, anonymous visitors
// the sign-in page; posts are refused the same way.
func TestAdminPagesAreAdminOnly(t *testing.T) {
	e := newPortalEnv(t)
	admin := e.login(e.w.Admin)
	for _, p := range adminPaths {
		p = strings.Replace(p, "/agents/1", "/agents/"+itoa(e.w.Agent.UserID), 1)
		p = strings.Replace(p, "/customers/1", "/customers/"+itoa(e.w.Alice.UserID), 1)
		p = strings.Replace(p, "/groups/1", "/groups/"+itoa(e.w.Support.ID), 1)
		p = strings.Replace(p, "/organizations/1", "/organizations/"+itoa(e.w.Acme.ID), 1)
		for name, s := range map[string]session{"agent": e.login(e.w.Agent), "light agent": e.login(e.w.Light),
			"restricted agent": e.login(e.w.Restricted), "customer": e.login(e.w.Alice)} {
			if rec := e.get(s, p); rec.Code != http.StatusForbidden {
				t.Errorf("%s GET %s: %d, want 403", name, p, rec.Code)
			}
		}
		rec := e.get(anonymous, p)
		wantStatus(t, rec, http.StatusSeeOther)
		if loc := rec.Header().Get("Location"); loc != "/login?next="+url.QueryEscape(p) {
			t.Errorf("anonymous GET %s: redirect to %q", p, loc)
		}
		rec = e.get(admin, p)
		if rec.Code != http.StatusOK && rec.Code != http.StatusSeeOther {
			t.Errorf("admin GET %s: %d", p, rec.Code)
		}
	}
	agent := e.login(e.w.Agent)
	for _, p := range []string{"/admin/agents", "/admin/groups", "/admin/branding", "/admin/languages", "/admin/tokens",
		"/admin/fields", "/admin/groups/" + itoa(e.w.Support.ID) + "/delete"} {
		rec := e.post(agent, p, url.Values{"name": {"Hijack"}, "email": {"x@layan.test"}, "role": {"admin"}, "confirm": {"1"},
			"default_locale": {"fa"}, "offered": {"fa"}, "user_id": {itoa(e.w.Agent.UserID)}})
		wantStatus(t, rec, http.StatusForbidden)
	}
	if g, err := e.w.Dir.GetGroup(context.Background(), e.w.Admin, e.w.Support.ID); err != nil || g.Name != "Support" {
		t.Fatalf("an agent's post changed a group: %+v %v", g, err)
	}
	// The topbar offers the admin pages to admins only.
	if !strings.Contains(e.get(admin, "/agent/views/all-open").Body.String(), `href="/admin"`) ||
		strings.Contains(e.get(agent, "/agent/views/all-open").Body.String(), `href="/admin"`) {
		t.Fatal("the admin link is shown to the wrong people")
	}
	// CSRF: an admin's form without the token is refused.
	rec := e.post(admin, "/admin/groups", url.Values{"csrf_token": {""}, "name": {"Forged"}})
	wantStatus(t, rec, http.StatusForbidden)
}

func TestAdminManagesAgents(t *testing.T) {
	e := newPortalEnv(t)
	ctx := context.Background()
	admin := e.login(e.w.Admin)
	list := e.get(admin, "/admin/agents").Body.String()
	wantContains(t, list, "Restricted", "Light agent", "Billing", `name="group_id"`)

	// Invite: no password, a mail with a link to choose one, in the agent's language.
	rec := e.post(admin, "/admin/agents", url.Values{"name": {"Dewi Lestari"}, "email": {"dewi@layan.test"},
		"role": {"agent"}, "locale": {"id"}, "group_id": {itoa(e.w.Billing.ID)}, "restricted": {"1"}})
	wantStatus(t, rec, http.StatusSeeOther)
	if loc := rec.Header().Get("Location"); loc != "/admin/agents?done=invited" {
		t.Fatalf("after inviting: %q", loc)
	}
	m, path, token := e.lastLink("dewi@layan.test")
	if path != "/portal/password/reset" || m.Locale != "id" || !strings.Contains(m.Subject, "Anda diundang") {
		t.Fatalf("invitation: %q %q %q", m.Subject, m.Locale, path)
	}
	dewi, err := e.w.Dir.UserByEmail(ctx, e.w.Admin, "dewi@layan.test")
	if err != nil || dewi.Role != auth.RoleAgent || !dewi.RestrictedToGroups {
		t.Fatalf("invited agent %+v %v", dewi, err)
	}
	if a, _ := e.w.Dir.ActorFor(ctx, dewi.ID); !slices.Equal(a.GroupIDs, []int64{e.w.Billing.ID}) {
		t.Fatalf("groups %v", a.GroupIDs)
	}
	rf := e.openForm("/portal/password/reset?token=" + token)
	e.submit(rf, "/portal/password/reset", url.Values{"token": {token}, "password": {"dewi-pass-123"}, "confirm": {"dewi-pass-123"}}).
		want(t, http.StatusOK)
	e.signInAs("dewi@layan.test", "dewi-pass-123")

	// Validation errors next to the fields.
	rec = e.post(admin, "/admin/agents", url.Values{"name": {""}, "email": {"agent@layan.test"}, "role": {"agent"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantContains(t, rec.Body.String(), `id="name-error"`)
	rec = e.post(admin, "/admin/agents", url.Values{"name": {"Twin"}, "email": {"agent@layan.test"}, "role": {"agent"}, "password": {"long-enough-1"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantContains(t, rec.Body.String(), `id="email-error"`, "already in use")

	// Change role, groups, restriction; suspend.
	edit := e.get(admin, "/admin/agents/"+itoa(e.w.Agent.UserID)).Body.String()
	wantContains(t, edit, `value="agent@layan.test"`, `name="suspended"`)
	rec = e.post(admin, "/admin/agents/"+itoa(e.w.Agent.UserID), url.Values{"name": {"Agent"}, "email": {"agent@layan.test"},
		"role": {"light_agent"}, "locale": {"fa"}, "time_zone": {"Asia/Tehran"}, "group_id": {itoa(e.w.Billing.ID)},
		"restricted": {"1"}, "suspended": {"1"}})
	wantStatus(t, rec, http.StatusSeeOther)
	u, _ := e.w.Dir.GetUser(ctx, e.w.Admin, e.w.Agent.UserID)
	if u.Role != auth.RoleLightAgent || !u.RestrictedToGroups || !u.Suspended || u.Locale != "fa" || u.TimeZone != "Asia/Tehran" {
		t.Fatalf("agent after edit %+v", u)
	}
	ms, _ := e.w.Dir.GroupMembers(ctx, e.w.Admin, e.w.Support.ID)
	if slices.Contains(ms, e.w.Agent.UserID) {
		t.Fatal("the agent is still in Support")
	}
	wantStatus(t, e.signIn("agent@layan.test", "password-Agent"), http.StatusUnauthorized)

	// An admin cannot lock themselves out.
	rec = e.post(admin, "/admin/agents/"+itoa(e.w.Admin.UserID), url.Values{"name": {"Admin"}, "email": {"admin@layan.test"},
		"role": {"agent"}, "suspended": {"1"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantContains(t, rec.Body.String(), "You cannot take away your own administrator role.", "You cannot suspend yourself.")
}

func TestAdminManagesGroups(t *testing.T) {
	e := newPortalEnv(t)
	ctx := context.Background()
	admin := e.login(e.w.Admin)
	rec := e.post(admin, "/admin/groups", url.Values{"name": {"Pengiriman"}, "description": {"Delivery"}})
	wantStatus(t, rec, http.StatusSeeOther)
	groups, _ := e.w.Dir.ListGroups(ctx, e.w.Admin)
	var g directory.Group
	for _, x := range groups {
		if x.Name == "Pengiriman" {
			g = x
		}
	}
	if g.ID == 0 || rec.Header().Get("Location") != "/admin/groups/"+itoa(g.ID)+"?done=created" {
		t.Fatalf("group %+v, redirect %q", g, rec.Header().Get("Location"))
	}
	base := "/admin/groups/" + itoa(g.ID)
	wantStatus(t, e.post(admin, "/admin/groups", url.Values{"name": {"Support"}}), http.StatusUnprocessableEntity)
	wantStatus(t, e.post(admin, base, url.Values{"name": {"Logistik"}, "description": {""}}), http.StatusSeeOther)
	wantStatus(t, e.post(admin, base+"/members", url.Values{"user_id": {itoa(e.w.Agent.UserID)}}), http.StatusSeeOther)
	page := e.get(admin, base).Body.String()
	wantContains(t, page, "Logistik", "/members/"+itoa(e.w.Agent.UserID)+"/remove")
	// Customers cannot join groups.
	wantStatus(t, e.post(admin, base+"/members", url.Values{"user_id": {itoa(e.w.Alice.UserID)}}), http.StatusUnprocessableEntity)
	wantStatus(t, e.post(admin, base+"/members/"+itoa(e.w.Agent.UserID)+"/remove", nil), http.StatusSeeOther)
	if ms, _ := e.w.Dir.GroupMembers(ctx, e.w.Admin, g.ID); len(ms) != 0 {
		t.Fatalf("members %v", ms)
	}
	// Delete needs the confirmation box.
	wantStatus(t, e.post(admin, base+"/delete", nil), http.StatusSeeOther)
	if _, err := e.w.Dir.GetGroup(ctx, e.w.Admin, g.ID); err != nil {
		t.Fatal("deleted without confirmation")
	}
	wantStatus(t, e.post(admin, base+"/delete", url.Values{"confirm": {"1"}}), http.StatusSeeOther)
	if _, err := e.w.Dir.GetGroup(ctx, e.w.Admin, g.ID); err == nil {
		t.Fatal("not deleted")
	}
	wantStatus(t, e.get(admin, base), http.StatusNotFound)
}

func TestAdminManagesOrganizationsAndCustomers(t *testing.T) {
	e := newPortalEnv(t)
	ctx := context.Background()
	admin := e.login(e.w.Admin)
	rec := e.post(admin, "/admin/organizations", url.Values{"name": {"Nusantara"}, "domains": {"nusantara.test, nusantara.co.id"},
		"shared_tickets": {"1"}, "account_owner_id": {itoa(e.w.Agent.UserID)}})
	wantStatus(t, rec, http.StatusSeeOther)
	orgs, _, _ := e.w.Dir.ListOrganizations(ctx, e.w.Admin, directory.Page{})
	o := orgs[len(orgs)-1]
	if o.Name != "Nusantara" || !slices.Equal(o.DomainNames, []string{"nusantara.co.id", "nusantara.test"}) ||
		!o.SharedTickets || o.AccountOwnerID != e.w.Agent.UserID {
		t.Fatalf("organisation %+v", o)
	}
	rec = e.post(admin, "/admin/organizations/"+itoa(o.ID), url.Values{"name": {"Nusantara"}, "domains": {"not a domain!"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantContains(t, rec.Body.String(), `id="domains-error"`)
	rec = e.post(admin, "/admin/organizations/"+itoa(o.ID), url.Values{"name": {"Nusantara Jaya"}, "domains": {"acme.test"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantContains(t, rec.Body.String(), "already in use")
	rec = e.post(admin, "/admin/organizations/"+itoa(o.ID), url.Values{"name": {"Nusantara Jaya"}, "domains": {"nusantara.test"},
		"notes": {"Pays late"}, "account_owner_id": {""}})
	wantStatus(t, rec, http.StatusSeeOther)
	o, _ = e.w.Dir.GetOrganization(ctx, e.w.Admin, o.ID)
	if o.Name != "Nusantara Jaya" || o.SharedTickets || o.AccountOwnerID != 0 || o.Notes != "Pays late" {
		t.Fatalf("after edit %+v", o)
	}
	wantContains(t, e.get(admin, "/admin/organizations?q=jaya").Body.String(), "Nusantara Jaya")

	// Customers: list, search, edit, suspend.
	list := e.get(admin, "/admin/customers").Body.String()
	wantContains(t, list, "Alice", "Bob", "Acme")
	if strings.Contains(list, "admin@layan.test") {
		t.Fatal("the customer list shows staff")
	}
	found := e.get(admin, "/admin/customers?q=carol").Body.String()
	wantContains(t, found, "carol@acme.test")
	if strings.Contains(found, "bob@example.test") {
		t.Fatal("search found Bob for carol")
	}
	rec = e.post(admin, "/admin/customers/"+itoa(e.w.Bob.UserID), url.Values{"name": {"Bob Baker"}, "email": {"bob@example.test"},
		"organization_id": {itoa(o.ID)}, "locale": {"id"}, "time_zone": {"Asia/Jakarta"}, "tags": {"vip, wholesale"}, "suspended": {"1"}})
	wantStatus(t, rec, http.StatusSeeOther)
	bob, _ := e.w.Dir.GetUser(ctx, e.w.Admin, e.w.Bob.UserID)
	if bob.Name != "Bob Baker" || bob.OrganizationID != o.ID || !bob.Suspended || !slices.Equal(bob.Tags, []string{"vip", "wholesale"}) {
		t.Fatalf("customer after edit %+v", bob)
	}
	rec = e.post(admin, "/admin/customers/"+itoa(e.w.Bob.UserID), url.Values{"name": {"Bob"}, "email": {"x"}, "time_zone": {"Mars/Base"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantContains(t, rec.Body.String(), `id="email-error"`)
	// A staff member's id sends the admin to the agent page.
	rec = e.get(admin, "/admin/customers/"+itoa(e.w.Agent.UserID))
	wantStatus(t, rec, http.StatusSeeOther)
	wantStatus(t, e.post(admin, "/admin/organizations/"+itoa(o.ID)+"/delete", url.Values{"confirm": {"1"}}), http.StatusSeeOther)
	if _, err := e.w.Dir.GetOrganization(ctx, e.w.Admin, o.ID); err == nil {
		t.Fatal("organisation not deleted")
	}
}

// An admin adds a drop-down field for customers; it shows on the portal's
// form; fields can be reordered and deleted.
func TestAdminManagesCustomFields(t *testing.T) {
	e := newPortalEnv(t)
	ctx := context.Background()
	admin := e.login(e.w.Admin)
	rec := e.post(admin, "/admin/fields", url.Values{"title": {"Kategori"}, "type": {"tagger"}, "options": {"Pengiriman\nPengembalian dana | refund"},
		"active": {"1"}, "editable_in_portal": {"1"}, "position": {"10"}})
	wantStatus(t, rec, http.StatusSeeOther)
	rec = e.post(admin, "/admin/fields", url.Values{"title": {"Internal score"}, "type": {"integer"}, "active": {"1"}, "position": {"20"}})
	wantStatus(t, rec, http.StatusSeeOther)
	fields, _ := e.w.Tickets.Fields(ctx, e.w.Admin)
	if len(fields) != 2 || fields[0].Title != "Kategori" || !fields[0].VisibleInPortal ||
		!slices.Equal(fields[0].Options, []ticket.FieldOption{{Name: "Pengiriman", Value: "pengiriman"}, {Name: "Pengembalian dana", Value: "refund"}}) {
		t.Fatalf("fields %+v", fields)
	}
	form := e.get(e.login(e.w.Alice), "/portal/requests/new").Body.String()
	wantContains(t, form, "Kategori", "Pengembalian dana")
	if strings.Contains(form, "Internal score") {
		t.Fatal("an agents-only field is on the portal form")
	}
	// A drop-down without options is refused next to the options.
	rec = e.post(admin, "/admin/fields", url.Values{"title": {"Empty"}, "type": {"multiselect"}, "active": {"1"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantContains(t, rec.Body.String(), `id="options-error"`)
	// Reorder: the second moves up.
	wantStatus(t, e.post(admin, "/admin/fields/"+itoa(fields[1].ID)+"/move", url.Values{"dir": {"up"}}), http.StatusSeeOther)
	fields, _ = e.w.Tickets.Fields(ctx, e.w.Admin)
	if fields[0].Title != "Internal score" {
		t.Fatalf("order after moving up: %s, %s", fields[0].Title, fields[1].Title)
	}
	list := e.get(admin, "/admin/fields").Body.String()
	wantContains(t, list, "Drop-down list", "Customers fill it in", "Agents only")
	// Edit keeps the options' values.
	edit := e.get(admin, "/admin/fields/"+itoa(fields[1].ID)).Body.String()
	wantContains(t, edit, "Pengembalian dana | refund")
	wantStatus(t, e.post(admin, "/admin/fields/"+itoa(fields[0].ID)+"/delete", url.Values{"confirm": {"1"}}), http.StatusSeeOther)
	if fields, _ = e.w.Tickets.Fields(ctx, e.w.Admin); len(fields) != 1 {
		t.Fatalf("%d fields after delete", len(fields))
	}
}

func pngBytes(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{200, 30, 30, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Branding: name and colour in every page's header, a logo that is really an
// image and is served as one.
func TestAdminBranding(t *testing.T) {
	e := newPortalEnv(t)
	admin := e.login(e.w.Admin)
	res := e.postFiles(admin, "/admin/branding", url.Values{"name": {"Toko Nusantara"}, "accent_color": {"#B45309"}},
		map[string][2]string{"logo": {"logo.png", string(pngBytes(t))}}).want(t, http.StatusSeeOther)
	_ = res
	page := e.get(e.login(e.w.Alice), "/portal").Body.String()
	wantContains(t, page, "Toko Nusantara", `<title>Help center · Toko Nusantara</title>`, `href="/branding/theme.css?v=b45309"`,
		`class="brand-logo" src="/branding/logo?v=`)
	logoURL := regexp.MustCompile(`src="(/branding/logo\?v=[^"]+)"`).FindStringSubmatch(page)[1]
	rec := e.get(anonymous, strings.ReplaceAll(logoURL, "&amp;", "&"))
	wantStatus(t, rec, http.StatusOK)
	if ct := rec.Header().Get("Content-Type"); ct != "image/png" || rec.Header().Get("X-Content-Type-Options") != "nosniff" ||
		!strings.Contains(rec.Header().Get("Cache-Control"), "immutable") {
		t.Fatalf("logo headers %v", rec.Header())
	}
	if b, _ := io.ReadAll(rec.Body); !bytes.Equal(b, pngBytes(t)) {
		t.Fatal("the logo's bytes differ")
	}
	css := e.get(anonymous, "/branding/theme.css?v=b45309")
	wantStatus(t, css, http.StatusOK)
	wantContains(t, css.Body.String(), "--accent: #b45309;", "--accent-text: #ffffff")
	if ct := css.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
		t.Fatalf("theme content type %q", ct)
	}
	// Agents see the brand too.
	wantContains(t, e.get(e.login(e.w.Agent), "/agent/views/all-open").Body.String(), "Toko Nusantara", "theme.css?v=b45309")

	// HTML named .png, SVG, bad colour, empty name: refused next to the fields.
	res = e.postFiles(admin, "/admin/branding", url.Values{"name": {""}, "accent_color": {"red"}},
		map[string][2]string{"logo": {"logo.png", "<html><script>alert(1)</script></html>"}}).want(t, http.StatusUnprocessableEntity)
	wantContains(t, res.Body, `id="logo-error"`, "Upload a PNG, JPEG, GIF or WebP image.")
	res = e.postFiles(admin, "/admin/branding", url.Values{"name": {""}, "accent_color": {"red"}}, nil).
		want(t, http.StatusUnprocessableEntity)
	wantContains(t, res.Body, `id="name-error"`)
	res = e.postFiles(admin, "/admin/branding", url.Values{"name": {"Toko"}, "accent_color": {"red"}},
		map[string][2]string{"logo": {"logo.svg", `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`}}).
		want(t, http.StatusUnprocessableEntity)
	wantContains(t, res.Body, `id="logo-error"`)
	// Removing the logo.
	e.postFiles(admin, "/admin/branding", url.Values{"name": {"Toko"}, "accent_color": {"#0f766e"}, "remove_logo": {"1"}}, nil).
		want(t, http.StatusSeeOther)
	page = e.get(anonymous, "/login").Body.String()
	if strings.Contains(page, "/branding/logo") || strings.Contains(page, "theme.css") {
		t.Fatal("the logo or theme is still linked")
	}
	wantStatus(t, e.get(anonymous, "/branding/logo"), http.StatusNotFound)
}

// Languages: the default and the offered ones decide every visitor's page
// and the switcher.
func TestAdminLanguages(t *testing.T) {
	e := newPortalEnv(t)
	admin := e.login(e.w.Admin)
	rec := e.post(admin, "/admin/languages", url.Values{"default_locale": {"fa"}, "offered": {"en"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantContains(t, rec.Body.String(), `id="offered-error"`)
	wantStatus(t, e.post(admin, "/admin/languages", url.Values{"default_locale": {"fa"}, "offered": {"fa", "en"}}), http.StatusSeeOther)
	page := e.get(anonymous, "/login", "Accept-Language", "id").Body.String()
	wantContains(t, page, `<html lang="fa" dir="rtl">`, `<option value="en"`)
	if strings.Contains(page, `<option value="id"`) {
		t.Fatal("the switcher offers a language that is not offered")
	}
	wantContains(t, e.get(anonymous, "/login", "Accept-Language", "en").Body.String(), `<html lang="en"`)
	// The switcher refuses what is not offered.
	rec = e.post(anonymous, "/lang", url.Values{"lang": {"id"}, "next": {"/login"}})
	if strings.Contains(rec.Header().Get("Set-Cookie"), "layan_lang=id") {
		t.Fatal("the switcher set a language that is not offered")
	}
}

// API tokens: the secret is shown once, works, and stops working when revoked.
func TestAdminAPITokens(t *testing.T) {
	e := newPortalEnv(t)
	admin := e.login(e.w.Admin)
	rec := e.post(admin, "/admin/tokens", url.Values{"name": {"Sync"}, "user_id": {itoa(e.w.Alice.UserID)}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantContains(t, rec.Body.String(), `id="user_id-error"`)
	rec = e.post(admin, "/admin/tokens", url.Values{"name": {"Billing sync"}, "user_id": {itoa(e.w.Agent.UserID)}})
	wantStatus(t, rec, http.StatusOK)
	m := regexp.MustCompile(`id="new-secret" type="text" readonly dir="ltr" value="([^"]+)"`).FindStringSubmatch(rec.Body.String())
	if m == nil {
		t.Fatal("the new token is not shown")
	}
	secret := m[1]
	api := func() int {
		r := e.get(anonymous, "/api/v2/users/me", "Authorization", "Bearer "+secret)
		return r.Code
	}
	if code := api(); code != http.StatusOK {
		t.Fatalf("the new token gets %d from the API", code)
	}
	list := e.get(admin, "/admin/tokens").Body.String()
	wantContains(t, list, "Billing sync", "Agent")
	if strings.Contains(list, secret) {
		t.Fatal("the token is shown again")
	}
	ts, _ := e.w.Dir.ListTokens(context.Background(), e.w.Admin, e.w.Agent.UserID)
	wantStatus(t, e.post(admin, "/admin/tokens/"+itoa(ts[0].ID)+"/revoke", nil), http.StatusSeeOther)
	if code := api(); code != http.StatusUnauthorized {
		t.Fatalf("a revoked token gets %d", code)
	}
}
