package app_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/app/apptest"
)

type apiFaceCollection struct {
	ID     uuid.UUID
	Name   string
	Albums []struct {
		ID    uuid.UUID
		Title string
	}
	Progress struct {
		Photos, Indexed, People int
		Text                    string
		Done                    bool
	}
}

type apiFacePerson struct {
	ID            uuid.UUID
	Name          string
	Hidden        bool
	Faces, Photos int
	FaceURL       *string `json:"face_url"`
}

type apiFaceInvite struct {
	ID               uuid.UUID
	State            string
	Registrations    int
	MaxRegistrations *int       `json:"max_registrations"`
	ExpiresAt        *time.Time `json:"expires_at"`
	Token, URL       string
}

type apiPurgeCounts struct{ Albums, Photos, Faces, People, Invites, Registrations int }

// faceAPIWorld is the face world with tokens: the owner's write and read
// tokens, and another studio's write token with an album of its own.
type faceAPIWorld struct {
	*faceWorld
	write, read, other *apptest.Client
	otherStudio        uuid.UUID
	otherAlbum         uuid.UUID
	reception          uuid.UUID // an empty album of the studio, to add
	asha, ben          uuid.UUID // people, once indexed
	guests, family     uuid.UUID // invites
}

// routes lists every face collection route with a request that would
// succeed for the right caller.
func (w *faceAPIWorld) routes() []apiRoute {
	co := apiPath("face-collections", w.coll)
	person := co + "/people/" + w.asha.String()
	invite := co + "/invites/" + w.guests.String()
	return []apiRoute{
		{"GET", co, nil, false},
		{"DELETE", co, nil, false},
		{"POST", co + "/albums", map[string]any{"album_ids": []uuid.UUID{w.reception}}, false},
		{"GET", co + "/purge", nil, false},
		{"GET", co + "/people", nil, false},
		{"GET", person, nil, false},
		{"PATCH", person, map[string]any{"name": "Someone", "hidden": true}, false},
		{"POST", person + "/merge", map[string]any{"people": []uuid.UUID{w.ben}}, false},
		{"GET", person + "/photos", nil, false},
		{"GET", person + "/face", nil, false},
		{"GET", co + "/invites", nil, false},
		{"POST", co + "/invites", map[string]any{"label": "Theirs"}, false},
		{"PATCH", invite, map[string]any{"max_registrations": 2}, false},
		{"POST", invite + "/revoke", nil, false},
	}
}

// unchanged checks that the collection is as the refused requests found it.
func (w *faceAPIWorld) unchanged(t *testing.T) {
	t.Helper()
	for sql, want := range map[string]int{
		"SELECT count(*) FROM face_collections":                                               1,
		"SELECT count(*) FROM face_collection_albums":                                         2,
		"SELECT count(*) FROM people WHERE name = 'Asha Sharma' AND NOT hidden":               1,
		"SELECT count(*) FROM people":                                                         2,
		"SELECT count(*) FROM face_invites":                                                   2,
		"SELECT count(*) FROM face_invites WHERE revoked_at IS NOT NULL":                      1,
		"SELECT count(*) FROM face_invites WHERE label = 'Guests' AND max_registrations = 50": 1,
	} {
		if n := staffCount(t, w.ta, sql); n != want {
			t.Errorf("%s: %d, want %d", sql, n, want)
		}
	}
}

