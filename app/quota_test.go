package app_test

import (
	"context"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/app"
	"github.com/proofsheet/proofsheet/app/apptest"
)

// billedApp is a test app with billing on (Stripe keys set), so plan
// limits hold. Nothing here calls Stripe: limits are read from the
// database.
func billedApp(t *testing.T) *apptest.TestApp {
	t.Helper()
	return apptest.New(t, func(c *app.Config) {
		c.StripeSecretKey, c.StripeWebhookSecret = "sk_test_quota", "whsec_quotatests"
		c.StripeAPIURL = os.Getenv("PROOFSHEET_TEST_STRIPE_URL")
		if c.StripeAPIURL == "" {
			c.StripeAPIURL = "http://127.0.0.1:12111" // never called, but never real Stripe either
		}
	})
}

// quotaStudio is a signed-up studio with a write token.
type quotaStudio struct {
	*apptest.Owner
	id  uuid.UUID
	api *apptest.Client
}

func newQuotaStudio(t *testing.T, ta *apptest.TestApp, doc *apptest.OpenAPI, name, email string) *quotaStudio {
	t.Helper()
	o := ta.SignUp(name, email)
	return &quotaStudio{Owner: o, id: studioOf(t, ta, email), api: apiClient(ta, doc, createToken(t, o.Client, "Phone", "write"))}
}

// addPlan adds an operator plan; -1 is unlimited.
func addPlan(t *testing.T, ta *apptest.TestApp, code string, storage, albums, collections, seats int64) {
	t.Helper()
	_, err := ta.Superuser().Exec(context.Background(), `INSERT INTO plans (code, name, storage_bytes, albums, face_collections, staff_seats)
		VALUES ($1, initcap($1), $2, $3, $4, $5)`, code, storage, albums, collections, seats)
	if err != nil {
		t.Fatal(err)
	}
}

// setPlan puts the studio on a plan, as a webhook applying a subscription
// (or its end) would.
func setPlan(t *testing.T, ta *apptest.TestApp, studio uuid.UUID, code string) {
	t.Helper()
	_, err := ta.Superuser().Exec(context.Background(), `INSERT INTO studio_billing (studio_id, plan_code) VALUES ($1, $2)
		ON CONFLICT (studio_id) DO UPDATE SET plan_code = excluded.plan_code`, studio, code)
	if err != nil {
		t.Fatal(err)
	}
}

func countIn(t *testing.T, ta *apptest.TestApp, table string, studio uuid.UUID) int {
	t.Helper()
	return staffCount(t, ta, "SELECT count(*)::int FROM "+table+" WHERE studio_id = $1", studio)
}

