// Package apptest builds a whole Proofsheet App per test on its own cloned
// database, and drives it through Fiber's app.Test with a client that keeps
// cookies and CSRF tokens like a browser.
package apptest

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/proofsheet/proofsheet/app"
	"github.com/proofsheet/proofsheet/app/database/dbtest"
)

// TestApp is an App on a fresh database.
type TestApp struct {
	*app.App
	DatabaseURL string // superuser URL of this test's database
	t           testing.TB
}

// TestMasterKey is the master key of test apps (base64 of 32 fixed bytes).
const TestMasterKey = "cHJvb2ZzaGVldCB0ZXN0IG1hc3RlciBrZXkgMzIgYnk="

// New wires an App for t. Password hashing is cheap and jobs are not
// worked unless mutate sets Workers.
func New(t testing.TB, mutate ...func(*app.Config)) *TestApp {
	t.Helper()
	var w io.Writer = io.Discard
	if os.Getenv("PROOFSHEET_TEST_LOG") != "" {
		w = os.Stderr
	}
	return NewWithLog(t, w, mutate...)
}

// NewWithLog is New with the app's log written as JSON lines to w.
func NewWithLog(t testing.TB, w io.Writer, mutate ...func(*app.Config)) *TestApp {
	t.Helper()
	db, u := dbtest.Open(t)
	cfg, err := app.Load(flag.NewFlagSet("test", flag.ContinueOnError), nil, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.DatabaseURL = u
	cfg.Argon2Memory, cfg.Argon2Time = 64, 1
	cfg.Workers = 0
	// Objects go to the test's own folder under a fixed key, never to var/.
	cfg.DataDir, cfg.BlobDir, cfg.MasterKey = t.TempDir(), "", TestMasterKey
	for _, m := range mutate {
		m(&cfg)
	}
	if err := cfg.Finish(); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a, err := app.New(cfg, db, log)
	if err != nil {
		t.Fatal(err)
	}
	hearChanges(t, a)
	return &TestApp{App: a, DatabaseURL: u, t: t}
}

// hearChanges runs the app's change listener, as serving does, so tests
// go through the guests' cache, and waits at the end until its connection
// is closed (the test's database is dropped after).
func hearChanges(t testing.TB, a *app.App) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.HearChanges(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

// Listen serves the app on a loopback port (for browsers) until t ends and
// returns its base URL.
func (ta *TestApp) Listen() string {
	ta.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		ta.t.Fatal(err)
	}
	go func() { _ = ta.Fiber.Listener(ln) }()
	ta.t.Cleanup(func() { _ = ta.Fiber.ShutdownWithTimeout(5 * time.Second) })
	return "http://" + ln.Addr().String()
}

// Client is a browser-like client: it keeps cookies and sends the CSRF
// token with every form, unless told not to.
type Client struct {
	ta      *TestApp
	cookies map[string]string
	Bearer  string                         // API token for Authorization, if set
	check   func(*http.Request, *Response) // see CheckOpenAPI
}

// Client returns a new client with no cookies.
func (ta *TestApp) Client() *Client { return &Client{ta: ta, cookies: map[string]string{}} }

// Response is a finished response with its body read.
type Response struct {
	*http.Response
	Body string
}

// JSON decodes the body into v.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.Body), v); err != nil {
		t.Fatalf("decode %q: %v", r.Body, err)
	}
}