// The studio's face search through the API, with real indexing: one
// world, built once, that the subtests walk through in order.
func TestAPIFaceCollections(t *testing.T) {
	ta := faceApp(t)
	doc := ta.OpenAPI()
	w := &faceAPIWorld{faceWorld: newFaceWorld(t, ta)}
	w.write = apiClient(ta, doc, createToken(t, w.owner.Client, "Phone app", "write"))
	w.read = apiClient(ta, doc, createToken(t, w.owner.Client, "Viewer", "read"))
	other := ta.SignUp("Other Studio", "someone@other.example.com")
	w.other = apiClient(ta, doc, createToken(t, other.Client, "Theirs", "write"))
	w.otherStudio, w.otherAlbum = studioOf(t, ta, other.Email), createAlbum(t, other.Client, "Their wedding", nil)
	w.reception = createAlbum(t, w.owner.Client, "Reception", nil)
	colls := apiPath("face-collections")
	step := func(name string, f func(t *testing.T)) {
		if !t.Run(name, f) {
			t.FailNow() // each step builds on the one before
		}
	}

	step("bad input creates nothing", func(t *testing.T) {
		create := func(name string, body any, status int, contains ...string) apptest.Scenario {
			return apptest.Scenario{Name: name, Path: colls, JSON: body, Status: status, Contains: contains,
				Header: map[string]string{"Content-Type": problemJSON}}
		}
		album := []uuid.UUID{w.album}
		w.write.Run(t, []apptest.Scenario{
			create("an empty name", map[string]any{"name": "  ", "album_ids": album}, http.StatusUnprocessableEntity, `"errors":{"name":`),
			create("no albums", map[string]any{"name": "Guests"}, http.StatusUnprocessableEntity,
				`"errors":{"album_ids":"Choose at least one album."}`),
			create("an unknown album", map[string]any{"name": "Guests", "album_ids": []uuid.UUID{w.album, uuid.New()}},
				http.StatusUnprocessableEntity, `"errors":{"album_ids":"One of the albums does not exist."}`),
			create("not an id", map[string]any{"name": "Guests", "album_ids": []string{"nope"}}, http.StatusUnprocessableEntity,
				`"errors":{"album_ids":"One of the albums does not exist."}`),
			create("another studio's album", map[string]any{"name": "Guests", "album_ids": []uuid.UUID{w.otherAlbum}},
				http.StatusUnprocessableEntity, `"errors":{"album_ids":`),
			create("an unknown field", map[string]any{"name": "Guests", "album_ids": album, "threshold": 0.3}, http.StatusBadRequest,
				`Unknown field \"threshold\"`),
			create("ids as a string", map[string]any{"name": "Guests", "album_ids": w.album}, http.StatusBadRequest,
				`Field \"album_ids\" must be a JSON array`),
		})
		w.read.Run(t, []apptest.Scenario{create("a read token", map[string]any{"name": "Guests", "album_ids": album},
			http.StatusForbidden, "can only read")})
		if n := staffCount(t, ta, "SELECT count(*) FROM face_collections"); n != 0 {
			t.Fatalf("%d collections after refused requests", n)
		}
	})

	step("created and indexed", func(t *testing.T) {
		res := w.write.JSON(http.MethodPost, colls, map[string]any{"name": " Sharma wedding guests ", "album_ids": []uuid.UUID{w.album}})
		co := decode[apiFaceCollection](t, res)
		if res.StatusCode != http.StatusCreated || co.Name != "Sharma wedding guests" || len(co.Albums) != 1 ||
			co.Albums[0].ID != w.album || co.Albums[0].Title != "Sharma wedding" || co.Progress.Photos != len(w.files) {
			t.Fatalf("create: %d %s", res.StatusCode, res.Body)
		}
		w.coll = co.ID
		w.waitIndexed(t)
		writer := tokenByPlain(t, ta, w.write.Bearer)
		if n := staffCount(t, ta, `SELECT count(*) FROM audit_log WHERE kind = 'face_collection.create' AND actor = 'token'
			AND detail->>'token_id' = $1 AND detail->>'collection_id' = $2`, writer.ID.String(), w.coll.String()); n != 1 {
			t.Fatalf("%d face_collection.create entries by the token, want 1", n)
		}
	})
	co := apiPath("face-collections", w.coll)

	step("an album in a collection already", func(t *testing.T) {
		w.write.Run(t, []apptest.Scenario{
			{Name: "a second collection", Path: colls, JSON: map[string]any{"name": "Again", "album_ids": []uuid.UUID{w.album}},
				Status: http.StatusConflict, Contains: []string{"already has face search turned on"}},
			{Name: "added again", Path: co + "/albums", JSON: map[string]any{"album_ids": []uuid.UUID{w.reception, w.album}},
				Status: http.StatusConflict, Contains: []string{"already has face search turned on"}},
		})
		if n := staffCount(t, ta, "SELECT count(*) FROM face_collection_albums"); n != 1 {
			t.Fatalf("%d albums in collections, want 1: the refused add added one", n)
		}
	})

	step("albums added", func(t *testing.T) {
		w.write.Run(t, []apptest.Scenario{
			{Name: "none", Path: co + "/albums", JSON: map[string]any{"album_ids": []string{}}, Status: http.StatusUnprocessableEntity,
				Contains: []string{`"errors":{"album_ids":"Choose at least one album."}`}},
			{Name: "another studio's", Path: co + "/albums", JSON: map[string]any{"album_ids": []uuid.UUID{w.otherAlbum}},
				Status: http.StatusUnprocessableEntity, Contains: []string{`"errors":{"album_ids":`}},
			{Name: "the reception", Path: co + "/albums", JSON: map[string]any{"album_ids": []uuid.UUID{w.reception}}, Status: http.StatusOK,
				Contains: []string{`"title":"Sharma wedding"`, `"title":"Reception"`}},
		})
	})

	step("listed with progress", func(t *testing.T) {
		w.read.Run(t, []apptest.Scenario{
			{Name: "the list", Path: colls, Status: http.StatusOK,
				Contains: []string{`"name":"Sharma wedding guests"`, `"text":"8 of 8 photos"`, `"percent":100`, `"done":true`, `"people":2`}},
			{Name: "one", Path: co, Status: http.StatusOK, Contains: []string{`"title":"Reception"`, `"indexed":8`}},
			{Name: "not an id", Path: colls + "/nope", Status: http.StatusNotFound},
		})
	})

	step("people", func(t *testing.T) {
		people := decode[struct{ People []apiFacePerson }](t, w.read.Get(co+"/people")).People
		if len(people) != 2 || people[0].Photos != len(ashaPhotos)+1 || people[1].Photos != len(benPhotos) ||
			people[0].FaceURL == nil || !strings.HasPrefix(*people[0].FaceURL, co+"/people/"+people[0].ID.String()+"/face?f=") {
			t.Fatalf("people: %+v; want Asha (with the hidden folder's photo) and Ben, with faces", people)
		}
		w.asha, w.ben = people[0].ID, people[1].ID
		asha := co + "/people/" + w.asha.String()
		photos := decode[struct {
			Photos []struct {
				Photo struct {
					AlbumID  uuid.UUID `json:"album_id"`
					Filename string
				}
				Faces []struct{ Box struct{ X, Y, W, H float64 } }
			}
		}](t, w.read.Get(asha+"/photos")).Photos
		var names []string
		for _, p := range photos {
			names = append(names, p.Photo.Filename)
			if p.Photo.AlbumID != w.album || len(p.Faces) == 0 || p.Faces[0].Box.W <= 0 || p.Faces[0].Box.X+p.Faces[0].Box.W > 1.01 {
				t.Errorf("photo %s: %+v", p.Photo.Filename, p)
			}
		}
		got := strings.Join(names, ",")
		if len(photos) != len(ashaPhotos)+1 || !strings.Contains(got, ashaSecret) || strings.Contains(got, benPhotos[0]) {
			t.Fatalf("Asha's photos: %s", got)
		}
		res := w.read.Get(*people[0].FaceURL)
		etag := res.Header.Get("ETag")
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/jpeg" || !strings.HasPrefix(res.Body, "\xff\xd8") || etag == "" {
			t.Fatalf("face: %d %s %q", res.StatusCode, res.Header.Get("Content-Type"), etag)
		}
		w.read.Run(t, []apptest.Scenario{
			{Name: "one person", Path: asha, Status: http.StatusOK, Contains: []string{`"name":""`, `"hidden":false`, `"photos":5`}},
			{Name: "the face again", Path: asha + "/face", Request: map[string]string{"If-None-Match": etag}, Status: http.StatusNotModified},
			{Name: "nobody", Path: co + "/people/" + uuid.NewString(), Status: http.StatusNotFound},
		})
	})
	asha, ben := co+"/people/"+w.asha.String(), co+"/people/"+w.ben.String()

	step("named and hidden", func(t *testing.T) {
		w.write.Run(t, []apptest.Scenario{
			{Name: "named", Method: http.MethodPatch, Path: asha, JSON: map[string]any{"name": " Asha Sharma "}, Status: http.StatusOK,
				Contains: []string{`"name":"Asha Sharma"`, `"hidden":false`}},
			{Name: "a name too long, and hidden", Method: http.MethodPatch, Path: asha, JSON: map[string]any{"name": strings.Repeat("x", 121), "hidden": true},
				Status: http.StatusUnprocessableEntity, Contains: []string{`"errors":{"name":"A name has at most 120 characters."}`}},
			{Name: "neither changed", Path: asha, Status: http.StatusOK, Contains: []string{`"name":"Asha Sharma"`, `"hidden":false`}},
			{Name: "hidden", Method: http.MethodPatch, Path: asha, JSON: map[string]any{"hidden": true}, Status: http.StatusOK,
				Contains: []string{`"name":"Asha Sharma"`, `"hidden":true`}},
			{Name: "listed as hidden", Path: co + "/people", Status: http.StatusOK, Contains: []string{`"name":"Asha Sharma","hidden":true`}},
			{Name: "shown again", Method: http.MethodPatch, Path: asha, JSON: map[string]any{"hidden": false}, Status: http.StatusOK,
				Contains: []string{`"hidden":false`}},
			{Name: "hidden as a string", Method: http.MethodPatch, Path: asha, JSON: map[string]any{"hidden": "yes"}, Status: http.StatusBadRequest},
		})
		if n := staffCount(t, ta, `SELECT count(*) FROM audit_log WHERE actor = 'token' AND
			(kind = 'person.rename' OR kind = 'person.hide') AND detail->>'person_id' = $1`, w.asha.String()); n != 3 {
			t.Fatalf("%d person entries by the token, want 3", n)
		}
	})

	step("invites", func(t *testing.T) {
		invites := co + "/invites"
		res := w.write.JSON(http.MethodPost, invites, map[string]any{"label": "Guests", "max_registrations": 50, "expires_at": "2099-12-31"})
		guests := decode[apiFaceInvite](t, res)
		if res.StatusCode != http.StatusCreated || guests.State != "active" || !strings.HasSuffix(guests.URL, "/f/"+guests.Token) ||
			guests.ExpiresAt == nil || !guests.ExpiresAt.Equal(time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)) {
			t.Fatalf("create: %d %s", res.StatusCode, res.Body)
		}
		res = w.write.JSON(http.MethodPost, invites, map[string]any{"label": "Family"})
		family := decode[apiFaceInvite](t, res)
		if res.StatusCode != http.StatusCreated || family.ExpiresAt != nil || family.MaxRegistrations != nil {
			t.Fatalf("create: %d %s", res.StatusCode, res.Body)
		}
		w.guests, w.family = guests.ID, family.ID
		if n := staffCount(t, ta, "SELECT count(*) FROM face_invites i WHERE strpos(i::text, $1) > 0", guests.Token); n != 0 {
			t.Fatal("the token is stored")
		}
		bad := func(name string, body any, field string) apptest.Scenario {
			return apptest.Scenario{Name: name, Path: invites, JSON: body, Status: http.StatusUnprocessableEntity,
				Contains: []string{`"errors":{"` + field + `":`}}
		}
		famPath := invites + "/" + w.family.String()
		w.write.Run(t, []apptest.Scenario{
			{Name: "listed without tokens", Path: invites, Status: http.StatusOK,
				Contains: []string{`"label":"Guests"`, `"max_registrations":50`, `"label":"Family"`}, NotContains: []string{guests.Token, family.Token, `"token"`}},
			bad("a cap of none", map[string]any{"max_registrations": 0}, "max_registrations"),
			bad("an expiry in the past", map[string]any{"expires_at": "2001-01-01"}, "expires_at"),
			bad("not a date", map[string]any{"expires_at": "next week"}, "expires_at"),
			bad("a label too long", map[string]any{"label": strings.Repeat("x", 121)}, "label"),
			{Name: "no cap sent", Method: http.MethodPatch, Path: famPath, JSON: map[string]any{}, Status: http.StatusUnprocessableEntity,
				Contains: []string{`"errors":{"max_registrations":`}},
			{Name: "capped", Method: http.MethodPatch, Path: famPath, JSON: map[string]any{"max_registrations": 1}, Status: http.StatusOK,
				Contains: []string{`"max_registrations":1`, `"state":"active"`}},
		})
		registerFace(t, ta.Client(), family.Token, "Asha")
		w.write.Run(t, []apptest.Scenario{
			{Name: "full", Path: invites, Status: http.StatusOK, Contains: []string{`"label":"Family","state":"full"`, `"registrations":1`}},
			{Name: "turned off", Method: http.MethodPost, Path: famPath + "/revoke", Status: http.StatusOK, Contains: []string{`"state":"revoked"`}},
		})
		ta.Client().Run(t, []apptest.Scenario{{Name: "the guest after the revoke", Path: fpath(family.Token), Status: http.StatusGone}})
		if n := staffCount(t, ta, "SELECT count(*) FROM face_invites"); n != 2 {
			t.Fatalf("%d invites, want 2: a refused one was made", n)
		}
	})

	step("a read token changes nothing", func(t *testing.T) {
		var rows []apptest.Scenario
		for _, r := range w.routes() {
			if r.method != http.MethodGet {
				rows = append(rows, r.scenario("read token", http.StatusForbidden))
			}
		}
		w.read.Run(t, rows)
		w.unchanged(t)
	})

	step("another studio finds nothing", func(t *testing.T) {
		entries := func() int {
			return staffCount(t, ta, "SELECT count(*) FROM audit_log WHERE studio_id = $1", w.otherStudio)
		}
		before := entries()
		var rows []apptest.Scenario
		for _, r := range w.routes() {
			rows = append(rows, r.scenario("another studio", http.StatusNotFound))
		}
		rows = append(rows, apptest.Scenario{Name: "their list is empty", Path: colls, Status: http.StatusOK, Contains: []string{`{"collections":[]}`}})
		w.other.Run(t, rows)
		w.unchanged(t)
		if n := entries(); n != before {
			t.Errorf("%d audit entries in the other studio, %d before: something was done", n, before)
		}
	})

	step("merged", func(t *testing.T) {
		merge := asha + "/merge"
		w.write.Run(t, []apptest.Scenario{
			{Name: "nobody", Path: merge, JSON: map[string]any{"people": []string{}}, Status: http.StatusUnprocessableEntity,
				Contains: []string{`"errors":{"people":`}},
			{Name: "itself", Path: merge, JSON: map[string]any{"people": []uuid.UUID{w.asha}}, Status: http.StatusUnprocessableEntity,
				Contains: []string{`"errors":{"people":`}},
			{Name: "a stranger", Path: merge, JSON: map[string]any{"people": []uuid.UUID{w.ben, uuid.New()}}, Status: http.StatusUnprocessableEntity,
				Contains: []string{`"errors":{"people":"One of the people is not in this collection."}`}},
			{Name: "into nobody", Path: co + "/people/" + uuid.NewString() + "/merge", JSON: map[string]any{"people": []uuid.UUID{w.ben}},
				Status: http.StatusNotFound},
		})
		if n := staffCount(t, ta, "SELECT count(*) FROM people"); n != 2 {
			t.Fatalf("%d people after refused merges, want 2", n)
		}
		w.write.Run(t, []apptest.Scenario{
			{Name: "Ben into Asha", Path: merge, JSON: map[string]any{"people": []uuid.UUID{w.ben}}, Status: http.StatusOK,
				Contains: []string{`"name":"Asha Sharma"`, `"photos":8`}},
			{Name: "Ben is gone", Path: ben, Status: http.StatusNotFound},
			{Name: "one person left", Path: co, Status: http.StatusOK, Contains: []string{`"people":1`}},
		})
	})

	step("purged", func(t *testing.T) {
		counts := decode[apiPurgeCounts](t, w.read.Get(co+"/purge"))
		inDB := apiPurgeCounts{Albums: 2, Photos: len(w.files), People: 1, Invites: 2, Registrations: 1,
			Faces: staffCount(t, ta, "SELECT count(*) FROM faces WHERE collection_id = $1", w.coll)}
		if counts != inDB || counts.Faces < len(w.files) {
			t.Fatalf("purge counts %+v, in the database %+v", counts, inDB)
		}
		res := w.write.JSON(http.MethodDelete, co, nil)
		if got := decode[apiPurgeCounts](t, res); res.StatusCode != http.StatusOK || got != counts {
			t.Fatalf("delete: %d %s, want %+v", res.StatusCode, res.Body, counts)
		}
		w.write.Run(t, []apptest.Scenario{
			{Name: "gone", Path: co, Status: http.StatusNotFound},
			{Name: "nothing to count", Path: co + "/purge", Status: http.StatusNotFound},
			{Name: "deleted once", Method: http.MethodDelete, Path: co, Status: http.StatusNotFound},
			{Name: "the list is empty", Path: colls, Status: http.StatusOK, Contains: []string{`{"collections":[]}`}},
		})
		for _, table := range []string{"face_collections", "face_collection_albums", "face_photos", "faces", "people", "face_invites", "face_registrations"} {
			if n := staffCount(t, ta, "SELECT count(*) FROM "+table); n != 0 {
				t.Errorf("%d rows left in %s", n, table)
			}
		}
		if n := staffCount(t, ta, "SELECT count(*) FROM photos WHERE album_id = $1", w.album); n != len(w.files) {
			t.Errorf("%d photos left in the album, want all %d", n, len(w.files))
		}
		if n := staffCount(t, ta, `SELECT count(*) FROM audit_log WHERE kind = 'face_collection.delete' AND actor = 'token'
			AND (detail->>'faces')::int = $1`, counts.Faces); n != 1 {
			t.Errorf("%d face_collection.delete entries by the token, want 1", n)
		}
	})
}
