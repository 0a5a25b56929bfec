package apptest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// OpenAPI is an OpenAPI 3.1 document that can check responses against
// itself: the operation and its status must be documented, the media type
// must be one the status lists, and the body must validate against its
// schema (JSON Schema 2020-12, formats asserted).
type OpenAPI struct {
	Base string // the server URL, which prefixes every path: "/api/v1"
	doc  map[string]any
	ops  []openAPIOperation

	mu       sync.Mutex
	compiler *jsonschema.Compiler
	schemas  map[string]*jsonschema.Schema // by JSON pointer
}

type openAPIOperation struct {
	method, path string // "GET", "/tokens/{id}"
	pointer      string // of the operation object
}

// The document's URL inside the schema compiler; it is never fetched.
const openAPIResource = "https://proofsheet.invalid/openapi.json"

// ParseOpenAPI reads a document.
func ParseOpenAPI(raw []byte) (*OpenAPI, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	root, _ := doc.(map[string]any)
	if v, _ := root["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		return nil, fmt.Errorf("openapi: version %q, want 3.1.x", v)
	}
	o := &OpenAPI{doc: root, schemas: map[string]*jsonschema.Schema{}}
	if servers, _ := root["servers"].([]any); len(servers) > 0 {
		o.Base, _ = servers[0].(map[string]any)["url"].(string)
	}
	paths, _ := root["paths"].(map[string]any)
	for p, item := range paths {
		for m := range item.(map[string]any) {
			switch m {
			case "get", "put", "post", "delete", "options", "head", "patch", "trace":
				o.ops = append(o.ops, openAPIOperation{method: strings.ToUpper(m), path: p,
					pointer: pointer("paths", p, m)})
			}
		}
	}
	o.compiler = jsonschema.NewCompiler()
	o.compiler.DefaultDraft(jsonschema.Draft2020)
	o.compiler.AssertFormat()
	if err := o.compiler.AddResource(openAPIResource, doc); err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	return o, nil
}

// Operations lists the documented operations as "GET /api/v1/tokens/{id}".
func (o *OpenAPI) Operations() []string {
	out := make([]string, 0, len(o.ops))
	for _, op := range o.ops {
		out = append(out, op.method+" "+o.Base+op.path)
	}
	sort.Strings(out)
	return out
}

// Lint finds mistakes a response may never reveal: a $ref to nothing, a
// schema that does not compile, an operation without a unique operationId.
func (o *OpenAPI) Lint() error {
	var errs []error
	var walk func(ptr string, v any)
	walk = func(ptr string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok && (!strings.HasPrefix(ref, "#/") || o.lookup(ref[1:]) == nil) {
				errs = append(errs, fmt.Errorf("%s: $ref %q resolves to nothing", ptr, ref))
			}
			for k, x := range v {
				walk(ptr+pointer(k), x)
			}
		case []any:
			for i, x := range v {
				walk(ptr+pointer(strconv.Itoa(i)), x)
			}
		}
	}
	walk("", o.doc)
	ids := map[string]string{}
	for _, op := range o.ops {
		id, _ := o.lookup(op.pointer + "/operationId").(string)
		if prev, dup := ids[id]; id == "" || dup {
			errs = append(errs, fmt.Errorf("%s %s: operationId %q missing or also used by %s", op.method, op.path, id, prev))
		}
		ids[id] = op.method + " " + op.path
	}
	schemas, _ := o.lookup("/components/schemas").(map[string]any)
	for name := range schemas {
		if _, err := o.schema(pointer("components", "schemas", name)); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Check checks one response to method and path (without query). Paths
// outside Base are not the document's business. A path no operation
// matches must be answered by a problem document with 404 or 405.
func (o *OpenAPI) Check(method, path string, res *http.Response, body []byte) error {
	if path != o.Base && !strings.HasPrefix(path, o.Base+"/") {
		return nil
	}
	op, ok := o.operation(method, strings.TrimPrefix(path, o.Base))
	if !ok {
		if res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusMethodNotAllowed {
			return fmt.Errorf("undocumented operation answered %d", res.StatusCode)
		}
		return o.checkBody("/components/schemas/Problem", "application/problem+json", res, body)
	}
	ptr, r, err := o.response(op, res.StatusCode)
	if err != nil {
		return err
	}
	headers, _ := r["headers"].(map[string]any)
	for name, h := range headers {
		if req, _ := h.(map[string]any)["required"].(bool); req && res.Header.Get(name) == "" {
			return fmt.Errorf("%d lacks the required header %s", res.StatusCode, name)
		}
	}
	content, _ := r["content"].(map[string]any)
	if len(content) == 0 {
		if len(body) > 0 {
			return fmt.Errorf("%d is documented without a body, got %.200q", res.StatusCode, body)
		}
		return nil
	}
	mt, _, _ := mime.ParseMediaType(res.Header.Get("Content-Type"))
	key, ok := mediaRange(content, mt)
	if !ok {
		return fmt.Errorf("%d has Content-Type %q; documented: %v", res.StatusCode, mt, keys(content))
	}
	if !isJSON(mt) {
		return nil // files and exports: the media type is the contract
	}
	return o.checkBody(ptr+pointer("content", key, "schema"), mt, res, body)
}

// mediaRange finds the documented media type that covers mt: itself, then
// "type/*", then "*/*" (OpenAPI's media type ranges).
func mediaRange(content map[string]any, mt string) (string, bool) {
	if mt == "" {
		return "", false
	}
	major, _, _ := strings.Cut(mt, "/")
	for _, k := range []string{mt, major + "/*", "*/*"} {
		if _, ok := content[k]; ok {
			return k, true
		}
	}
	return "", false
}

func isJSON(mt string) bool { return mt == "application/json" || strings.HasSuffix(mt, "+json") }

// operation finds the operation whose path template matches path.
func (o *OpenAPI) operation(method, path string) (openAPIOperation, bool) {
	segs := strings.Split(path, "/")
	for _, op := range o.ops {
		tmpl := strings.Split(op.path, "/")
		if op.method != method || len(tmpl) != len(segs) {
			continue
		}
		match := true
		for i, t := range tmpl {
			param := strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}")
			if (param && segs[i] == "") || (!param && t != segs[i]) {
				match = false
				break
			}
		}
		if match {
			return op, true
		}
	}
	return openAPIOperation{}, false
}

