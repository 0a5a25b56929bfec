package apptest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// recorder is a test that keeps its errors instead of failing, so a test
// can check that the browser helper reports what it should.
type recorder struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recorder) take() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := strings.Join(r.errors, "\n")
	r.errors = nil
	return s
}

// TestBrowserReportsConsoleErrors proves the collector fails a test for a
// CSP violation (inline style and script under the app's kind of policy)
// and a console error, and that ExpectConsoleError lets one through.
func TestBrowserReportsConsoleErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch r.URL.Path {
		case "/clean":
			fmt.Fprint(w, `<!doctype html><h1>Clean</h1>`)
		case "/log.js":
			w.Header().Set("Content-Type", "text/javascript")
			fmt.Fprint(w, `console.error("boom from log.js");`)
		case "/favicon.ico":
			w.WriteHeader(http.StatusNoContent)
		default:
			fmt.Fprint(w, `<!doctype html><h1 style="color:red">Dirty</h1>
<script>document.title = "inline ran";</script><script src="/log.js"></script>`)
		}
	}))
	t.Cleanup(srv.Close)
	rec := &recorder{TB: t}
	b := NewBrowser(rec, srv.URL, Laptop)

	b.Open("/clean")
	b.CheckConsole()
	if got := rec.take(); got != "" {
		t.Errorf("a clean page was reported: %s", got)
	}

	b.Open("/dirty")
	b.CheckConsole()
	got := rec.take()
	for _, want := range []string{"style-src", "script-src", "boom from log.js"} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}
	if title := Eval[string](b, "document.title"); title == "inline ran" {
		t.Error("the inline script ran despite the policy")
	}

	b.ExpectConsoleError("boom from log.js")
	b.Open("/dirty")
	b.CheckConsole()
	if got := rec.take(); strings.Contains(got, "boom") || !strings.Contains(got, "style-src") {
		t.Errorf("expected error not let through once, or others hidden:\n%s", got)
	}
}
