package app_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/proofsheet/proofsheet/app"
	"github.com/proofsheet/proofsheet/app/apptest"
	"github.com/proofsheet/proofsheet/faces"
)

func fiPath(token string, parts ...string) string {
	return "/api/v1/face-invites/" + token + strings.Join(parts, "")
}

// apiSelfie posts a selfie to the API as a body of ctype, with the
// registration's token.
func apiSelfie(t *testing.T, c *apptest.Client, token, ctype string, body []byte, header map[string]string) *apptest.Response {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, fiPath(token, "/search"), bytes.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return c.Do(req)
}

// multipartSelfie is a form with the picture in the part named field.
func multipartSelfie(t *testing.T, field string, picture []byte) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("note", "from the app")
	part, err := w.CreateFormFile(field, "selfie.jpg")
	if err != nil {
		t.Fatal(err)
	}
	part.Write(picture)
	w.Close()
	return w.FormDataContentType(), buf.Bytes()
}

// The API for native apps does what the pages do, and every answer
// matches the OpenAPI document: the invite with its consent text, a
// registration with consent, selfies as a picture body or a multipart
// form, the same refusals, exactly the guest's photos and only their
// files, the limit, and deletion, which outlives the invite.
func TestAPIFaceInvites(t *testing.T) {
	ta := faceApp(t, func(c *app.Config) { c.FaceSearchLimit = 6 })
	w := newFaceWorld(t, ta)
	w.index(t)
	inv, token := w.newInvite(t, faces.InviteInput{Label: "App"})
	doc := ta.OpenAPI()
	anon := ta.Client().CheckOpenAPI(doc)
	anon.Run(t, []apptest.Scenario{
		{Name: "the invite", Path: fiPath(token), Status: http.StatusOK,
			Contains: []string{`"event":"Sharma wedding guests"`, `"studio_name":"Lumen Studio"`, `"registration_open":true`,
				`"photos":8`, `"version":"` + faces.ConsentVersion + `"`, "512 numbers", `"registration":null`}},
		{Name: "no such invite", Path: fiPath(strings.Repeat("a", 32)), Status: http.StatusNotFound},
		{Name: "no consent", Path: fiPath(token, "/registrations"), JSON: map[string]any{"name": "Asha", "email": "asha@example.com"},
			Status: http.StatusUnprocessableEntity, Contains: []string{`"consent":"Tick the box`}},
		{Name: "an unknown field", Path: fiPath(token, "/registrations"), JSON: map[string]any{"name": "Asha", "email": "asha@example.com", "consent": true, "age": 30},
			Status: http.StatusBadRequest},
		{Name: "no token", Path: fiPath(token, "/registration"), Status: http.StatusUnauthorized,
			Header: map[string]string{"WWW-Authenticate": `Bearer realm="proofsheet-face"`}},
		{Name: "a made-up token", Path: fiPath(token, "/photos"), Request: map[string]string{"Authorization": "Bearer " + strings.Repeat("b", 32)},
			Status: http.StatusUnauthorized, Header: map[string]string{"WWW-Authenticate": `Bearer realm="proofsheet-face", error="invalid_token"`}},
	})
	res := anon.JSON(http.MethodPost, fiPath(token, "/registrations"), map[string]any{"name": "Asha", "email": "Asha@Example.com",
		"consent": true, "consent_version": faces.ConsentVersion})
	var reg struct {
		Token        string
		Registration struct{ Email string }
	}
	res.JSON(t, &reg)
	if res.StatusCode != http.StatusCreated || len(reg.Token) != 32 || reg.Registration.Email != "asha@example.com" {
		t.Fatalf("register: %d %s", res.StatusCode, res.Body)
	}
	c := ta.Client().CheckOpenAPI(doc)
	c.Bearer = reg.Token
	c.Run(t, []apptest.Scenario{
		{Name: "the invite knows the caller", Path: fiPath(token), Status: http.StatusOK, Contains: []string{`"bound":false`, `"name":"Asha"`}},
		{Name: "no photos before a selfie", Path: fiPath(token, "/photos"), Status: http.StatusConflict},
		{Name: "no files before a selfie", Path: fiPath(token, "/photos/", w.photoOf(t, ashaPhotos[0]).String(), "/thumb"), Status: http.StatusNotFound},
	})

	asha, ben := w.photoOf(t, ashaPhotos[0]).String(), w.photoOf(t, benPhotos[0]).String()
	mpType, mpBody := multipartSelfie(t, "selfie", readFace(t, "img2.jpg"))
	noPartType, noPartBody := multipartSelfie(t, "photo", readFace(t, "img2.jpg"))
	for _, s := range []struct {
		name, ctype string
		body        []byte
		header      map[string]string
		status      int
		want        string
	}{
		{"not a picture", "text/plain", []byte("hello"), nil, http.StatusUnsupportedMediaType, "image/jpeg"},
		{"compressed", "image/jpeg", readFace(t, ashaSelfie), map[string]string{"Content-Encoding": "gzip"}, http.StatusUnsupportedMediaType, "uncompressed"},
		{"too large", "image/jpeg", make([]byte, 13<<20), nil, http.StatusRequestEntityTooLarge, "too large"},
		{"no part selfie", noPartType, noPartBody, nil, http.StatusUnprocessableEntity, `"selfie"`},
		{"no face", "image/jpeg", blankJPEG(t), nil, http.StatusUnprocessableEntity, "could not find a face"},
		{"two faces", "image/jpeg", readFace(t, "couple.jpg"), nil, http.StatusUnprocessableEntity, "more than one face"},
		{"corrupt", "image/webp", []byte("RIFF\x00\x00\x00\x00WEBPVP8 nonsense"), nil, http.StatusUnprocessableEntity, "could not be read"},
		{"the first selfie binds", "image/jpeg", readFace(t, ashaSelfie), nil, http.StatusOK, `"bound":true`},
		{"someone else", "image/jpeg", readFace(t, benSelfie), nil, http.StatusForbidden, "not of the person"},
		{"multipart, the same person", mpType, mpBody, nil, http.StatusOK, `"bound":false`},
		{"over the limit", "image/jpeg", readFace(t, ashaSelfie), nil, http.StatusTooManyRequests, "Too many selfies"},
	} {
		res := apiSelfie(t, c, token, s.ctype, s.body, s.header)
		if res.StatusCode != s.status || !strings.Contains(res.Body, s.want) {
			t.Errorf("%s: %d %.300s, want %d with %q", s.name, res.StatusCode, res.Body, s.status, s.want)
		}
		if s.status == http.StatusOK && (strings.Count(res.Body, `"thumb_url"`) != len(ashaPhotos) || strings.Contains(res.Body, ben)) {
			t.Errorf("%s: not exactly Asha's photos: %s", s.name, res.Body)
		}
		if s.status == http.StatusTooManyRequests {
			if wait, _ := strconv.Atoi(res.Header.Get("Retry-After")); wait < 60 {
				t.Errorf("over the limit: Retry-After %q", res.Header.Get("Retry-After"))
			}
		}
	}

	files := fiPath(token, "/photos/")
	c.Run(t, []apptest.Scenario{
		{Name: "the photos again", Path: fiPath(token, "/photos"), Status: http.StatusOK,
			Contains: []string{asha, `"web_url":"` + files + asha + `/download?size=web"`, `"original_url":null`}, NotContains: []string{ben}},
		{Name: "a thumbnail of the guest", Path: files + asha + "/thumb", Status: http.StatusOK},
		{Name: "a preview of the guest", Path: files + asha + "/preview", Status: http.StatusOK},
		{Name: "someone else's thumbnail", Path: files + ben + "/thumb", Status: http.StatusNotFound},
		{Name: "the hidden folder's", Path: files + w.photoOf(t, ashaSecret).String() + "/preview", Status: http.StatusNotFound},
		{Name: "the web size", Path: files + asha + "/download?size=web", Status: http.StatusOK},
		{Name: "originals are off", Path: files + asha + "/download?size=original", Status: http.StatusForbidden},
		{Name: "a size that is not one", Path: files + asha + "/download?size=huge", Status: http.StatusUnprocessableEntity},
	})

	// After the invite is revoked the guest can still delete, and only that.
	if _, err := ta.Faces.RevokeInvite(context.Background(), w.studio, w.coll, inv, w.ownerAct); err != nil {
		t.Fatal(err)
	}
	c.Run(t, []apptest.Scenario{
		{Name: "revoked: the invite", Path: fiPath(token), Status: http.StatusGone},
		{Name: "revoked: the photos", Path: fiPath(token, "/photos"), Status: http.StatusGone},
		{Name: "revoked: delete", Method: http.MethodDelete, Path: fiPath(token, "/registration"), Status: http.StatusNoContent},
		{Name: "deleted", Method: http.MethodDelete, Path: fiPath(token, "/registration"), Status: http.StatusUnauthorized},
	})
	if n := staffCount(t, ta, `SELECT count(*) FROM face_registrations`); n != 0 {
		t.Errorf("%d registrations left", n)
	}
}
