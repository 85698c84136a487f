package web

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// TestFilesStayOffline checks the rules the page lives by, on its source:
// nothing fetched from elsewhere, no inline script, style or event
// handler (the CSP would block them anyway), no HTML built from strings,
// and every module import and /ui/ reference resolving to a file.
func TestFilesStayOffline(t *testing.T) {
	names := Names()
	if len(names) < 5 || !Has(Index) {
		t.Fatalf("files %v", names)
	}
	bad := []struct {
		re   *regexp.Regexp
		what string
	}{
		{regexp.MustCompile(`(?i)\b(https?|wss?):\/\/[a-z0-9.]+`), "an absolute URL (the page loads nothing from elsewhere)"},
		{regexp.MustCompile(`(?i)<[a-z][^>]*\son[a-z]+\s*=`), "an inline event handler"},
		{regexp.MustCompile(`(?i)<[a-z][^>]*\sstyle\s*=`), "an inline style"},
		{regexp.MustCompile(`\b(eval|Function)\s*\(|\.innerHTML\b|\.outerHTML\b|insertAdjacentHTML|document\.write`), "code or HTML from strings"},
		{regexp.MustCompile(`(?i)access_token|localStorage|sessionStorage|document\.cookie`), "a token in a URL or in storage"},
	}
	scripts := regexp.MustCompile(`(?i)<script[^>]*>`)
	imports := regexp.MustCompile(`(?m)^import .* from "\./([a-z]+\.js)";`)
	refs := regexp.MustCompile(`"/ui/([a-z.]+)"`)
	for _, name := range names {
		b := string(byName[name].data)
		for _, r := range bad {
			if m := r.re.FindString(b); m != "" && !(name == "icon.svg" && strings.HasPrefix(m, "http://www.w3.org")) {
				t.Errorf("%s has %s: %q", name, r.what, m)
			}
		}
		for _, m := range scripts.FindAllString(b, -1) {
			if !strings.Contains(m, ` src="/ui/`) {
				t.Errorf("%s has an inline script: %s", name, m)
			}
		}
		for _, m := range imports.FindAllStringSubmatch(b, -1) {
			if !Has(m[1]) {
				t.Errorf("%s imports %s, which is not a file of the dashboard", name, m[1])
			}
		}
		for _, m := range refs.FindAllStringSubmatch(b, -1) {
			if !Has(m[1]) {
				t.Errorf("%s refers to /ui/%s, which is not a file of the dashboard", name, m[1])
			}
		}
	}
}

// TestServe checks the headers of the files.
func TestServe(t *testing.T) {
	for _, name := range Names() {
		rec := httptest.NewRecorder()
		Serve(rec, httptest.NewRequest("GET", "/ui/"+name, nil), name)
		h := rec.Header()
		if rec.Code != 200 || h.Get("Content-Security-Policy") != CSP || h.Get("X-Content-Type-Options") != "nosniff" ||
			h.Get("Content-Type") == "application/octet-stream" || rec.Body.Len() == 0 {
			t.Errorf("%s: %d %v", name, rec.Code, h)
		}
	}
	rec := httptest.NewRecorder()
	Serve(rec, httptest.NewRequest("HEAD", "/ui/main.js", nil), "main.js")
	if rec.Code != 200 || rec.Body.Len() != 0 {
		t.Errorf("HEAD: %d, %d bytes", rec.Code, rec.Body.Len())
	}
	rec = httptest.NewRecorder()
	Serve(rec, httptest.NewRequest("GET", "/ui/x", nil), "x")
	if rec.Code != http.StatusNotFound {
		t.Errorf("unknown file: %d", rec.Code)
	}
}
