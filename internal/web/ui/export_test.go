package ui

// Internals that the external tests (package ui_test) check.

func (p *Pages) JSBytes() int { return p.assets.jsBytes() }

func (p *Pages) AssetVersion() string { return p.assets.version }

func StaticFile(name string) []byte { return loadAssets().files[name] }

// AllTemplatesParse parses every page in every locale and reports the first
// that is missing.
func (p *Pages) AllTemplatesParse() (missing string) {
	for _, l := range []string{"en", "id", "fa"} {
		for name := range p.tmpl.files {
			if _, err := p.tmpl.parse(l, name); err != nil {
				return l + "/" + name + ": " + err.Error()
			}
		}
	}
	return ""
}
