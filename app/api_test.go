package app_test

import (
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/proofsheet/proofsheet/app/apptest"
)

const problemJSON = "application/problem+json"

// apiClient is a client that sends token and checks every API response
// against the OpenAPI document.
func apiClient(ta *apptest.TestApp, doc *apptest.OpenAPI, token string) *apptest.Client {
	c := ta.Client().CheckOpenAPI(doc)
	c.Bearer = token
	return c
}

func TestAPIAuthentication(t *testing.T) {
	ta := apptest.New(t)
	doc := ta.OpenAPI()
	o := ta.SignUp("Sharma Studio", "priya@example.com")
	read := createToken(t, o.Client, "Reader", "read")
	bearer := func(v string) map[string]string { return map[string]string{"Authorization": v} }
	probHeader := map[string]string{"Content-Type": problemJSON, "WWW-Authenticate": `Bearer realm="proofsheet"`}
	apiClient(ta, doc, "").Run(t, []apptest.Scenario{
		{Name: "no token", Path: "/api/v1/me", Status: http.StatusUnauthorized, Header: probHeader,
			Contains: []string{`"status":401`, `"title":"Unauthorized"`, "Bearer psk_"}},
		{Name: "a session cookie is not a token", Path: "/api/v1/tokens", Status: http.StatusUnauthorized},
		{Name: "unknown token", Path: "/api/v1/me", Request: bearer("Bearer psk_" + strings.Repeat("a", 52)), Status: http.StatusUnauthorized,
			Header: map[string]string{"WWW-Authenticate": `Bearer realm="proofsheet", error="invalid_token"`}, Contains: []string{"not valid"}},
		{Name: "another scheme", Path: "/api/v1/me", Request: bearer("Basic " + read), Status: http.StatusUnauthorized},
		{Name: "scheme without token", Path: "/api/v1/me", Request: bearer("Bearer "), Status: http.StatusUnauthorized},
		{Name: "the scheme is case-insensitive", Path: "/api/v1/me", Request: bearer("bearer " + read), Status: http.StatusOK},
		{Name: "unknown route", Path: "/api/v1/nothing/here", Status: http.StatusNotFound,
			Header: map[string]string{"Content-Type": problemJSON}, Contains: []string{`"status":404`}},
		{Name: "the document needs no token", Path: "/api/v1/openapi.json", Status: http.StatusOK, Contains: []string{`"openapi": "3.1.0"`}},
	})
	apiClient(ta, doc, read).Run(t, []apptest.Scenario{
		{Name: "me", Path: "/api/v1/me", Status: http.StatusOK,
			Contains:    []string{`"email":"priya@example.com"`, `"role":"owner"`, `"name":"Sharma Studio"`, `"scope":"read"`, `"name":"Reader"`},
			NotContains: []string{"token_hash", read}},
		{Name: "read token may list", Path: "/api/v1/tokens", Status: http.StatusOK, Contains: []string{`"name":"Reader"`}},
		{Name: "read token may not create", Path: "/api/v1/tokens", JSON: map[string]string{"name": "x", "scope": "read"},
			Status: http.StatusForbidden, Contains: []string{"can only read"},
			Header: map[string]string{"WWW-Authenticate": `Bearer realm="proofsheet", error="insufficient_scope", scope="write"`}},
		{Name: "read token may not revoke", Method: http.MethodDelete, Path: "/api/v1/tokens/" + tokenByPlain(t, ta, read).ID.String(),
			Status: http.StatusForbidden},
		{Name: "unknown route, known token", Method: http.MethodPut, Path: "/api/v1/me", Status: http.StatusNotFound},
	})
	if n := staffCount(t, ta, "SELECT count(*) FROM api_tokens WHERE revoked_at IS NULL"); n != 1 {
		t.Fatalf("%d live tokens after the read token's attempts, want 1", n)
	}
	if tokenByPlain(t, ta, read).LastUsed == nil {
		t.Fatal("last_used_at not set by API use")
	}
}

