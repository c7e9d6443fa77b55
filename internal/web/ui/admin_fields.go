package ui

import (
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"layan/internal/ticket"
)

// Custom ticket fields: their type (text, textarea, checkbox, date,
// integer, decimal, drop-down, multi-select), options, whether customers see
// them in the portal or fill them in on the request form, and their order.

type fieldsPage struct {
	Fields []ticket.Field
}

// adminFields: GET /admin/fields.
func (p *Pages) adminFields(w http.ResponseWriter, r *http.Request) {
	v := p.adminView(r, "admin.custom_fields")
	fields, err := p.d.Tickets.Fields(r.Context(), v.Actor)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	v.Data = &fieldsPage{Fields: fields}
	p.render(w, r, http.StatusOK, "admin_fields", v)
}

type fieldPage struct {
	F     ticket.Field // ID 0 for a new field
	Types []string
	Form  *formState
}

var fieldFormNames = []string{"title", "description", "type", "options", "active", "required", "visible_in_portal",
	"editable_in_portal", "position"}

var fieldFields = map[string][2]string{
	"title": {"title", "admin.field_title"}, "description": {"description", "admin.description"},
	"type": {"type", "admin.field_type"}, "custom_field_options": {"options", "admin.field_options"},
}

// newFieldForm: GET /admin/fields/new.
func (p *Pages) newFieldForm(w http.ResponseWriter, r *http.Request) {
	v := p.adminView(r, "admin.new_field")
	f := newForm()
	f.Values.Set("type", "text")
	f.Values.Set("active", "1")
	fields, err := p.d.Tickets.Fields(r.Context(), v.Actor)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	next := int64(0)
	for _, fd := range fields {
		next = max(next, fd.Position+10)
	}
	f.Values.Set("position", strconv.FormatInt(next, 10))
	p.renderField(w, r, v, http.StatusOK, ticket.Field{}, f)
}

func (p *Pages) renderField(w http.ResponseWriter, r *http.Request, v *View, status int, fd ticket.Field, f *formState) {
	if fd.ID != 0 {
		v.Title = fd.Title
	}
	v.Data = &fieldPage{F: fd, Types: ticket.FieldTypes, Form: f}
	p.render(w, r, status, "admin_field", v)
}

// adminField: GET /admin/fields/{id}.
func (p *Pages) adminField(w http.ResponseWriter, r *http.Request) {
	id, ok := p.pathID(w, r, "id")
	if !ok {
		return
	}
	v := p.adminView(r, "admin.custom_fields")
	fd, err := p.d.Tickets.GetField(r.Context(), v.Actor, id)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	f := newForm()
	f.Values.Set("title", fd.Title)
	f.Values.Set("description", fd.Description)
	f.Values.Set("type", fd.Type)
	f.Values.Set("options", formatOptions(fd.Options))
	f.Values.Set("position", strconv.FormatInt(fd.Position, 10))
	for name, on := range map[string]bool{"active": fd.Active, "required": fd.Required,
		"visible_in_portal": fd.VisibleInPortal, "editable_in_portal": fd.EditableInPortal} {
		if on {
			f.Values.Set(name, "1")
		}
	}
	p.renderField(w, r, v, http.StatusOK, fd, f)
}

// formatOptions writes options one a line, "Name | value".
func formatOptions(opts []ticket.FieldOption) string {
	lines := make([]string, len(opts))
	for i, o := range opts {
		lines[i] = o.Name + " | " + o.Value
	}
	return strings.Join(lines, "\n")
}

// parseOptions reads "Name | value" lines; a line without a value gets one
// made from its name (lowercase, underscores for spaces).
func parseOptions(s string) []ticket.FieldOption {
	var out []ticket.FieldOption
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, value, ok := strings.Cut(line, "|")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if !ok || value == "" {
			value = optionValue(name)
		}
		if name == "" {
			name = value
		}
		out = append(out, ticket.FieldOption{Name: name, Value: value})
	}
	return out
}