// Do sends req with the client's cookies and remembers the ones it gets.
func (c *Client) Do(req *http.Request) *Response {
	c.ta.t.Helper()
	for k, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	if c.Bearer != "" && req.Header.Get("Authorization") == "" {
		req.Header.Set("Authorization", "Bearer "+c.Bearer)
	}
	res, err := c.ta.Fiber.Test(req, 30_000)
	if err != nil {
		c.ta.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, ck := range res.Cookies() {
		if ck.MaxAge < 0 || ck.Value == "" {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck.Value
		}
	}
	out := &Response{Response: res, Body: string(body)}
	if c.check != nil {
		c.check(req, out)
	}
	return out
}

// Get fetches path.
func (c *Client) Get(path string) *Response {
	c.ta.t.Helper()
	return c.Do(httptest.NewRequest(http.MethodGet, path, nil))
}

// Cookie returns a cookie's value.
func (c *Client) Cookie(name string) string { return c.cookies[name] }

// CSRF returns the client's CSRF token, fetching a page to get one.
func (c *Client) CSRF() string {
	if c.cookies["__Host-csrf"] == "" {
		c.Get("/login")
	}
	return c.cookies["__Host-csrf"]
}

// PostForm submits a form with the CSRF token.
func (c *Client) PostForm(path string, form url.Values) *Response {
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	if _, ok := f["_csrf"]; !ok {
		f.Set("_csrf", c.CSRF())
	}
	return c.postRaw(path, f)
}

func (c *Client) postRaw(path string, form url.Values) *Response {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.Do(req)
}

// JSON sends a JSON body (nil for none) to the API.
func (c *Client) JSON(method, path string, body any) *Response {
	c.ta.t.Helper()
	return c.Do(c.jsonRequest(method, path, body))
}

func (c *Client) jsonRequest(method, path string, body any) *http.Request {
	var r io.Reader
	if body != nil {
		switch b := body.(type) {
		case string:
			r = strings.NewReader(b)
		default:
			raw, err := json.Marshal(b)
			if err != nil {
				c.ta.t.Fatal(err)
			}
			r = strings.NewReader(string(raw))
		}
	}
	req := httptest.NewRequest(method, path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

// Scenario is one row of an HTTP test table.
type Scenario struct {
	Name        string
	Method      string // default GET, or POST when Form is set
	Path        string
	Form        url.Values // sent as a form with the CSRF token
	NoCSRF      bool       // send Form without the token
	JSON        any        // sent as application/json
	Status      int
	Contains    []string // substrings the body must have
	NotContains []string
	Location    string            // Location header prefix, for redirects
	Header      map[string]string // response headers to expect
	Request     map[string]string // request headers to send (not with Form)
}

// Run plays the scenarios in order with the client, so state carries over.
func (c *Client) Run(t *testing.T, scenarios []Scenario) {
	t.Helper()
	for _, s := range scenarios {
		var res *Response
		switch {
		case s.JSON != nil || s.Request != nil || (s.Method != "" && s.Method != http.MethodGet && s.Form == nil):
			method := orDefault(s.Method, http.MethodGet)
			if s.Method == "" && s.JSON != nil {
				method = http.MethodPost
			}
			req := c.jsonRequest(method, s.Path, s.JSON)
			for k, v := range s.Request {
				req.Header.Set(k, v)
			}
			res = c.Do(req)
		case s.Form != nil && s.NoCSRF:
			res = c.postRaw(s.Path, s.Form)
		case s.Form != nil:
			res = c.PostForm(s.Path, s.Form)
		default:
			res = c.Get(s.Path)
		}
		s.check(t, res)
	}
}

func (s Scenario) check(t *testing.T, res *Response) {
	t.Helper()
	name := s.Name
	if name == "" {
		name = s.Method + " " + s.Path
	}
	if res.StatusCode != s.Status {
		t.Errorf("%s: status %d, want %d; body: %.400s", name, res.StatusCode, s.Status, res.Body)
		return
	}
	for _, want := range s.Contains {
		if !strings.Contains(res.Body, want) {
			t.Errorf("%s: body lacks %q; body: %.600s", name, want, res.Body)
		}
	}
	for _, bad := range s.NotContains {
		if strings.Contains(res.Body, bad) {
			t.Errorf("%s: body has %q", name, bad)
		}
	}
	if s.Location != "" && !strings.HasPrefix(res.Header.Get("Location"), s.Location) {
		t.Errorf("%s: Location %q, want prefix %q", name, res.Header.Get("Location"), s.Location)
	}
	for k, v := range s.Header {
		if got := res.Header.Get(k); got != v {
			t.Errorf("%s: header %s = %q, want %q", name, k, got, v)
		}
	}
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// Owner is a signed-up studio owner and their signed-in client.
type Owner struct {
	Email, Password, Studio string
	Client                  *Client
}

// SignUp creates a studio through the sign-up form and returns its owner,
// signed in.
func (ta *TestApp) SignUp(studio, email string) *Owner {
	ta.t.Helper()
	o := &Owner{Email: email, Password: "Correct-Horse-Battery-7", Studio: studio, Client: ta.Client()}
	res := o.Client.PostForm("/signup", url.Values{
		"studio": {studio}, "name": {"Owner of " + studio}, "email": {email}, "password": {o.Password},
	})
	if res.StatusCode != http.StatusSeeOther {
		ta.t.Fatalf("sign up %s: status %d: %.400s", email, res.StatusCode, res.Body)
	}
	return o
}

var mailLink = regexp.MustCompile(`https?://\S+`)

// LastMailLink returns the first link of the newest e-mail sent to addr,
// read from the outbox table as the superuser (the outbox is studio data).
func (ta *TestApp) LastMailLink(addr string) string {
	ta.t.Helper()
	var body string
	err := ta.Superuser().QueryRow(context.Background(), `
		SELECT body FROM email_outbox WHERE to_addr = $1 ORDER BY created_at DESC LIMIT 1`, addr).Scan(&body)
	if err != nil {
		ta.t.Fatalf("no e-mail to %s: %v", addr, err)
	}
	link := mailLink.FindString(body)
	if link == "" {
		ta.t.Fatalf("e-mail to %s has no link: %s", addr, body)
	}
	u, _ := url.Parse(link)
	return u.RequestURI()
}

// Superuser is a connection to this test's database that bypasses
// row-level security, for checking and tampering; closed when the test ends.
func (ta *TestApp) Superuser() *pgx.Conn {
	ta.t.Helper()
	cfg, err := pgx.ParseConfig(ta.DatabaseURL)
	if err != nil {
		ta.t.Fatal(err)
	}
	ta.DB.WatchChanges(cfg) // the app's cache hears the test's changes at once
	c, err := pgx.ConnectConfig(context.Background(), cfg)
	if err != nil {
		ta.t.Fatal(err)
	}
	ta.t.Cleanup(func() { c.Close(context.Background()) })
	return c
}