func TestAPITokens(t *testing.T) {
	ta := apptest.New(t)
	doc := ta.OpenAPI()
	o := ta.SignUp("Sharma Studio", "priya@example.com")
	write := createToken(t, o.Client, "Deploy script", "write")
	c := apiClient(ta, doc, write)
	res := c.JSON(http.MethodPost, "/api/v1/tokens", map[string]string{"name": "Phone app", "scope": "read"})
	var made struct{ ID, Name, Scope, Prefix, Token string }
	res.JSON(t, &made)
	if res.StatusCode != http.StatusCreated || made.Name != "Phone app" || made.Scope != "read" || !strings.HasPrefix(made.Token, made.Prefix) {
		t.Fatalf("create: %d %s", res.StatusCode, res.Body)
	}
	if got := tokenByPlain(t, ta, made.Token); got.ID.String() != made.ID {
		t.Fatalf("stored under another hash: %+v", got)
	}
	if n := staffCount(t, ta, "SELECT count(*) FROM api_tokens t WHERE strpos(t::text, $1) > 0", made.Token[4:]); n != 0 {
		t.Fatal("the secret is stored")
	}
	// Made through a token: the audit log names the user and the token.
	writer := tokenByPlain(t, ta, write)
	if n := staffCount(t, ta, `SELECT count(*) FROM audit_log WHERE kind = 'token.created' AND actor = 'token'
		AND detail->>'token_id' = $1 AND detail->>'api_token_id' = $2`, writer.ID.String(), made.ID); n != 1 {
		t.Fatalf("%d token.created entries by the write token, want 1", n)
	}
	apiClient(ta, doc, made.Token).Run(t, []apptest.Scenario{
		{Name: "the new token works", Path: "/api/v1/me", Status: http.StatusOK, Contains: []string{`"name":"Phone app"`}},
	})
	c.Run(t, []apptest.Scenario{
		{Name: "list", Path: "/api/v1/tokens", Status: http.StatusOK, Contains: []string{`"Phone app"`, `"Deploy script"`}, NotContains: []string{made.Token}},
		{Name: "revoke", Method: http.MethodDelete, Path: "/api/v1/tokens/" + made.ID, Status: http.StatusNoContent},
		{Name: "revoke twice", Method: http.MethodDelete, Path: "/api/v1/tokens/" + made.ID, Status: http.StatusNotFound,
			Header: map[string]string{"Content-Type": problemJSON}},
		{Name: "not an id", Method: http.MethodDelete, Path: "/api/v1/tokens/nope", Status: http.StatusNotFound},
		{Name: "gone from the list", Path: "/api/v1/tokens", Status: http.StatusOK, NotContains: []string{`"Phone app"`}},
	})
	apiClient(ta, doc, made.Token).Run(t, []apptest.Scenario{
		{Name: "the revoked token is refused", Path: "/api/v1/me", Status: http.StatusUnauthorized},
	})
	if n := staffCount(t, ta, `SELECT count(*) FROM audit_log WHERE kind = 'token.revoked' AND actor = 'token' AND detail->>'api_token_id' = $1`, made.ID); n != 1 {
		t.Fatalf("%d token.revoked entries, want 1", n)
	}

	// Another studio's token is not found, and stays live.
	other := ta.SignUp("Other Studio", "other@example.com")
	theirs := tokenByPlain(t, ta, createToken(t, other.Client, "Theirs", "write"))
	c.Run(t, []apptest.Scenario{
		{Name: "another studio's token", Method: http.MethodDelete, Path: "/api/v1/tokens/" + theirs.ID.String(), Status: http.StatusNotFound},
		{Name: "is not listed", Path: "/api/v1/tokens", Status: http.StatusOK, NotContains: []string{"Theirs"}},
	})
	if n := staffCount(t, ta, "SELECT count(*) FROM api_tokens WHERE id = $1 AND revoked_at IS NULL", theirs.ID); n != 1 {
		t.Fatal("another studio's token was revoked")
	}
}

// Bad bodies get a clear problem and change nothing.
func TestAPIRefusesBadBodies(t *testing.T) {
	ta := apptest.New(t)
	doc := ta.OpenAPI()
	o := ta.SignUp("Sharma Studio", "priya@example.com")
	c := apiClient(ta, doc, createToken(t, o.Client, "Writer", "write"))
	ct := func(v string) map[string]string { return map[string]string{"Content-Type": v} }
	post := func(name string, body any, status int, contains ...string) apptest.Scenario {
		return apptest.Scenario{Name: name, Method: http.MethodPost, Path: "/api/v1/tokens", JSON: body, Status: status,
			Contains: contains, Header: map[string]string{"Content-Type": problemJSON}}
	}
	scenarios := []apptest.Scenario{
		post("malformed JSON", `{"name": "x", "scope":`, http.StatusBadRequest, "not valid JSON"),
		post("syntax error", `{"name" "x"}`, http.StatusBadRequest, "not valid JSON (at byte"),
		post("unknown field", `{"name": "x", "scope": "read", "admin": true}`, http.StatusBadRequest, `Unknown field \"admin\"`),
		post("wrong type", `{"name": 7, "scope": "read"}`, http.StatusBadRequest, `Field \"name\" must be a JSON string`),
		post("not an object", `["x"]`, http.StatusBadRequest, "must be a JSON object"),
		post("two values", `{"name": "x", "scope": "read"} {}`, http.StatusBadRequest, "more after its JSON value"),
		post("no body", nil, http.StatusBadRequest, "Send a JSON object"),
		post("empty name", map[string]string{"name": " ", "scope": "read"}, http.StatusUnprocessableEntity, `"errors":{"name":`),
		post("bad scope", map[string]string{"name": "x", "scope": "admin"}, http.StatusUnprocessableEntity, `"errors":{"scope":"Choose read or write access."}`),
	}
	for _, s := range []struct{ name, ctype string }{{"text", "text/plain"}, {"form", "application/x-www-form-urlencoded"}, {"none", ""}} {
		sc := post("Content-Type "+s.name, `{"name": "x", "scope": "read"}`, http.StatusUnsupportedMediaType, "Content-Type: application/json")
		sc.Request = ct(s.ctype)
		scenarios = append(scenarios, sc)
	}
	gz := post("compressed", `{"name": "x", "scope": "read"}`, http.StatusUnsupportedMediaType, "uncompressed")
	gz.Request = map[string]string{"Content-Encoding": "gzip"}
	ok := post("charset and +json are JSON", `{"name": "x", "scope": "read"}`, http.StatusCreated, `"token":"psk_`)
	ok.Request, ok.Header = ct("application/merge-patch+json; charset=utf-8"), nil
	c.Run(t, append(scenarios, gz, ok))
	if n := staffCount(t, ta, "SELECT count(*) FROM api_tokens"); n != 2 {
		t.Fatalf("%d tokens, want the writer and the last one", n)
	}
}