// response finds the documented response of status (exact, then 4XX or
// 5XX, then default) and follows its $ref.
func (o *OpenAPI) response(op openAPIOperation, status int) (string, map[string]any, error) {
	code := strconv.Itoa(status)
	for _, key := range []string{code, code[:1] + "XX", "default"} {
		ptr := op.pointer + pointer("responses", key)
		r, ok := o.lookup(ptr).(map[string]any)
		if !ok {
			continue
		}
		if ref, ok := r["$ref"].(string); ok {
			ptr = strings.TrimPrefix(ref, "#")
			if r, ok = o.lookup(ptr).(map[string]any); !ok {
				return "", nil, fmt.Errorf("dangling $ref %s", ref)
			}
		}
		return ptr, r, nil
	}
	return "", nil, fmt.Errorf("status %d is not documented", status)
}

// checkBody validates body as JSON against the schema at ptr.
func (o *OpenAPI) checkBody(ptr, mediaType string, res *http.Response, body []byte) error {
	if mt, _, _ := mime.ParseMediaType(res.Header.Get("Content-Type")); mt != mediaType {
		return fmt.Errorf("%d has Content-Type %q, want %s", res.StatusCode, mt, mediaType)
	}
	sch, err := o.schema(ptr)
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%d body is not JSON: %v: %.200q", res.StatusCode, err, body)
	}
	if err := sch.Validate(v); err != nil {
		return fmt.Errorf("%d body does not match %s: %v\nbody: %.600s", res.StatusCode, ptr, err, body)
	}
	return nil
}

func (o *OpenAPI) schema(ptr string) (*jsonschema.Schema, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if s, ok := o.schemas[ptr]; ok {
		return s, nil
	}
	frag := strings.Split(ptr, "/")
	for i := range frag {
		frag[i] = url.PathEscape(frag[i])
	}
	s, err := o.compiler.Compile(openAPIResource + "#" + strings.Join(frag, "/"))
	if err != nil {
		return nil, fmt.Errorf("openapi: schema %s: %w", ptr, err)
	}
	o.schemas[ptr] = s
	return s, nil
}

// lookup resolves a JSON pointer in the document.
func (o *OpenAPI) lookup(ptr string) any {
	var v any = o.doc
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		if v, ok = m[tok]; !ok {
			return nil
		}
	}
	return v
}

// pointer joins tokens into a JSON pointer, escaping "~" and "/".
func pointer(tokens ...string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteString("/" + strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1"))
	}
	return b.String()
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// OpenAPI fetches and parses the document the app serves.
func (ta *TestApp) OpenAPI() *OpenAPI {
	ta.t.Helper()
	res := ta.Client().Get("/api/v1/openapi.json")
	if res.StatusCode != http.StatusOK {
		ta.t.Fatalf("GET /api/v1/openapi.json: %d", res.StatusCode)
	}
	if !json.Valid([]byte(res.Body)) {
		ta.t.Fatal("the OpenAPI document is not JSON")
	}
	o, err := ParseOpenAPI([]byte(res.Body))
	if err != nil {
		ta.t.Fatal(err)
	}
	return o
}

// CheckOpenAPI makes c check every response under the API's base path
// against doc (ta.OpenAPI() when nil), failing the test on a mismatch.
// It returns c.
func (c *Client) CheckOpenAPI(doc *OpenAPI) *Client {
	if doc == nil {
		doc = c.ta.OpenAPI()
	}
	c.check = func(req *http.Request, res *Response) {
		c.ta.t.Helper()
		if err := doc.Check(req.Method, req.URL.Path, res.Response, []byte(res.Body)); err != nil {
			c.ta.t.Errorf("OpenAPI: %s %s: %v", req.Method, req.URL.Path, err)
		}
	}
	return c
}
