package app_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/proofsheet/proofsheet/app/apptest"
)

// syncBuffer collects log output written from many goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) lines() []map[string]any {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(b.buf.Bytes()))
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

func TestHealthAndReadiness(t *testing.T) {
	ta := apptest.New(t)
	c := ta.Client()
	c.Run(t, []apptest.Scenario{
		{Path: "/healthz", Status: http.StatusOK, Contains: []string{`"status":"ok"`}},
		{Path: "/readyz", Status: http.StatusOK, Contains: []string{`"database":"ok"`}},
	})
	// A database behind the binary's migrations is not ready.
	if _, err := ta.Superuser().Exec(t.Context(), "DELETE FROM goose_db_version WHERE version_id = (SELECT max(version_id) FROM goose_db_version)"); err != nil {
		t.Fatal(err)
	}
	c.Run(t, []apptest.Scenario{
		{Name: "migration missing", Path: "/readyz", Status: http.StatusServiceUnavailable, Contains: []string{`"status":"unavailable"`}},
		{Name: "still alive", Path: "/healthz", Status: http.StatusOK},
	})
}

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	ta := apptest.New(t)
	c := ta.Client()
	for _, path := range []string{"/signup", "/static/app.css", "/no/such/page", "/healthz", "/api/v1/openapi.json"} {
		res := c.Get(path)
		csp := res.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP %q", path, csp)
		}
		for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "X-Frame-Options": "DENY"} {
			if got := res.Header.Get(h); got != want {
				t.Errorf("%s: %s = %q, want %q", path, h, got, want)
			}
		}
		if res.Header.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS sent over plain HTTP", path)
		}
		if res.Header.Get("X-Request-Id") == "" {
			t.Errorf("%s: no X-Request-Id", path)
		}
	}
	c.Run(t, []apptest.Scenario{
		{Name: "unknown page is a friendly 404", Path: "/no/such/page", Status: http.StatusNotFound,
			Contains: []string{"There is nothing at this address."}, NotContains: []string{"goroutine", ".go:"}},
	})
	o := ta.SignUp("Lumen", "lumen@example.com")
	o.Client.Run(t, []apptest.Scenario{
		{Name: "a signed-in 404 keeps the studio's layout", Path: "/studio/no/such/page", Status: http.StatusNotFound,
			Contains: []string{"There is nothing at this address.", "Owner of Lumen", `action="/logout"`}},
	})
}

func TestMetricsCountRequestsByRouteAndStatus(t *testing.T) {
	ta := apptest.New(t)
	c := ta.Client()
	c.Get("/signup")
	c.Get("/signup")
	c.Get("/no/such/page")
	res := c.Get("/metrics")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("metrics: %d", res.StatusCode)
	}
	for _, want := range []string{
		`proofsheet_http_requests_total{method="GET",route="/signup",status="200"} 2`,
		`proofsheet_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`proofsheet_http_request_duration_seconds_count{method="GET",route="/signup"} 2`,
	} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestOneLogLinePerRequest(t *testing.T) {
	var logs syncBuffer
	ta := apptest.NewWithLog(t, &logs)
	o := ta.SignUp("Logged", "log@example.com")
	res := o.Client.Get("/studio")
	id := res.Header.Get("X-Request-Id")
	var found []map[string]any
	for _, l := range logs.lines() {
		if l["msg"] == "request" && l["request_id"] == id {
			found = append(found, l)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d log lines for request %s, want 1", len(found), id)
	}
	l := found[0]
	if l["route"] != "/studio" || l["status"] != float64(200) || l["studio_id"] == nil || l["studio_id"] == "" {
		t.Fatalf("log line %v lacks route, status or studio", l)
	}
	logs.mu.Lock()
	defer logs.mu.Unlock()
	if strings.Contains(logs.buf.String(), o.Password) {
		t.Fatal("a password reached the log")
	}
}