func optionValue(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
			b.WriteRune(r)
		case unicode.IsSpace(r) || r == '/' || r == '.':
			if b.Len() > 0 && !strings.HasSuffix(b.String(), "_") {
				b.WriteByte('_')
			}
		}
	}
	return strings.Trim(b.String(), "_")
}

// fieldFromForm reads the field form into fd.
func fieldFromForm(fd ticket.Field, f *formState) ticket.Field {
	fd.Title, fd.Description, fd.Type = f.V("title"), f.V("description"), f.V("type")
	fd.Options = parseOptions(f.Values.Get("options"))
	fd.Active, fd.Required = f.On("active"), f.On("required")
	fd.VisibleInPortal, fd.EditableInPortal = f.On("visible_in_portal"), f.On("editable_in_portal")
	if n, err := strconv.ParseInt(asciiDigits(f.V("position")), 10, 64); err == nil {
		fd.Position = n
	}
	return fd
}

// saveField: POST /admin/fields (new) and POST /admin/fields/{id}.
func (p *Pages) saveField(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := p.adminView(r, "admin.custom_fields")
	var fd ticket.Field
	if r.PathValue("id") != "" {
		id, ok := p.pathID(w, r, "id")
		if !ok {
			return
		}
		var err error
		if fd, err = p.d.Tickets.GetField(ctx, v.Actor, id); err != nil {
			p.fail(w, r, err)
			return
		}
	} else {
		v.Title = v.T("admin.new_field")
	}
	f := formFrom(r, fieldFormNames...)
	if s := f.V("position"); s != "" {
		if _, err := strconv.ParseInt(asciiDigits(s), 10, 64); err != nil {
			f.Set("position", v.T("form.whole_number", "field", v.T("admin.field_position")))
		}
	}
	if !f.Failed(v) {
		saved, err := p.d.Tickets.SaveField(ctx, v.Actor, fieldFromForm(fd, f))
		if err == nil {
			done := "saved"
			if fd.ID == 0 {
				done = "created"
			}
			http.Redirect(w, r, "/admin/fields?done="+done+"#field-"+itoa(saved.ID), http.StatusSeeOther)
			return
		}
		if !applyError(v, f, err, fieldFields) {
			p.fail(w, r, err)
			return
		}
		f.Failed(v)
	}
	p.renderField(w, r, v, http.StatusUnprocessableEntity, fd, f)
}

// deleteField: POST /admin/fields/{id}/delete (confirm=1).
func (p *Pages) deleteField(w http.ResponseWriter, r *http.Request) {
	id, ok := p.pathID(w, r, "id")
	if !ok {
		return
	}
	if r.PostFormValue("confirm") != "1" {
		http.Redirect(w, r, "/admin/fields/"+itoa(id), http.StatusSeeOther)
		return
	}
	if err := p.d.Tickets.DeleteField(r.Context(), currentActor(r), id); err != nil {
		p.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/fields?done=deleted", http.StatusSeeOther)
}

// moveField: POST /admin/fields/{id}/move (dir=up|down) swaps the field with
// its neighbour; positions are renumbered in tens as needed.
func (p *Pages) moveField(w http.ResponseWriter, r *http.Request) {
	id, ok := p.pathID(w, r, "id")
	if !ok {
		return
	}
	ctx := r.Context()
	a := currentActor(r)
	fields, err := p.d.Tickets.Fields(ctx, a)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	i := -1
	for k, fd := range fields {
		if fd.ID == id {
			i = k
		}
	}
	if i < 0 {
		p.notFound(w, r)
		return
	}
	j := i - 1
	if r.PostFormValue("dir") == "down" {
		j = i + 1
	}
	if j >= 0 && j < len(fields) {
		fields[i], fields[j] = fields[j], fields[i]
		for k := range fields {
			if want := int64(k+1) * 10; fields[k].Position != want {
				fields[k].Position = want
				if _, err := p.d.Tickets.SaveField(ctx, a, fields[k]); err != nil {
					p.fail(w, r, err)
					return
				}
			}
		}
	}
	http.Redirect(w, r, "/admin/fields?done=moved#field-"+itoa(id), http.StatusSeeOther)
}