// Fiber refuses a body over the limit before routing, and app.Test
// cannot see that answer, so this one goes over a real connection.
func TestAPIBodyTooLarge(t *testing.T) {
	ta := apptest.New(t)
	doc := ta.OpenAPI()
	o := ta.SignUp("Sharma Studio", "priya@example.com")
	token := createToken(t, o.Client, "Writer", "write")
	res := oversizedPost(t, ta.Listen(), "/api/v1/tokens", ta.Config.BodyLimit+10, "Content-Type: application/json", "Authorization: Bearer "+token)
	defer res.Body.Close()
	got, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(got), "The request body is too large.") {
		t.Fatalf("%d %s", res.StatusCode, got)
	}
	if err := doc.Check(http.MethodPost, "/api/v1/tokens", res, got); err != nil {
		t.Fatal(err)
	}
	if n := staffCount(t, ta, "SELECT count(*) FROM api_tokens"); n != 1 {
		t.Fatalf("%d tokens, want only the writer", n)
	}
}

func TestAPIAudit(t *testing.T) {
	var logs syncBuffer
	ta := apptest.NewWithLog(t, &logs)
	doc := ta.OpenAPI()
	o := ta.SignUp("Sharma Studio", "priya@example.com")
	staff := staffJoin(t, ta, staffInvite(t, ta, o, "ravi@example.com", "staff"), "Ravi Kumar")
	c := apiClient(ta, doc, createToken(t, o.Client, "Auditor", "read"))
	c.Run(t, []apptest.Scenario{
		{Name: "newest first", Path: "/api/v1/audit", Status: http.StatusOK,
			Contains: []string{`"kind":"token.created"`, `"kind":"staff.joined"`, `"kind":"studio.created"`, `"next":null`}},
		{Name: "by kind", Path: "/api/v1/audit?kind=staff.", Status: http.StatusOK,
			Contains: []string{`"kind":"staff.invited"`, `"kind":"staff.joined"`}, NotContains: []string{`"kind":"token.created"`}},
		{Name: "bad limit", Path: "/api/v1/audit?limit=0", Status: http.StatusBadRequest, Contains: []string{"limit must be"}},
		{Name: "limit too high", Path: "/api/v1/audit?limit=101", Status: http.StatusBadRequest},
		{Name: "bad before", Path: "/api/v1/audit?before=x", Status: http.StatusBadRequest},
		{Name: "bad actor", Path: "/api/v1/audit?actor=me", Status: http.StatusBadRequest},
		{Name: "bad kind", Path: "/api/v1/audit?kind=DROP%20TABLE", Status: http.StatusBadRequest},
	})

	// Paging: one entry a page, following next, visits every entry once.
	var seqs []int64
	next := "/api/v1/audit?limit=1"
	for next != "" && len(seqs) < 50 {
		var page struct {
			Entries []struct{ Seq int64 }
			Next    *string
		}
		c.Get(next).JSON(t, &page)
		for _, e := range page.Entries {
			seqs = append(seqs, e.Seq)
		}
		next = ""
		if page.Next != nil {
			next = *page.Next
		}
	}
	total := staffCount(t, ta, "SELECT count(*) FROM audit_log WHERE studio_id = (SELECT studio_id FROM users WHERE email = $1)", o.Email)
	if len(seqs) != total || !sort.SliceIsSorted(seqs, func(i, j int) bool { return seqs[i] > seqs[j] }) {
		t.Fatalf("paged through seqs %v, want %d entries newest first", seqs, total)
	}

	// The log line of an API request names the token's studio.
	id := c.Get("/api/v1/me").Header.Get("X-Request-Id")
	var studio string
	if err := ta.Superuser().QueryRow(t.Context(), "SELECT studio_id::text FROM users WHERE email = $1", o.Email).Scan(&studio); err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(logs.lines(), func(l map[string]any) bool {
		return l["msg"] == "request" && l["request_id"] == id && l["studio_id"] == studio && l["route"] == "/api/v1/me"
	}) {
		t.Fatal("no request log line with the studio and route")
	}

	apiClient(ta, doc, createToken(t, staff, "Staff reader", "read")).Run(t, []apptest.Scenario{
		{Name: "staff may not read the log", Path: "/api/v1/audit", Status: http.StatusForbidden, Contains: []string{"Only studio owners"}},
	})
}

