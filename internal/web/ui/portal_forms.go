package ui

import (
	"crypto/subtle"
	"errors"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/blob"
	"layan/internal/i18n"
	"layan/internal/ticket"
)

// Forms of the portal and the admin pages share this: what the person typed
// comes back with a message next to each field that was wrong, in their
// language, and a summary at the top (role="alert").

// formState is a form's values and its errors, keyed by input name.
type formState struct {
	Values url.Values
	Errors map[string]string
	Error  string // a message about the whole form
}

func newForm() *formState { return &formState{Values: url.Values{}, Errors: map[string]string{}} }

// formFrom keeps the posted values of the named inputs (trimmed, except passwords, which are never kept).
func formFrom(r *http.Request, names ...string) *formState {
	if r.PostForm == nil {
		_ = r.ParseForm() // multipart forms were parsed by parseUploadForm
	}
	f := newForm()
	for _, n := range names {
		if vs, ok := r.PostForm[n]; ok {
			f.Values[n] = vs
		}
	}
	return f
}

// V is the value of an input ("" when none).
func (f *formState) V(name string) string { return strings.TrimSpace(f.Values.Get(name)) }

// Has reports whether a checkbox or multi-select sent value.
func (f *formState) Has(name, value string) bool { return slices.Contains(f.Values[name], value) }

// On reports whether a checkbox named name was ticked (value "1").
func (f *formState) On(name string) bool { return f.Has(name, "1") }

// Err is the message for one input ("" when it is fine).
func (f *formState) Err(name string) string { return f.Errors[name] }

// Set records a message for an input; the first one stays.
func (f *formState) Set(name, msg string) {
	if _, ok := f.Errors[name]; !ok {
		f.Errors[name] = msg
	}
}

// Failed reports whether anything is wrong; it fills the summary if needed.
func (f *formState) Failed(v *View) bool {
	if len(f.Errors) == 0 && f.Error == "" {
		return false
	}
	if f.Error == "" {
		f.Error = v.T("error.invalid_input")
	}
	return true
}

// fieldMessage turns a service's validation error into a sentence about the
// field labelled label.
func fieldMessage(v *View, label string, ve *apperr.ValidationError) string {
	switch ve.Key {
	case "required":
		return v.T("error.required", "field", label)
	case "invalid_email":
		return v.T("error.invalid_email")
	case "too_long":
		return v.T("form.too_long", "field", label)
	case "too_short":
		return v.T("error.too_short", "field", label, "min", 8)
	case "taken":
		return v.T("form.taken", "field", label)
	case "invalid_token":
		return v.T("form.link_invalid")
	case "invalid_color":
		return v.T("form.invalid_color")
	case "invalid_domain":
		return v.T("form.invalid_domain")
	case "missing_default":
		return v.T("form.missing_default")
	case "not_staff":
		return v.T("form.not_staff")
	case "invalid_content_type":
		return v.T("form.logo_type")
	}
	return v.T("error.invalid", "field", label)
}

// applyError puts err next to the input it concerns: fields maps a service's
// field name to the input's name and the catalog key of its label. It
// returns false for errors that are not validation errors (the caller
// fails the request with them).
func applyError(v *View, f *formState, err error, fields map[string][2]string) bool {
	ve, ok := apperr.AsValidation(err)
	if !ok {
		return false
	}
	if m, ok := fields[ve.Field]; ok {
		f.Set(m[0], fieldMessage(v, v.T(m[1]), ve))
	} else {
		f.Error = v.T("error.invalid_input")
	}
	return true
}

// formCookie carries the token of the forms that anonymous visitors post
// (sign-up, password reset): a double-submit token, as on the sign-in page,
// since there is no session to hold one.
const formCookie = "layan_form"

// formToken returns the visitor's form token, setting the cookie when needed.
func formToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(formCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	tok := auth.NewSecret()
	http.SetCookie(w, &http.Cookie{Name: formCookie, Value: tok, Path: "/portal", HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	return tok
}

// formTokenOK checks a posted form against the visitor's cookie.
func formTokenOK(r *http.Request) bool {
	c, err := r.Cookie(formCookie)
	if err != nil || len(c.Value) < 32 {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue("form_token"))) == 1
}

// parseUploadForm reads a multipart form (files beyond memory go to disk).
func parseUploadForm(r *http.Request) error {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return r.ParseForm()
	}
	if err := r.ParseMultipartForm(8 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return err
	}
	return nil
}

// collectUploads keeps the files of an earlier, refused post ("name|token")
// and stores the newly attached ones. A file that is too large is reported on
// input "attachments"; other errors are returned.
func (p *Pages) collectUploads(r *http.Request, v *View, a auth.Actor, f *formState) ([]pendingUpload, error) {
	var ups []pendingUpload
	for _, tok := range r.PostForm["pending_upload"] {
		if i := strings.LastIndex(tok, "|"); i >= 0 && uploadToken.MatchString(tok[i+1:]) {
			ups = append(ups, pendingUpload{Token: tok[i+1:], Name: tok[:i]})
		}
	}
	if r.MultipartForm == nil {
		return ups, nil
	}
	var files []*multipart.FileHeader
	for _, fh := range r.MultipartForm.File["attachments"] {
		if fh.Filename != "" || fh.Size > 0 {
			files = append(files, fh)
		}
	}
	if len(files)+len(ups) > maxFilesPerReply {
		f.Set("attachments", v.T("error.too_many_files", "max", maxFilesPerReply))
		return ups, nil
	}
	for _, fh := range files {
		up, err := p.storeUpload(r, a, fh)
		if errors.Is(err, blob.ErrTooLarge) {
			f.Set("attachments", v.T("error.file_too_large", "file", fh.Filename, "max", formatSize(v.Locale, p.d.MaxUploadBytes)))
			continue
		}
		if err != nil {
			return ups, err
		}
		ups = append(ups, up)
	}
	return ups, nil
}

