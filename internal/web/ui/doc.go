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
//  3. add the route in routes.go: page (anyone), member (signed in, else the
//     sign-in page) or staff (admins, agents, light agents; customers get 403);
//  4. add every string to the three catalogs in internal/i18n/catalogs
//     (TestEveryUsedCatalogKeyExists checks the keys templates ask for).
//
// In templates: {{t "key" "name" value}} translates (numbers in Persian
// digits, names isolated in RTL); {{template "time" ($.When t)}} shows a time
// relative and absolute in the viewer's zone and calendar; {{$.Num n}} groups
// digits; <bdi> goes around names and dir="auto" on user text. Handlers use
// p.fail(w, r, err) for service errors (404/403/409/422 pages).
//
// Forms post with {{template "csrf" .}}; scripts send the token from
// <meta name="csrf-token"> as X-CSRF-Token. <body data-page="NAME"> loads
// static/js/NAME's module through app.js. CSS (static/app.css) uses logical
// properties only, so Persian mirrors by itself; reusable classes: .card,
// .narrow, .page-narrow, .field (label + input), .field-inline, .stack,
// .btn .btn-primary .btn-quiet .btn-small, .badge .status-*, .alert-error,
// .flash-ok, .hint, .muted, .facts (dl), table.tickets, .visually-hidden.
package ui
