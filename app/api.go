package app

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/proofsheet/proofsheet/app/auth"
)

// openAPIDocument describes every route below; a test keeps the two equal
// and checks real responses against it.
//
//go:embed openapi.json
var openAPIDocument []byte

// apiRoutes is the JSON API under /api/v1, every route in one table. Each
// route but the document itself lists its middleware (as in routes):
// middleware on the group would also answer unknown paths with a 401
// instead of the 404 they are.
func (a *App) apiRoutes(r fiber.Router) {
	api := func(h ...fiber.Handler) []fiber.Handler {
		return append([]fiber.Handler{a.bearer, requireJSON}, h...)
	}
	r.Get("/openapi.json", serveOpenAPI)
	r.Get("/me", api(a.apiMe)...)
	r.Get("/tokens", api(a.apiTokens)...)
	r.Post("/tokens", api(a.apiCreateToken)...)
	r.Delete("/tokens/:id", api(a.apiRevokeToken)...)
	r.Get("/audit", api(apiOwner, a.apiAudit)...)
	a.apiGalleryRoutes(r, api) // api_gallery.go
	a.apiFaceRoutes(r, api)    // api_faces.go: the studio's face search
	a.apiBillingRoutes(r, api) // api_billing.go: plan, checkout, invoices
	a.apiGuestRoutes(r)        // api_guest.go: share links, with guest sessions, not tokens
	a.apiFaceInviteRoutes(r)   // api_face_invites.go: face search invites, with registrations
}

func serveOpenAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return c.Send(openAPIDocument)
}

// caller is who an API request acts as: a token and its user.
type caller struct {
	Token *auth.APIToken
	User  *auth.User
}

func apiCaller(c *fiber.Ctx) *caller {
	cl, _ := c.Locals(localToken).(*caller)
	return cl
}

// apiActor describes an API request for the audit log: the user, through
// which token, from where.
func apiActor(c *fiber.Ctx) auth.Actor {
	cl := apiCaller(c)
	return auth.Actor{UserID: cl.User.ID, TokenID: cl.Token.ID, IP: c.IP(), UserAgent: c.Get(fiber.HeaderUserAgent)}
}

const bearerRealm = `Bearer realm="proofsheet"`

// bearer authenticates "Authorization: Bearer psk_…" (RFC 6750) and puts
// the studio on the request, as loadSession does for the log line. Only
// tokens count here: a session cookie would make the API a CSRF target.
// Every method but GET, HEAD and OPTIONS needs a write token, so a new
// write route cannot forget the check.
func (a *App) bearer(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store") // answers are private
	plain, ok := bearerToken(c.Get(fiber.HeaderAuthorization))
	if !ok {
		c.Set(fiber.HeaderWWWAuthenticate, bearerRealm)
		return problem(fiber.StatusUnauthorized, "Send an API token in the Authorization header: Bearer psk_…")
	}
	t, u, err := a.Accounts.AuthenticateToken(ctx(c), plain)
	if errors.Is(err, auth.ErrNotFound) {
		c.Set(fiber.HeaderWWWAuthenticate, bearerRealm+`, error="invalid_token"`)
		return problem(fiber.StatusUnauthorized, "This API token is not valid: it is mistyped, revoked, or its member was removed.")
	}
	if err != nil {
		return err
	}
	c.Locals(localToken, &caller{Token: t, User: u})
	c.Locals(localStudio, t.StudioID)
	if !readOnly(c.Method()) && t.Scope != auth.ScopeWrite {
		c.Set(fiber.HeaderWWWAuthenticate, bearerRealm+`, error="insufficient_scope", scope="write"`)
		return problem(fiber.StatusForbidden, "This token can only read. Create a token with read and write access for this.")
	}
	return c.Next()
}

// bearerToken takes the token out of an Authorization header; the scheme
// is case-insensitive (RFC 9110).
func bearerToken(h string) (string, bool) {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(h), " ")
	tok = strings.TrimSpace(tok)
	return tok, ok && strings.EqualFold(scheme, "Bearer") && tok != ""
}

func readOnly(method string) bool {
	return method == fiber.MethodGet || method == fiber.MethodHead || method == fiber.MethodOptions
}

// requireJSON refuses a request body that is not JSON (415), whatever the
// route, so no handler ever parses a form or multipart body by accident.
// Compressed bodies are refused too: inflating one would get round the
// body limit. Handlers read the raw body (apiBody), never c.Body(), which
// would inflate it.
func requireJSON(c *fiber.Ctx) error {
	if len(apiBody(c)) == 0 {
		return c.Next()
	}
	if enc := c.Get(fiber.HeaderContentEncoding); enc != "" && !strings.EqualFold(enc, "identity") {
		return problem(fiber.StatusUnsupportedMediaType, "Send the request body uncompressed.")
	}
	mt, _, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if err != nil || (mt != fiber.MIMEApplicationJSON && !strings.HasSuffix(mt, "+json")) {
		return problem(fiber.StatusUnsupportedMediaType, "Send the request body as JSON with Content-Type: application/json.")
	}
	return c.Next()
}

// apiBody is the request body as sent.
func apiBody(c *fiber.Ctx) []byte { return c.Request().Body() }

// apiOwner limits an API route to studio owners.
func apiOwner(c *fiber.Ctx) error {
	if apiCaller(c).User.Role != auth.RoleOwner {
		return problem(fiber.StatusForbidden, "Only studio owners can do that.")
	}
	return c.Next()
}

// decodeJSON reads the body into v: one JSON value, no unknown fields (a
// misspelt field is an error, not silently ignored). Problems are 400s
// that say what is wrong and where.
func decodeJSON(c *fiber.Ctx, v any) error {
	body := bytes.TrimSpace(apiBody(c))
	if len(body) == 0 {
		return problem(fiber.StatusBadRequest, "Send a JSON object in the request body.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badJSON(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return problem(fiber.StatusBadRequest, "The request body has more after its JSON value.")
	}
	return nil
}

func badJSON(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var p *Problem
	switch {
	case errors.As(err, &syn):
		p = problem(fiber.StatusBadRequest, fmt.Sprintf("The request body is not valid JSON (at byte %d).", syn.Offset))
	case errors.As(err, &typ) && typ.Field != "":
		p = problem(fiber.StatusBadRequest, fmt.Sprintf("Field %q must be a JSON %s.", typ.Field, jsonKind(typ.Type.Kind().String())))
	case errors.As(err, &typ):
		p = problem(fiber.StatusBadRequest, "The request body must be a JSON object.")
	case errors.Is(err, io.ErrUnexpectedEOF):
		p = problem(fiber.StatusBadRequest, "The request body is not valid JSON: it ends too early.")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		p = problem(fiber.StatusBadRequest, "Unknown field "+strings.TrimPrefix(err.Error(), "json: unknown field ")+".")
	default:
		p = problem(fiber.StatusBadRequest, "The request body is not valid JSON.")
	}
	p.err = err
	return p
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "array"
	case "map", "struct":
		return "object"
	}
	return "number"
}
