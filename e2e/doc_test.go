// Package e2e_test holds end-to-end tests: a real Layan (app.Open on a
// temporary SQLite database) behind an HTTP listener, driven by Chromium
// through chromedp. Tests skip with a message when /usr/bin/chromium is
// missing (CI installs Debian's chromium and fonts-noto-core).
//
// Each test saves a screenshot under its t.TempDir() and logs the path; set
// LAYAN_E2E_SCREENSHOTS=DIR to keep copies after the run.
package e2e_test
