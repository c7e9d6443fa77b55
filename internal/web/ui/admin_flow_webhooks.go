package ui

import (
	"net/http"
	"strings"

	"layan/internal/automation"
)

// Webhooks: signed HTTP posts of ticket events to other systems, with the
// log of every delivery attempt, and the hosts an admin allows although
// they are internal (the SSRF guard refuses them otherwise).

type webhooksPage struct {
	Hooks  []automation.Webhook
	Form   *formState
	Allow  *formState
	Secret string // the signing secret of the webhook just made, shown once
	New    *automation.Webhook
}

// adminWebhooks: GET /admin/webhooks.
func (p *Pages) adminWebhooks(w http.ResponseWriter, r *http.Request) {
	v := p.adminView(r, "flow.webhooks")
	f := newForm()
	f.Values.Set("subscriptions", "*")
	p.renderWebhooks(w, r, v, http.StatusOK, f, nil, nil)
}

func (p *Pages) renderWebhooks(w http.ResponseWriter, r *http.Request, v *View, status int, f, allow *formState, made *automation.Webhook) {
	ctx := r.Context()
	hooks, err := p.d.Flow.Webhooks(ctx, v.Actor)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	if allow == nil {
		st, err := p.d.Flow.Settings(ctx, v.Actor)
		if err != nil {
			p.fail(w, r, err)
			return
		}
		allow = newForm()
		allow.Values.Set("hosts", strings.Join(st.WebhookAllowHosts, "\n"))
	}
	wp := &webhooksPage{Hooks: hooks, Form: f, Allow: allow, New: made}
	if made != nil {
		wp.Secret = made.Secret
	}
	v.Data = wp
	p.render(w, r, status, "admin_webhooks", v)
}

type webhookPage struct {
	H          automation.Webhook
	Form       *formState
	Deliveries []automation.Delivery
}

// adminWebhook: GET /admin/webhooks/{id}: the settings and the delivery log.
func (p *Pages) adminWebhook(w http.ResponseWriter, r *http.Request) {
	id, ok := p.pathID(w, r, "id")
	if !ok {
		return
	}
	v := p.adminView(r, "flow.webhooks")
	h, found, err := p.webhook(r, v, id)
	if err != nil || !found {
		p.failOr404(w, r, err)
		return
	}
	p.renderWebhook(w, r, v, http.StatusOK, h, webhookForm(h))
}

func (p *Pages) failOr404(w http.ResponseWriter, r *http.Request, err error) {
	if err != nil {
		p.fail(w, r, err)
		return
	}
	p.notFound(w, r)
}

func (p *Pages) webhook(r *http.Request, v *View, id int64) (automation.Webhook, bool, error) {
	hooks, err := p.d.Flow.Webhooks(r.Context(), v.Actor)
	if err != nil {
		return automation.Webhook{}, false, err
	}
	for _, h := range hooks {
		if h.ID == id {
			return h, true, nil
		}
	}
	return automation.Webhook{}, false, nil
}

func webhookForm(h automation.Webhook) *formState {
	f := newForm()
	f.Values.Set("name", h.Name)
	f.Values.Set("endpoint", h.Endpoint)
	f.Values.Set("subscriptions", strings.Join(h.Subscriptions, " "))
	if h.Status != "inactive" {
		f.Values.Set("active", "1")
	}
	return f
}

func (p *Pages) renderWebhook(w http.ResponseWriter, r *http.Request, v *View, status int, h automation.Webhook, f *formState) {
	ds, err := p.d.Flow.Deliveries(r.Context(), v.Actor, h.ID, 100)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	v.Title = h.Name
	v.Data = &webhookPage{H: h, Form: f, Deliveries: ds}
	p.render(w, r, status, "admin_webhook", v)
}

var webhookFields = map[string][2]string{
	"name": {"name", "common.name"}, "endpoint": {"endpoint", "flow.endpoint"}, "status": {"active", "admin.state"},
}

// saveWebhook: POST /admin/webhooks (create: the page shows the secret
// once) and /admin/webhooks/{id} (update; the secret stays).
func (p *Pages) saveWebhook(w http.ResponseWriter, r *http.Request) {
	v := p.adminView(r, "flow.webhooks")
	var id int64
	if r.PathValue("id") != "" {
		var ok bool
		if id, ok = p.pathID(w, r, "id"); !ok {
			return
		}
	}
	f := formFrom(r, "name", "endpoint", "subscriptions", "active")
	h := automation.Webhook{ID: id, Name: f.V("name"), Endpoint: f.V("endpoint"), Subscriptions: splitList(f.V("subscriptions")),
		Status: "inactive"}
	if f.On("active") || id == 0 && r.PostForm["active"] == nil {
		h.Status = "active" // the create form has no box: a new webhook is active
	}
	saved, err := p.d.Flow.SaveWebhook(r.Context(), v.Actor, h)
	if err != nil {
		if !applyError(v, f, err, webhookFields) {
			p.fail(w, r, err)
			return
		}
		f.Failed(v)
		if id == 0 {
			p.renderWebhooks(w, r, v, http.StatusUnprocessableEntity, f, nil, nil)
			return
		}
		p.renderWebhook(w, r, v, http.StatusUnprocessableEntity, h, f)
		return
	}
	if id != 0 {
		http.Redirect(w, r, "/admin/webhooks/"+itoa(id)+"?done=saved", http.StatusSeeOther)
		return
	}
	v.Flash, v.FlashKind = v.T("flow.webhook_created"), "ok"
	nf := newForm()
	nf.Values.Set("subscriptions", "*")
	p.renderWebhooks(w, r, v, http.StatusOK, nf, nil, &saved)
}

// saveWebhookHosts: POST /admin/webhooks/allow (hosts, one a line).
func (p *Pages) saveWebhookHosts(w http.ResponseWriter, r *http.Request) {
	v := p.adminView(r, "flow.webhooks")
	allow := formFrom(r, "hosts")
	st, err := p.d.Flow.Settings(r.Context(), v.Actor)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	st.WebhookAllowHosts = splitList(allow.Values.Get("hosts"))
	if _, err := p.d.Flow.SaveSettings(r.Context(), v.Actor, st); err != nil {
		if !applyError(v, allow, err, map[string][2]string{"webhook_allow_hosts": {"hosts", "flow.allow_hosts"}}) {
			p.fail(w, r, err)
			return
		}
		allow.Failed(v)
		f := newForm()
		f.Values.Set("subscriptions", "*")
		p.renderWebhooks(w, r, v, http.StatusUnprocessableEntity, f, allow, nil)
		return
	}
	http.Redirect(w, r, "/admin/webhooks?done=saved", http.StatusSeeOther)
}
