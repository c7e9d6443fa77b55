package helpcenter

import (
	"encoding/json"
	"net/http"
	"strconv"

	"layan/internal/auth"
	"layan/internal/kb"
)

type categoryJSON struct {
	ID           int64  `json:"id"`
	URL          string `json:"url"`
	HTMLURL      string `json:"html_url"`
	Position     int    `json:"position"`
	CreatedAt    string `json:"created_at"`
	UpdatedAt    string `json:"updated_at"`
	Name         string `json:"name"`
	Description  string `json:"description"`
	Locale       string `json:"locale"`
	SourceLocale string `json:"source_locale"`
	Outdated     bool   `json:"outdated"`
}

func toCategoryJSON(r *http.Request, c kb.Category) categoryJSON {
	id := strconv.FormatInt(c.ID, 10)
	return categoryJSON{ID: c.ID, URL: apiURL(r, c.Locale+"/categories/"+id), HTMLURL: htmlURL(r, c.Locale, "categories/"+id),
		Position: c.Position, CreatedAt: ts(c.CreatedAt), UpdatedAt: ts(c.UpdatedAt), Name: c.Name, Description: c.Description,
		Locale: c.Locale, SourceLocale: c.SourceLocale}
}

type categoryIn struct {
	Name         string          `json:"name"`
	Description  string          `json:"description"`
	Locale       string          `json:"locale"`
	Position     *int            `json:"position"`
	ID           json.RawMessage `json:"id"`
	URL          json.RawMessage `json:"url"`
	HTMLURL      json.RawMessage `json:"html_url"`
	SourceLocale json.RawMessage `json:"source_locale"`
	Outdated     json.RawMessage `json:"outdated"`
	CreatedAt    json.RawMessage `json:"created_at"`
	UpdatedAt    json.RawMessage `json:"updated_at"`
	CategoryID   int64           `json:"category_id"` // sections only
	Sorting      json.RawMessage `json:"sorting"`
	ParentID     json.RawMessage `json:"parent_section_id"`
	Template     json.RawMessage `json:"theme_template"`
}

func (in *categoryIn) localeOr(r *http.Request, a auth.Actor) string {
	if in.Locale != "" {
		return in.Locale
	}
	return locale(r, a)
}

// ListCategories: GET /api/v2/help_center[/{locale}]/categories.
func (api *API) ListCategories(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	cs, err := api.KB.ListCategories(r.Context(), a, locale(r, a))
	if err != nil {
		return 0, nil, err
	}
	out := make([]categoryJSON, len(cs))
	for i, c := range cs {
		out[i] = toCategoryJSON(r, c)
	}
	p := page{1, max(len(out), 1)}
	return http.StatusOK, envelope(r, "categories", out, p, len(out)), nil
}

// ShowCategory: GET /api/v2/help_center[/{locale}]/categories/{id}.
func (api *API) ShowCategory(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	c, err := api.KB.GetCategory(r.Context(), a, id, locale(r, a))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"category": toCategoryJSON(r, c)}, nil
}

// CreateCategory: POST /api/v2/help_center[/{locale}]/categories.
func (api *API) CreateCategory(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	in, err := decode[categoryIn](w, r, api.MaxBody, "category")
	if err != nil {
		return 0, nil, err
	}
	c, err := api.KB.CreateCategory(r.Context(), a, kb.CategoryInput{Locale: in.localeOr(r, a), Name: in.Name,
		Description: in.Description, Position: in.Position})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, map[string]any{"category": toCategoryJSON(r, c)}, nil
}

// UpdateCategory: PUT /api/v2/help_center[/{locale}]/categories/{id}.
func (api *API) UpdateCategory(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	in, err := decode[categoryIn](w, r, api.MaxBody, "category")
	if err != nil {
		return 0, nil, err
	}
	c, err := api.KB.UpdateCategory(r.Context(), a, id, kb.CategoryInput{Locale: in.localeOr(r, a), Name: in.Name,
		Description: in.Description, Position: in.Position})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"category": toCategoryJSON(r, c)}, nil
}

// DeleteCategory: DELETE /api/v2/help_center/categories/{id}.
func (api *API) DeleteCategory(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, api.KB.DeleteCategory(r.Context(), a, id)
}

type sectionJSON struct {
	categoryJSON
	CategoryID      int64  `json:"category_id"`
	Sorting         string `json:"sorting"`
	ParentSectionID *int64 `json:"parent_section_id"`
}

func toSectionJSON(r *http.Request, s kb.Section) sectionJSON {
	id := strconv.FormatInt(s.ID, 10)
	return sectionJSON{categoryJSON: categoryJSON{ID: s.ID, URL: apiURL(r, s.Locale+"/sections/"+id), HTMLURL: htmlURL(r, s.Locale, "sections/"+id),
		Position: s.Position, CreatedAt: ts(s.CreatedAt), UpdatedAt: ts(s.UpdatedAt), Name: s.Name, Description: s.Description,
		Locale: s.Locale, SourceLocale: s.SourceLocale}, CategoryID: s.CategoryID, Sorting: "manual"}
}

// ListSections: GET /api/v2/help_center[/{locale}]/sections and
// /categories/{id}/sections.
func (api *API) ListSections(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	var cat int64
	if r.PathValue("id") != "" {
		var err error
		if cat, err = pathID(r, "id"); err != nil {
			return 0, nil, err
		}
		if _, err := api.KB.GetCategory(r.Context(), a, cat, ""); err != nil {
			return 0, nil, err
		}
	}
	ss, err := api.KB.ListSections(r.Context(), a, cat, locale(r, a))
	if err != nil {
		return 0, nil, err
	}
	out := make([]sectionJSON, len(ss))
	for i, s := range ss {
		out[i] = toSectionJSON(r, s)
	}
	return http.StatusOK, envelope(r, "sections", out, page{1, max(len(out), 1)}, len(out)), nil
}

// ShowSection: GET /api/v2/help_center[/{locale}]/sections/{id}.
func (api *API) ShowSection(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	s, err := api.KB.GetSection(r.Context(), a, id, locale(r, a))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"section": toSectionJSON(r, s)}, nil
}

// CreateSection: POST /api/v2/help_center[/{locale}]/categories/{id}/sections.
func (api *API) CreateSection(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	cat, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	in, err := decode[categoryIn](w, r, api.MaxBody, "section")
	if err != nil {
		return 0, nil, err
	}
	s, err := api.KB.CreateSection(r.Context(), a, kb.SectionInput{CategoryID: cat, Locale: in.localeOr(r, a), Name: in.Name,
		Description: in.Description, Position: in.Position})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, map[string]any{"section": toSectionJSON(r, s)}, nil
}

// UpdateSection: PUT /api/v2/help_center[/{locale}]/sections/{id}.
func (api *API) UpdateSection(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	in, err := decode[categoryIn](w, r, api.MaxBody, "section")
	if err != nil {
		return 0, nil, err
	}
	s, err := api.KB.UpdateSection(r.Context(), a, id, kb.SectionInput{CategoryID: in.CategoryID, Locale: in.localeOr(r, a),
		Name: in.Name, Description: in.Description, Position: in.Position})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"section": toSectionJSON(r, s)}, nil
}

// DeleteSection: DELETE /api/v2/help_center/sections/{id}.
func (api *API) DeleteSection(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, api.KB.DeleteSection(r.Context(), a, id)
}
