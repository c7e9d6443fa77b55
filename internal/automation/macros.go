package automation

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"layan/internal/apperr"
	"layan/internal/ticket"
)

// Macro is a one-click set of changes and a reply. A comment action's text
// may differ per language: Replies maps a locale to the reply template, and
// the requester's language picks it (falling back to "en", then any).
type Macro struct {
	ID          int64             `json:"id"`
	Title       string            `json:"title"`
	Description string            `json:"description"`
	Active      bool              `json:"active"`
	Position    int               `json:"position"`
	Actions     []Action          `json:"actions"`
	Replies     map[string]string `json:"replies,omitempty"`
	// Canned marks a canned response: only a reply, no field changes.
	Canned    bool      `json:"canned"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Validate checks a macro.
func (m *Macro) Validate() error {
	m.Title = strings.TrimSpace(m.Title)
	if m.Title == "" {
		return apperr.Invalid("title", "required", "a title is required")
	}
	if len(m.Title) > 255 {
		return apperr.Invalid("title", "too_long", "at most 255 characters")
	}
	if len(m.Actions) == 0 && len(m.Replies) == 0 {
		return apperr.Invalid("actions", "required", "at least one action or reply is required")
	}
	for _, a := range m.Actions {
		if !validActionField(a.Field) {
			return apperr.Invalid("actions", "invalid", "unknown action field "+a.Field)
		}
		if m.Canned && a.Field != "comment_value" && a.Field != "comment_value_private" {
			return apperr.Invalid("actions", "invalid", "a canned response only replies")
		}
	}
	for loc, body := range m.Replies {
		if loc == "" || len(loc) > 16 || len(body) > 64<<10 {
			return apperr.Invalid("replies", "invalid", "a reply needs a locale and at most 64 KiB")
		}
	}
	return nil
}

func validActionField(f string) bool {
	for _, x := range actionFields {
		if x == f {
			return true
		}
	}
	return strings.HasPrefix(f, "custom_fields_")
}

// PickLanguage returns the text for lang from per-language variants:
// exact, then the base language ("id" for "id-ID"), then "en", then any.
func PickLanguage(variants map[string]string, lang string) (string, bool) {
	if len(variants) == 0 {
		return "", false
	}
	lang = strings.ToLower(lang)
	if s, ok := variants[lang]; ok {
		return s, true
	}
	if base, _, ok := strings.Cut(lang, "-"); ok {
		if s, ok := variants[base]; ok {
			return s, true
		}
	}
	if s, ok := variants["en"]; ok {
		return s, true
	}
	best := ""
	for k := range variants { // deterministic: smallest locale
		if best == "" || k < best {
			best = k
		}
	}
	return variants[best], true
}

// Placeholders renders {{ticket.id}}, {{ticket.title}}, {{ticket.status}},
// {{ticket.priority}}, {{ticket.requester.name}} = {{customer.name}},
// {{ticket.requester.first_name}} = {{customer.first_name}},
// {{current_user.name}} (the agent applying a macro, else empty). Unknown
// placeholders are left as they are so a typo is visible.
type Placeholders struct {
	AgentName string
}

var placeholderRE = regexp.MustCompile(`\{\{\s*([a-z_.]+)\s*\}\}`)

// Render fills the placeholders of tmpl.
func (ph Placeholders) Render(tmpl string, f Facts) string {
	return placeholderRE.ReplaceAllStringFunc(tmpl, func(m string) string {
		key := placeholderRE.FindStringSubmatch(m)[1]
		switch key {
		case "ticket.id":
			return strconv.FormatInt(f.Ticket.ID, 10)
		case "ticket.title", "ticket.subject":
			return f.Ticket.Subject
		case "ticket.status":
			return f.Ticket.Status
		case "ticket.priority":
			return f.Ticket.Priority
		case "ticket.requester.name", "customer.name":
			return f.Requester
		case "ticket.requester.first_name", "customer.first_name":
			first, _, _ := strings.Cut(strings.TrimSpace(f.Requester), " ")
			return first
		case "current_user.name", "agent.name":
			return ph.AgentName
		}
		return m
	})
}

// Apply returns the patch a macro makes on the ticket of f, with its reply
// in the requester's language and placeholders filled.
func (m Macro) Apply(f Facts, ph Placeholders) ticket.Patch {
	out := Outcome{}
	f.Ticket.Tags = append([]string(nil), f.Ticket.Tags...)
	if f.Changed == nil {
		f.Changed = map[string]string{}
	}
	for _, a := range m.Actions {
		applyAction(&out, &f, m.ID, a, ph.Render)
	}
	if reply, ok := PickLanguage(m.Replies, f.Language); ok {
		applyAction(&out, &f, m.ID, Action{Field: "comment_value", Value: reply}, ph.Render)
	}
	return out.Patch
}
