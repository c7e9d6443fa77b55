// Package ui is the browser face of Layan: server-rendered pages
// (html/template), one stylesheet and a few small ES modules, all embedded and
// served fingerprinted. Pages call the domain services with the signed-in
// actor; they never run SQL.
//
// Adding a page (the customer portal and admin build on this):
//  1. write templates/NAME.html with {{define "title"}} and {{define "main"}};
//     templates/shared/*.html (layout, partials) are part of every page;
//  2. write a handler that fills a View (p.view(r)) and calls
//     p.render(w, r, http.StatusOK, "NAME", v);
//  3. add the route in routes.go (p.page for anyone, p.staff for staff);
//  4. add every string to the three catalogs in internal/i18n/catalogs.
//
// Forms post with {{template "csrf" .}}; scripts send the token from
// <meta name="csrf-token"> as X-CSRF-Token. CSS uses logical properties
// only (margin-inline-start, not margin-left) so Persian mirrors by itself.
package ui
