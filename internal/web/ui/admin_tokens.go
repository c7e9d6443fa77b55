package ui

import (
	"cmp"
	"net/http"
	"slices"

	"layan/internal/directory"
)

// API tokens: for scripts and integrations (Zendesk clients use
// "email/token:SECRET"). The secret is shown once, right after it is made;
// Layan keeps only its digest.

type tokenRow struct {
	T     directory.Token
	Owner directory.User
}

type tokensPage struct {
	Rows   []tokenRow
	Staff  []directory.User
	Form   *formState
	Secret string // the token just created, shown once
	Owner  directory.User
}

// adminTokens: GET /admin/tokens.
func (p *Pages) adminTokens(w http.ResponseWriter, r *http.Request) {
	v := p.adminView(r, "admin.api_tokens")
	f := newForm()
	f.Values.Set("user_id", itoa(v.Actor.UserID))
	p.renderTokens(w, r, v, http.StatusOK, f, "", directory.User{})
}

func (p *Pages) renderTokens(w http.ResponseWriter, r *http.Request, v *View, status int, f *formState, secret string,
	owner directory.User) {
	staff, err := p.staffUsers(r.Context(), v.Actor)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	tp := &tokensPage{Staff: staff, Form: f, Secret: secret, Owner: owner}
	v.Now = p.d.Now() // a token made during this request is "just now", not "in a moment"
	for _, u := range staff {
		ts, err := p.d.Dir.ListTokens(r.Context(), v.Actor, u.ID)
		if err != nil {
			p.fail(w, r, err)
			return
		}
		for _, t := range ts {
			tp.Rows = append(tp.Rows, tokenRow{T: t, Owner: u})
		}
	}
	slices.SortFunc(tp.Rows, func(a, b tokenRow) int { return cmp.Compare(b.T.ID, a.T.ID) })
	v.Data = tp
	p.render(w, r, status, "admin_tokens", v)
}

// createToken: POST /admin/tokens (user_id, name). The answer is the page
// itself, with the secret: it is never stored, so it cannot be shown again.
func (p *Pages) createToken(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := p.adminView(r, "admin.api_tokens")
	f := formFrom(r, "user_id", "name")
	uid := firstID(f.V("user_id"))
	owner, err := p.d.Dir.GetUser(ctx, v.Actor, uid)
	if err != nil || owner.Role == "end_user" {
		f.Set("user_id", v.T("error.invalid", "field", v.T("admin.token_owner")))
	}
	if f.V("name") == "" {
		f.Set("name", v.T("error.required", "field", v.T("common.name")))
	}
	if f.Failed(v) {
		p.renderTokens(w, r, v, http.StatusUnprocessableEntity, f, "", directory.User{})
		return
	}
	secret, err := p.d.Dir.CreateToken(ctx, v.Actor, uid, f.V("name"))
	if err != nil {
		if !applyError(v, f, err, map[string][2]string{"name": {"name", "common.name"}}) {
			p.fail(w, r, err)
			return
		}
		f.Failed(v)
		p.renderTokens(w, r, v, http.StatusUnprocessableEntity, f, "", directory.User{})
		return
	}
	v.Flash, v.FlashKind = v.T("admin.token_created"), "ok"
	nf := newForm()
	nf.Values.Set("user_id", itoa(v.Actor.UserID))
	p.renderTokens(w, r, v, http.StatusOK, nf, secret, owner)
}

// revokeToken: POST /admin/tokens/{id}/revoke.
func (p *Pages) revokeToken(w http.ResponseWriter, r *http.Request) {
	id, ok := p.pathID(w, r, "id")
	if !ok {
		return
	}
	if err := p.d.Dir.RevokeToken(r.Context(), currentActor(r), id); err != nil {
		p.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/tokens?done=revoked", http.StatusSeeOther)
}