func uploadTokens(ups []pendingUpload) []string {
	out := make([]string, len(ups))
	for i, u := range ups {
		out[i] = u.Token
	}
	return out
}

// customerFields are the custom fields a customer fills in on the request
// form: active and editable in the portal.
func (p *Pages) customerFields(r *http.Request, a auth.Actor) ([]ticket.Field, error) {
	defs, err := p.d.Tickets.Fields(r.Context(), a)
	if err != nil {
		return nil, err
	}
	var out []ticket.Field
	for _, f := range defs {
		if f.Active && f.EditableInPortal {
			out = append(out, f)
		}
	}
	return out, nil
}

// fieldInputs pairs each field with what the form holds for it.
func fieldInputs(defs []ticket.Field, f *formState) []fieldView {
	out := make([]fieldView, len(defs))
	for i, d := range defs {
		name := "cf_" + itoa(d.ID)
		out[i] = fieldView{F: d, Value: f.V(name), Values: f.Values[name], Checked: f.On(name)}
	}
	return out
}

// asciiDigits turns Persian and Arabic-Indic digits (and the Persian decimal
// separator) into ASCII, so "۱۲٫۵" reads as 12.5.
func asciiDigits(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '۰' && r <= '۹':
			return '0' + (r - '۰')
		case r >= '٠' && r <= '٩':
			return '0' + (r - '٠')
		case r == '٫':
			return '.'
		case r == '٬':
			return -1
		}
		return r
	}, s)
}

// customFieldValues reads the cf_<id> inputs of the request form, checks
// them against their definitions and returns the values to save; problems
// are set on f next to each input.
func customFieldValues(v *View, defs []ticket.Field, f *formState) map[int64]any {
	out := map[int64]any{}
	for _, d := range defs {
		name := "cf_" + itoa(d.ID)
		raw := f.V(name)
		switch d.Type {
		case "checkbox":
			if d.Required && !f.On(name) {
				f.Set(name, v.T("error.required", "field", d.Title))
			}
			if f.On(name) {
				out[d.ID] = true
			}
			continue
		case "multiselect":
			var vals []string
			for _, s := range f.Values[name] {
				if slices.ContainsFunc(d.Options, func(o ticket.FieldOption) bool { return o.Value == s }) {
					vals = append(vals, s)
				} else {
					f.Set(name, v.T("error.invalid", "field", d.Title))
				}
			}
			if len(vals) == 0 && d.Required {
				f.Set(name, v.T("error.required", "field", d.Title))
			}
			if len(vals) > 0 {
				out[d.ID] = vals
			}
			continue
		}
		if raw == "" {
			if d.Required {
				f.Set(name, v.T("error.required", "field", d.Title))
			}
			continue
		}
		switch d.Type {
		case "integer":
			n, err := strconv.ParseInt(asciiDigits(raw), 10, 64)
			if err != nil {
				f.Set(name, v.T("form.whole_number", "field", d.Title))
				continue
			}
			out[d.ID] = float64(n)
		case "decimal":
			x, err := strconv.ParseFloat(strings.ReplaceAll(asciiDigits(raw), ",", "."), 64)
			if err != nil {
				f.Set(name, v.T("form.number", "field", d.Title))
				continue
			}
			out[d.ID] = x
		case "date":
			if _, err := time.Parse("2006-01-02", asciiDigits(raw)); err != nil {
				f.Set(name, v.T("form.date", "field", d.Title))
				continue
			}
			out[d.ID] = asciiDigits(raw)
		case "tagger":
			if !slices.ContainsFunc(d.Options, func(o ticket.FieldOption) bool { return o.Value == raw }) {
				f.Set(name, v.T("error.invalid", "field", d.Title))
				continue
			}
			out[d.ID] = raw
		default:
			out[d.ID] = raw
		}
	}
	return out
}

// shownField is a custom field's value as the portal shows it.
type shownField struct{ Title, Value string }

// showFieldValue writes a stored custom field value for reading.
func showFieldValue(locale string, d ticket.Field, val any) string {
	name := func(value string) string {
		for _, o := range d.Options {
			if o.Value == value {
				return o.Name
			}
		}
		return value
	}
	switch x := val.(type) {
	case bool:
		if x {
			return i18n.T(locale, "common.yes")
		}
		return i18n.T(locale, "common.no")
	case float64:
		return i18n.Digits(locale, strconv.FormatFloat(x, 'f', -1, 64))
	case string:
		switch d.Type {
		case "tagger":
			return name(x)
		case "date":
			if t, err := time.Parse("2006-01-02", x); err == nil {
				return i18n.FormatDate(locale, t, time.UTC)
			}
		}
		return x
	case []any:
		var names []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				names = append(names, name(s))
			}
		}
		sep := ", "
		if i18n.Normalize(locale) == "fa" {
			sep = "، "
		}
		return strings.Join(names, sep)
	}
	return ""
}
