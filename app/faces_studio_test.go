package app_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/app/apptest"
)

var newInviteURL = regexp.MustCompile(`<code id="new-invite">https?://[^<]+/f/([a-z2-7]{32})</code>`)

// The studio's face search pages: turning it on from the album page, the
// progress, people with face crops (named, hidden, merged), invites made,
// capped and turned off, and deletion after a page that counts what goes.
// Another studio finds none of it.
func TestFaceStudioPages(t *testing.T) {
	ta := faceApp(t)
	w := newFaceWorld(t, ta)
	c := w.owner.Client
	album := albumPathOf(w.album)
	c.Run(t, []apptest.Scenario{
		{Name: "nothing yet", Path: "/studio/faces", Status: http.StatusOK,
			Contains: []string{"Face search is off for every album", `name="album_ids" value="` + w.album.String() + `"`}},
		{Name: "off on the album page", Path: album, Status: http.StatusOK, Contains: []string{"Face search off", "Turn on face search"}},
		{Name: "no albums chosen", Path: "/studio/faces", Form: url.Values{"name": {"Nothing"}}, Status: http.StatusUnprocessableEntity,
			Contains: []string{"Choose at least one album."}},
		{Name: "turned on from the album page", Path: "/studio/faces", Form: url.Values{"name": {"Sharma wedding guests"}, "album_ids": {w.album.String()}},
			Status: http.StatusSeeOther, Location: "/studio/faces/"},
		{Name: "only once per album", Path: "/studio/faces", Form: url.Values{"name": {"Again"}, "album_ids": {w.album.String()}},
			Status: http.StatusUnprocessableEntity, Contains: []string{"already has face search turned on"}},
	})
	w.coll = query[uuid.UUID](t, ta, "SELECT id FROM face_collections")
	w.waitIndexed(t)
	coll := "/studio/faces/" + w.coll.String()
	people, err := ta.Faces.People(context.Background(), w.studio, w.coll)
	if err != nil || len(people) != 2 {
		t.Fatalf("people: %+v, %v; want Asha and Ben", people, err)
	}
	asha, ben := people[0], people[1] // Asha is on more photos
	ashaURL, benURL := coll+"/people/"+asha.ID.String(), coll+"/people/"+ben.ID.String()
	c.Run(t, []apptest.Scenario{
		{Name: "on, on the album page", Path: album, Status: http.StatusOK, Contains: []string{"Face search on", "8 of 8 photos indexed, 2 people"}},
		{Name: "the list", Path: "/studio/faces", Status: http.StatusOK, Contains: []string{"Sharma wedding guests", "8 of 8 photos"}},
		{Name: "progress", Path: coll + "/progress", Status: http.StatusOK, Contains: []string{`"text":"8 of 8 photos"`, `"done":true`, `"people":2`}},
		{Name: "the collection", Path: coll, Status: http.StatusOK,
			Contains: []string{"8 of 8 photos", ashaURL + "/face?f=", "Unnamed", "5 photos", "No invites yet"}},
		{Name: "a face crop", Path: ashaURL + "/face", Status: http.StatusOK, Header: map[string]string{"Content-Type": "image/jpeg"}},
		{Name: "a person's photos", Path: ashaURL, Status: http.StatusOK,
			Contains: []string{"Unnamed person", "5 photos", ashaSecret, "Merge into this person"}, NotContains: []string{benPhotos[0]}},
		{Name: "named", Path: ashaURL, Form: url.Values{"name": {" Asha Sharma "}}, Status: http.StatusSeeOther, Location: ashaURL},
		{Name: "a name too long", Path: ashaURL, Form: url.Values{"name": {strings.Repeat("x", 121)}}, Status: http.StatusUnprocessableEntity,
			Contains: []string{"at most 120 characters"}},
		{Name: "hidden", Path: ashaURL + "/hide", Form: url.Values{"hidden": {"1"}}, Status: http.StatusSeeOther},
		{Name: "says so", Path: ashaURL, Status: http.StatusOK, Contains: []string{"Asha Sharma", "Hidden from guests", "Show to guests again"}},
		{Name: "shown again", Path: ashaURL + "/hide", Form: url.Values{"hidden": {"0"}}, Status: http.StatusSeeOther},
		{Name: "merge nobody", Path: benURL + "/merge", Form: url.Values{}, Status: http.StatusUnprocessableEntity, Contains: []string{"Choose other people"}},
		{Name: "an invite", Path: coll + "/invites", Form: url.Values{"label": {"Guests"}, "cap": {"50"}}, Status: http.StatusOK,
			Contains: []string{"Invite “Guests” is ready", "/f/"}},
		{Name: "a bad cap", Path: coll + "/invites", Form: url.Values{"label": {"Bad"}, "cap": {"0"}}, Status: http.StatusUnprocessableEntity,
			Contains: []string{"The cap is a number of guests"}},
		{Name: "an expiry in the past", Path: coll + "/invites", Form: url.Values{"expires": {"2001-01-01"}}, Status: http.StatusUnprocessableEntity,
			Contains: []string{"Choose an expiry in the future."}},
	})
	res := c.PostForm(coll+"/invites", url.Values{"label": {"Family"}})
	m := newInviteURL.FindStringSubmatch(res.Body)
	if m == nil {
		t.Fatalf("no invite address on the page: %.600s", res.Body)
	}
	token := m[1]
	invite := query[uuid.UUID](t, ta, "SELECT id FROM face_invites WHERE label = 'Family'")
	inviteURL := coll + "/invites/" + invite.String()
	c.Run(t, []apptest.Scenario{
		{Name: "shown once", Path: coll, Status: http.StatusOK, Contains: []string{"Family", "Guests", `value="50"`}, NotContains: []string{token}},
		{Name: "capped", Path: inviteURL + "/cap", Form: url.Values{"cap": {"1"}}, Status: http.StatusSeeOther},
	})
	g := ta.Client()
	registerFace(t, g, token, "Asha")
	ta.Client().Run(t, []apptest.Scenario{{Name: "the cap holds", Path: fpath(token), Status: http.StatusConflict}})
	c.Run(t, []apptest.Scenario{
		{Name: "full", Path: coll, Status: http.StatusOK, Contains: []string{`<span class="badge warn">Full</span>`}},
		{Name: "turned off", Path: inviteURL + "/revoke", Form: url.Values{}, Status: http.StatusSeeOther},
		{Name: "merged", Path: ashaURL + "/merge", Form: url.Values{"from": {ben.ID.String()}}, Status: http.StatusSeeOther, Location: ashaURL},
		{Name: "one person now", Path: ashaURL, Status: http.StatusOK, Contains: []string{"Merged 1 person into this one: 8 photos.", benPhotos[0]}},
		{Name: "the other is gone", Path: benURL, Status: http.StatusNotFound},
	})
	g.Run(t, []apptest.Scenario{{Name: "the guest after the revoke", Path: fpath(token), Status: http.StatusGone}})

	// Another studio sees none of it.
	other := ta.SignUp("Other Studio", "someone@other.example.com").Client
	var rows []apptest.Scenario
	for _, p := range []string{coll, coll + "/progress", coll + "/delete", ashaURL, ashaURL + "/face"} {
		rows = append(rows, apptest.Scenario{Name: "another studio: " + p, Path: p, Status: http.StatusNotFound})
	}
	for _, p := range []string{coll + "/delete", coll + "/invites", ashaURL, ashaURL + "/hide", inviteURL + "/revoke"} {
		rows = append(rows, apptest.Scenario{Name: "another studio posts " + p, Path: p, Form: url.Values{"name": {"x"}}, Status: http.StatusNotFound})
	}
	other.Run(t, rows)

	c.Run(t, []apptest.Scenario{
		{Name: "what deleting takes", Path: coll + "/delete", Status: http.StatusOK,
			Contains: []string{"Delete collection Sharma wedding guests: 8 faces, 1 guest registration, 1 person, 2 invite links, from 8 indexed photos in 1 album."}},
		{Name: "deleted", Path: coll + "/delete", Form: url.Values{}, Status: http.StatusSeeOther, Location: "/studio/faces"},
		{Name: "says what went", Path: "/studio/faces", Status: http.StatusOK, Contains: []string{"8 faces and 1 guest registration are gone", "Face search is off for every album"}},
		{Name: "gone", Path: coll, Status: http.StatusNotFound},
	})
	for _, table := range []string{"face_collections", "faces", "people", "face_invites", "face_registrations", "face_photos"} {
		if n := staffCount(t, ta, "SELECT count(*) FROM "+table); n != 0 {
			t.Errorf("%d rows left in %s", n, table)
		}
	}
	g.Run(t, []apptest.Scenario{{Name: "the guest after the delete", Path: fpath(token), Status: http.StatusNotFound}})
}