// Every API route is documented, and every documented operation exists.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	ta := apptest.New(t)
	doc := ta.OpenAPI()
	if err := doc.Lint(); err != nil {
		t.Fatal(err)
	}
	// Fiber adds a HEAD to every GET; a HEAD of its own (tus) is an operation.
	all := ta.Fiber.GetRoutes(true)
	gets := map[string]bool{}
	for _, r := range all {
		gets[r.Path] = gets[r.Path] || r.Method == http.MethodGet
	}
	var routes []string
	for _, r := range all {
		if strings.HasPrefix(r.Path, "/api/v1/") && (r.Method != http.MethodHead || !gets[r.Path]) {
			routes = append(routes, r.Method+" "+fiberToOpenAPI(r.Path))
		}
	}
	sort.Strings(routes)
	routes = slices.Compact(routes)
	if got := doc.Operations(); !slices.Equal(routes, got) {
		t.Fatalf("routes and document differ:\nroutes:   %v\ndocument: %v", routes, got)
	}
}

// fiberToOpenAPI turns /tokens/:id into /tokens/{id}.
func fiberToOpenAPI(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, ":") {
			segs[i] = "{" + strings.TrimSuffix(strings.TrimPrefix(s, ":"), "?") + "}"
		}
	}
	return strings.Join(segs, "/")
}

// The response checker finds what it is for: otherwise every API test
// above would pass vacuously.
func TestOpenAPICheckerCatchesMismatches(t *testing.T) {
	ta := apptest.New(t)
	doc := ta.OpenAPI()
	check := func(method, path string, status int, ctype, body string) error {
		res := &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {ctype}}, Body: io.NopCloser(strings.NewReader(body))}
		return doc.Check(method, path, res, []byte(body))
	}
	token := `{"id":"0190a0b0-0000-7000-8000-000000000001","user_id":"0190a0b0-0000-7000-8000-000000000002","name":"x","scope":"read",` +
		`"prefix":"psk_abcd","created_at":"2026-01-02T03:04:05Z","last_used_at":null}`
	if err := check("GET", "/api/v1/tokens", 200, "application/json", `{"tokens":[`+token+`]}`); err != nil {
		t.Fatalf("a valid response: %v", err)
	}
	for name, err := range map[string]error{
		"extra field":         check("GET", "/api/v1/tokens", 200, "application/json", `{"tokens":[`+strings.Replace(token, `"name"`, `"token_hash":"x","name"`, 1)+`]}`),
		"bad scope":           check("GET", "/api/v1/tokens", 200, "application/json", `{"tokens":[`+strings.Replace(token, `"read"`, `"admin"`, 1)+`]}`),
		"bad uuid":            check("GET", "/api/v1/tokens", 200, "application/json", `{"tokens":[`+strings.Replace(token, "0190a0b0-0000-7000-8000-000000000001", "x", 1)+`]}`),
		"undocumented status": check("GET", "/api/v1/tokens", 418, problemJSON, `{"type":"about:blank","title":"x","status":418}`),
		"wrong media type":    check("GET", "/api/v1/me", 401, "application/json", `{"type":"about:blank","title":"x","status":401}`),
		"not a problem":       check("GET", "/api/v1/nope", 404, problemJSON, `{"error":"not found"}`),
		"body on a 204":       check("DELETE", "/api/v1/tokens/0190a0b0-0000-7000-8000-000000000001", 204, "application/json", `{}`),
	} {
		if err == nil {
			t.Errorf("%s: passed", name)
		}
	}
	if err := check("GET", "/api/v1/me", 401, problemJSON, `{"type":"about:blank","title":"Unauthorized","status":401}`); err == nil ||
		!strings.Contains(err.Error(), "WWW-Authenticate") {
		t.Errorf("a 401 without WWW-Authenticate: %v", err)
	}
	if err := check("GET", "/studio", 200, "text/html", "<html>"); err != nil {
		t.Errorf("pages are not the document's business: %v", err)
	}
}