// storedFiles counts the object store's files (the local store lives in
// the test's data folder).
func storedFiles(t *testing.T, ta *apptest.TestApp) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(ta.Config.DataDir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// unlock records face search bought for one collection (none: for the
// next one made), as the webhook of its Checkout would.
func unlock(t *testing.T, ta *apptest.TestApp, studio uuid.UUID, collection string) {
	t.Helper()
	var target any
	if collection != "" {
		target = collection
	}
	su := ta.Superuser()
	_, err := su.Exec(context.Background(), `INSERT INTO unlock_products (code, name, kind, quantity, price_paise)
		VALUES ('face-one', 'Face search for one collection', 'face_search_collection', 1, 49900)`)
	if err == nil {
		_, err = su.Exec(context.Background(), `INSERT INTO studio_unlocks (id, studio_id, product_code, kind, quantity, target_id, stripe_checkout_session_id)
			VALUES (gen_random_uuid(), $1, 'face-one', 'face_search_collection', 1, $2, 'cs_test_quota')`, studio, target)
	}
	if err != nil {
		t.Fatal(err)
	}
}

const upgradeText = "Compare plans on the Billing page (/studio/billing)."

// The free plan's fourth album is refused on the page and in the API with
// the plan's words and where to upgrade; the studio's count is its own,
// and without billing nothing is limited.
func TestQuotaAlbumsOnTheFreePlan(t *testing.T) {
	ta := billedApp(t)
	doc := ta.OpenAPI()
	s := newQuotaStudio(t, ta, doc, "Lumen Studio", "lumen@example.com")
	other := newQuotaStudio(t, ta, doc, "Other Studio", "other@example.com")
	for i := range 3 {
		createAlbum(t, s.Client, "Album "+strconv.Itoa(i+1), nil)
	}
	full := "Your Free plan allows 3 albums and the studio uses 3. Upgrade your plan to add more. " + upgradeText
	s.Client.Run(t, []apptest.Scenario{
		{Name: "a fourth album on the page", Path: "/studio/albums", Form: url.Values{"title": {"Fourth"}},
			Status: http.StatusPaymentRequired, Contains: []string{full, `value="Fourth"`}},
	})
	s.api.Run(t, []apptest.Scenario{
		{Name: "a fourth album in the API", Path: apiPath("albums"), JSON: map[string]any{"title": "Fourth"},
			Status: http.StatusPaymentRequired, Header: map[string]string{"Content-Type": problemJSON},
			Contains: []string{`"status":402`, `"title":"Payment Required"`, `"detail":"` + full + `"`}},
	})
	if n := countIn(t, ta, "albums", s.id); n != 3 {
		t.Fatalf("%d albums, want 3", n)
	}
	for i := range 3 {
		createAlbum(t, other.Client, "Theirs "+strconv.Itoa(i+1), nil) // its own three
	}

	off := apptest.New(t)
	o := off.SignUp("Unbilled", "unbilled@example.com")
	for i := range 5 {
		createAlbum(t, o.Client, "Album "+strconv.Itoa(i+1), nil)
	}
}

// An upload past the free plan's storage is refused, on the page and
// through tus, and stores nothing; one that fits is taken.
func TestQuotaStorageOnTheFreePlan(t *testing.T) {
	ta := billedApp(t)
	doc := ta.OpenAPI()
	s := newQuotaStudio(t, ta, doc, "Lumen Studio", "lumen@example.com")
	album := createAlbum(t, s.Client, "Sharma wedding", nil)
	folder := query[uuid.UUID](t, ta, "SELECT id FROM folders WHERE album_id = $1", album)
	first, fits, big := readFace(t, "img12.jpg"), readFace(t, "img51.jpg"), readFace(t, "img25.jpg")
	if res := upload(t, s.Client, album, folder, "first.jpg", first); res.StatusCode != http.StatusCreated {
		t.Fatalf("first upload: %d %s", res.StatusCode, res.Body)
	}
	// The first photo stands for nearly all of the 2 GB: room is left for
	// `fits` and ten bytes more.
	const free = int64(2 << 30)
	used := free - int64(len(fits)) - 10
	if _, err := ta.Superuser().Exec(context.Background(), "UPDATE photos SET size = $1 WHERE album_id = $2", used, album); err != nil {
		t.Fatal(err)
	}
	tus := apiPath("albums", album, "folders", folder, "uploads")
	tusCreate := func(size int) *http.Request {
		return tusRequest(http.MethodPost, tus, map[string]string{"Upload-Length": strconv.Itoa(size), "Upload-Metadata": "filename " + b64("big.jpg")}, nil)
	}
	files := storedFiles(t, ta)
	msg := "Your Free plan allows 2 GB of storage and the studio uses 2.0 GB. Upgrade your plan to add more. " + upgradeText
	for _, tc := range []struct {
		name string
		do   func() *apptest.Response
	}{
		{"page upload", func() *apptest.Response { return upload(t, s.Client, album, folder, "big.jpg", big) }},
		{"tus creation", func() *apptest.Response { return s.api.Do(tusCreate(len(big))) }},
	} {
		res := tc.do()
		if res.StatusCode != http.StatusPaymentRequired || res.Header.Get("Content-Type") != problemJSON || !strings.Contains(res.Body, msg) {
			t.Errorf("%s: %d %s", tc.name, res.StatusCode, res.Body)
		}
	}
	if n, m := countIn(t, ta, "photos", s.id), countIn(t, ta, "uploads", s.id); n != 1 || m != 0 {
		t.Fatalf("%d photos and %d uploads after refusals, want 1 and 0", n, m)
	}
	if n := storedFiles(t, ta); n != files {
		t.Fatalf("%d stored files after refusals, %d before", n, files)
	}
	if res := upload(t, s.Client, album, folder, "fits.jpg", fits); res.StatusCode != http.StatusCreated {
		t.Fatalf("a file that fits: %d %s", res.StatusCode, res.Body)
	}
	if res := s.api.Do(tusCreate(11)); res.StatusCode != http.StatusPaymentRequired {
		t.Fatalf("eleven bytes more: %d %s", res.StatusCode, res.Body)
	}
}

// Face search collections count against the plan unless face search was
// bought for them one by one; after a downgrade, a collection that counts
// takes no more albums while an unlocked one still does.
func TestQuotaFaceCollections(t *testing.T) {
	ta := billedApp(t)
	doc := ta.OpenAPI()
	s := newQuotaStudio(t, ta, doc, "Lumen Studio", "lumen@example.com")
	other := newQuotaStudio(t, ta, doc, "Other Studio", "other@example.com")
	addPlan(t, ta, "solo", -1, -1, 1, 1)
	setPlan(t, ta, s.id, "solo")
	albums := make([]string, 5)
	for i := range albums {
		albums[i] = createAlbum(t, s.Client, "Album "+strconv.Itoa(i+1), nil).String()
	}
	setPlan(t, ta, s.id, "free")
	none := "Your Free plan allows 0 face search collections and the studio uses 0. Upgrade your plan to add more. " + upgradeText
	s.Client.Run(t, []apptest.Scenario{
		{Name: "free: none on the page", Path: "/studio/faces", Form: url.Values{"name": {"Guests"}, "album_ids": {albums[0]}},
			Status: http.StatusPaymentRequired, Contains: []string{none}},
	})
	collections := apiPath("face-collections")
	create := func(name, album string) map[string]any {
		return map[string]any{"name": name, "album_ids": []string{album}}
	}
	s.api.Run(t, []apptest.Scenario{
		{Name: "free: none in the API", Path: collections, JSON: create("Guests", albums[0]), Status: http.StatusPaymentRequired,
			Contains: []string{`"detail":"` + none + `"`}},
	})
	setPlan(t, ta, s.id, "solo")
	a := decode[struct{ ID string }](t, s.api.JSON(http.MethodPost, collections, create("A", albums[0])))
	s.api.Run(t, []apptest.Scenario{
		{Name: "solo: a second", Path: collections, JSON: create("B", albums[1]), Status: http.StatusPaymentRequired,
			Contains: []string{"Your Solo plan allows 1 face search collection and the studio uses 1."}},
	})
	unlock(t, ta, s.id, a.ID)
	b := decode[struct{ ID string }](t, s.api.JSON(http.MethodPost, collections, create("B", albums[1])))
	if b.ID == "" {
		t.Fatal("with A unlocked, B was refused")
	}
	other.api.Run(t, []apptest.Scenario{
		{Name: "another studio's free plan", Path: collections, JSON: create("Theirs", createAlbum(t, other.Client, "Theirs", nil).String()),
			Status: http.StatusPaymentRequired},
	})

	setPlan(t, ta, s.id, "free") // B now counts against 0
	addTo := func(id string) string { return apiPath("face-collections", id, "albums") }
	s.api.Run(t, []apptest.Scenario{
		{Name: "free again: a third", Path: collections, JSON: create("C", albums[2]), Status: http.StatusPaymentRequired},
		{Name: "free again: B takes no album", Path: addTo(b.ID), JSON: map[string]any{"album_ids": []string{albums[3]}},
			Status: http.StatusPaymentRequired, Contains: []string{"uses 1.", "face search collections are read-only", "Delete a collection"}},
		{Name: "free again: unlocked A still does", Path: addTo(a.ID), JSON: map[string]any{"album_ids": []string{albums[4]}},
			Status: http.StatusOK},
		{Name: "B can still be seen", Path: apiPath("face-collections", b.ID), Status: http.StatusOK},
	})
	s.Client.Run(t, []apptest.Scenario{
		{Name: "the page says so too", Path: "/studio/faces/" + b.ID + "/albums", Form: url.Values{"album_ids": {albums[3]}},
			Status: http.StatusPaymentRequired, Contains: []string{"face search collections are read-only"}},
	})
	if n := countIn(t, ta, "face_collections", s.id); n != 2 {
		t.Fatalf("%d collections, want 2", n)
	}
}

// A staff invitation past the plan's seats is refused with the plan's
// words; a seat taken between the invitation and its acceptance refuses
// the acceptance in words for the person invited, and the link still
// works once there is a seat again.
func TestQuotaStaffSeats(t *testing.T) {
	ta := billedApp(t)
	doc := ta.OpenAPI()
	s := newQuotaStudio(t, ta, doc, "Sharma Studio", "priya@example.com")
	other := newQuotaStudio(t, ta, doc, "Other Studio", "other@example.com")
	addPlan(t, ta, "team", -1, -1, 0, 2)
	invite := func(email string) url.Values { return url.Values{"email": {email}, "role": {"staff"}} }
	s.Client.Run(t, []apptest.Scenario{
		{Name: "free: the owner is the one seat", Path: "/studio/staff/invite", Form: invite("ravi@example.com"),
			Status: http.StatusPaymentRequired, Contains: []string{
				"Your Free plan allows 1 staff seat and the studio uses 1. Upgrade your plan to add more. " + upgradeText,
				`value="ravi@example.com"`}},
	})
	if n := countIn(t, ta, "invites", s.id) + countIn(t, ta, "email_outbox", s.id); n != 0 {
		t.Fatalf("%d invites and e-mails after a refused invitation", n)
	}

	setPlan(t, ta, s.id, "team")
	link := staffInvite(t, ta, s.Owner, "ravi@example.com", "staff")
	setPlan(t, ta, s.id, "free")
	token := url.Values{"token": {link[len("/invite?token="):]}, "name": {"Ravi"}, "password": {staffPassword}}
	ta.Client().Run(t, []apptest.Scenario{
		{Name: "joining after a downgrade", Path: "/invite", Form: token, Status: http.StatusPaymentRequired,
			Contains:    []string{"Every staff seat of this studio&#39;s plan is taken. Ask the person who invited you"},
			NotContains: []string{"Upgrade your plan to add more"}},
	})
	if n := staffCount(t, ta, "SELECT count(*)::int FROM users WHERE email = 'ravi@example.com'"); n != 0 {
		t.Fatal("a refused acceptance made a user")
	}
	setPlan(t, ta, s.id, "team")
	staffJoin(t, ta, link, "Ravi Kumar")
	s.Client.Run(t, []apptest.Scenario{
		{Name: "team: both seats taken", Path: "/studio/staff/invite", Form: invite("asha@example.com"),
			Status: http.StatusPaymentRequired, Contains: []string{"Your Team plan allows 2 staff seats and the studio uses 2."}},
	})
	setPlan(t, ta, other.id, "team")
	staffInvite(t, ta, other.Owner, "kiran@example.com", "staff") // its own seats
}

// After a downgrade to the free plan with five albums, the studio can
// still view, download, share, edit and delete, but add nothing to its
// gallery; back within the plan it can upload and add folders again, and
// below it, albums. Another studio is unaffected throughout.
func TestQuotaAfterDowngrade(t *testing.T) {
	ta := billedApp(t)
	doc := ta.OpenAPI()
	s := newQuotaStudio(t, ta, doc, "Lumen Studio", "lumen@example.com")
	other := newQuotaStudio(t, ta, doc, "Other Studio", "other@example.com")
	addPlan(t, ta, "pro", -1, 10, 5, 5)
	setPlan(t, ta, s.id, "pro")
	albums := make([]uuid.UUID, 5)
	for i := range albums {
		albums[i] = createAlbum(t, s.Client, "Album "+strconv.Itoa(i+1), nil)
	}
	first := albums[0]
	folder := query[uuid.UUID](t, ta, "SELECT id FROM folders WHERE album_id = $1", first)
	res := upload(t, s.Client, first, folder, "IMG_1.jpg", readFace(t, "img12.jpg"))
	photo := decode[struct{ ID string }](t, res).ID
	setPlan(t, ta, s.id, "free")

	path := albumPathOf(first)
	over := "Your Free plan allows 3 albums and the studio uses 5."
	readOnly := "the gallery is read-only: you can still view, share, download and delete"
	s.Client.Run(t, []apptest.Scenario{
		{Name: "view the albums", Path: "/studio/albums", Status: http.StatusOK, Contains: []string{"Album 5"}},
		{Name: "view an album", Path: path, Status: http.StatusOK},
		{Name: "download an original", Path: path + "/photos/" + photo + "/original", Status: http.StatusOK},
		{Name: "share", Path: path + "/links", Form: url.Values{"label": {"Anita"}}, Status: http.StatusOK, Contains: []string{"/g/"}},
		{Name: "edit", Path: path, Form: url.Values{"title": {"Album one"}}, Status: http.StatusSeeOther},
		{Name: "no new album", Path: "/studio/albums", Form: url.Values{"title": {"Sixth"}}, Status: http.StatusPaymentRequired,
			Contains: []string{over}},
		{Name: "no new folder", Path: path + "/folders", Form: url.Values{"name": {"Reception"}}, Status: http.StatusPaymentRequired,
			Contains: []string{over, readOnly}},
	})
	if res := upload(t, s.Client, first, folder, "IMG_2.jpg", readFace(t, "img51.jpg")); res.StatusCode != http.StatusPaymentRequired ||
		!strings.Contains(res.Body, readOnly) {
		t.Fatalf("upload while over: %d %s", res.StatusCode, res.Body)
	}
	s.api.Run(t, []apptest.Scenario{
		{Name: "API: no new album", Path: apiPath("albums"), JSON: map[string]any{"title": "Sixth"}, Status: http.StatusPaymentRequired},
		{Name: "API: no new folder", Path: apiPath("albums", first, "folders"), JSON: map[string]any{"name": "Reception"},
			Status: http.StatusPaymentRequired, Contains: []string{readOnly}},
		{Name: "API: share", Path: apiPath("albums", first, "links"), JSON: map[string]any{"label": "Rohan"}, Status: http.StatusCreated},
	})
	if res := s.api.Do(tusRequest(http.MethodPost, apiPath("albums", first, "folders", folder, "uploads"),
		map[string]string{"Upload-Length": "20000", "Upload-Metadata": "filename " + b64("IMG_3.jpg")}, nil)); res.StatusCode != http.StatusPaymentRequired {
		t.Fatalf("tus creation while over: %d %s", res.StatusCode, res.Body)
	}
	for i := range 3 { // the other studio is on the free plan too, and under it
		createAlbum(t, other.Client, "Theirs "+strconv.Itoa(i+1), nil)
	}

	// Deleting brings the studio back: at the limit it adds folders and
	// photos again, below it albums.
	s.Client.Run(t, []apptest.Scenario{
		{Name: "delete a photo", Path: path + "/photos/" + photo + "/delete", Form: url.Values{}, Status: http.StatusSeeOther},
		{Name: "delete album 5", Path: albumPathOf(albums[4]) + "/delete", Form: url.Values{}, Status: http.StatusSeeOther},
		{Name: "delete album 4", Path: albumPathOf(albums[3]) + "/delete", Form: url.Values{}, Status: http.StatusSeeOther},
		{Name: "at the limit: a folder", Path: path + "/folders", Form: url.Values{"name": {"Reception"}}, Status: http.StatusSeeOther},
		{Name: "at the limit: no album", Path: "/studio/albums", Form: url.Values{"title": {"Fourth"}}, Status: http.StatusPaymentRequired,
			Contains: []string{"Your Free plan allows 3 albums and the studio uses 3."}},
	})
	if res := upload(t, s.Client, first, folder, "IMG_2.jpg", readFace(t, "img51.jpg")); res.StatusCode != http.StatusCreated {
		t.Fatalf("upload within the plan: %d %s", res.StatusCode, res.Body)
	}
	s.Client.Run(t, []apptest.Scenario{
		{Name: "delete album 3", Path: albumPathOf(albums[2]) + "/delete", Form: url.Values{}, Status: http.StatusSeeOther},
	})
	createAlbum(t, s.Client, "Third again", nil)
	if n := countIn(t, ta, "albums", s.id); n != 3 {
		t.Fatalf("%d albums, want 3", n)
	}
}

// Face search bought before its collection exists is taken by the next
// collection past the plan, once.
func TestQuotaFaceCollectionCredit(t *testing.T) {
	ta := billedApp(t)
	s := newQuotaStudio(t, ta, ta.OpenAPI(), "Lumen Studio", "lumen@example.com")
	first, second := createAlbum(t, s.Client, "Sharma wedding", nil).String(), createAlbum(t, s.Client, "Rao wedding", nil).String()
	unlock(t, ta, s.id, "")
	collections := apiPath("face-collections")
	made := decode[struct{ ID string }](t, s.api.JSON(http.MethodPost, collections, map[string]any{"name": "Guests", "album_ids": []string{first}}))
	var bound string
	err := ta.Superuser().QueryRow(context.Background(), "SELECT coalesce(target_id::text, '') FROM studio_unlocks WHERE studio_id = $1", s.id).Scan(&bound)
	if err != nil || made.ID == "" || bound != made.ID {
		t.Fatalf("collection %q, unlock now for %q (%v)", made.ID, bound, err)
	}
	s.api.Run(t, []apptest.Scenario{
		{Name: "the credit is spent", Path: collections, JSON: map[string]any{"name": "More", "album_ids": []string{second}},
			Status: http.StatusPaymentRequired, Contains: []string{"Your Free plan allows 0 face search collections"}},
	})
}
