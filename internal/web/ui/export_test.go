package ui

import "html/template"

// Internals that the external tests (package ui_test) check.

func (p *Pages) JSBytes() int { return p.assets.jsBytes() }

func (p *Pages) AssetVersion() string { return p.assets.version }

func (p *Pages) Templates() map[string]map[string]*template.Template { return p.tmpl }

func StaticFile(name string) []byte { return loadAssets().files[name] }
