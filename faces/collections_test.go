package faces_test

import (
	"errors"
	"slices"
	"sort"
	"strconv"
	"testing"

	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/faces"
)

// The identities with the most photos, one photo of each kept back as the
// guest's selfie.
var people = []struct {
	identity string
	selfie   string
}{
	{"df_img1", "img1.jpg"},
	{"df_img26", "img26.jpg"},
	{"df_img8", "img8.jpg"},
	{"df_img3", "img3.jpg"},
}

// eventPhotos are the labelled photos of those identities but the
// selfies, and their identity.
func eventPhotos(t *testing.T) (files []string, who map[string]string) {
	who = map[string]string{}
	for file, id := range labelled(t) {
		for _, p := range people {
			if id == p.identity && file != p.selfie {
				files = append(files, file)
				who[file] = id
			}
		}
	}
	sort.Strings(files)
	return files, who
}

// Real photos of an event, uploaded and rendered by the gallery, half
// before face search is turned on (the collection's job queues them) and
// half after (each rendition queues its photo in the same transaction):
// every photo is indexed, with visible progress; each person's faces form
// one person; a held-back photo of each person, used as a selfie, finds
// exactly that person's photos.
func TestIndexAnEventEndToEnd(t *testing.T) {
	e := newEnv(t)
	files, who := eventPhotos(t)
	album, folder := e.album("Sharma wedding")
	photos := map[uuid.UUID]string{}
	half := len(files) / 2
	for _, f := range files[:half] {
		photos[e.uploadFile(album, folder, f)] = f
	}
	if n := e.queued(faces.IndexPhotoArgs{}.Kind()); n != 0 {
		t.Fatalf("%d photos queued for indexing before face search was on", n)
	}
	c, err := e.svc.CreateCollection(e.ctx, e.studio, faces.CollectionInput{Name: "Guests", AlbumIDs: []uuid.UUID{album}}, e.act)
	if err != nil {
		t.Fatal(err)
	}
	if n := e.queued(faces.IndexCollectionArgs{}.Kind()); n != 1 {
		t.Fatalf("%d collection jobs queued, want 1", n)
	}
	if got, _ := e.svc.Collection(e.ctx, e.studio, c.ID); got.Progress.Done() || got.Progress.String() != "0 of "+strconv.Itoa(half)+" photos" {
		t.Fatalf("progress before indexing: %+v (%s)", got.Progress, got.Progress)
	}
	e.work()
	for _, f := range files[half:] {
		photos[e.uploadFile(album, folder, f)] = f
	}
	if n := e.queued(faces.IndexPhotoArgs{}.Kind()); n != len(files)-half {
		t.Fatalf("%d photos queued by their renditions, want %d", n, len(files)-half)
	}
	e.work()
	got, err := e.svc.Collection(e.ctx, e.studio, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	p := got.Progress
	if !p.Done() || p.Indexed != len(files) || p.Failed != 0 || p.Faces < len(files) || p.String() != strconv.Itoa(len(files))+" of "+strconv.Itoa(len(files))+" photos" {
		t.Fatalf("progress %+v (%s), want all %d photos indexed with a face each", p, p, len(files))
	}
	checkStoredFaces(t, e, c.ID, photos)
	checkPeople(t, e, c.ID, photos, who)
	for _, person := range people {
		var want []string
		for _, f := range files {
			if who[f] == person.identity {
				want = append(want, f)
			}
		}
		matches, err := e.svc.Search(e.ctx, e.studio, c.ID, selfie(t, person.selfie))
		if err != nil {
			t.Fatal(err)
		}
		var found []string
		for _, m := range matches {
			found = append(found, photos[m.PhotoID])
		}
		sort.Strings(found)
		if !slices.Equal(found, want) {
			t.Errorf("selfie %s (%s) found %v, want %v", person.selfie, person.identity, found, want)
		}
	}
}

// checkStoredFaces: every photo has a face, each stored with the model's
// id and a box inside the photo; the largest face of each photo is
// reasonably large (these are portraits).
func checkStoredFaces(t *testing.T, e *env, coll uuid.UUID, photos map[uuid.UUID]string) {
	t.Helper()
	rows, err := e.su.Query(e.ctx, `SELECT photo_id, model, x, y, w, h FROM faces WHERE collection_id = $1`, coll)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := map[uuid.UUID]bool{}
	for rows.Next() {
		var photo uuid.UUID
		var model string
		var x, y, w, h float32
		if err := rows.Scan(&photo, &model, &x, &y, &w, &h); err != nil {
			t.Fatal(err)
		}
		seen[photo] = true
		if model != pipeline(t).ModelID() || x < 0 || y < 0 || w <= 0 || h <= 0 || x+w > 1.0001 || y+h > 1.0001 {
			t.Errorf("face of %s: model %q box %v %v %v %v", photos[photo], model, x, y, w, h)
		}
	}
	for id, f := range photos {
		if !seen[id] {
			t.Errorf("no face stored for %s", f)
		}
	}
}

// checkPeople: the largest face of every photo of one identity belongs to
// one person, and no two identities share a person.
func checkPeople(t *testing.T, e *env, coll uuid.UUID, photos map[uuid.UUID]string, who map[string]string) {
	t.Helper()
	rows, err := e.su.Query(e.ctx, `SELECT DISTINCT ON (photo_id) photo_id, person_id FROM faces
		WHERE collection_id = $1 ORDER BY photo_id, width DESC`, coll)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	personOf := map[string]map[uuid.UUID]bool{} // identity -> people
	identityOf := map[uuid.UUID]map[string]bool{}
	for rows.Next() {
		var photo uuid.UUID
		var person *uuid.UUID
		if err := rows.Scan(&photo, &person); err != nil {
			t.Fatal(err)
		}
		id := who[photos[photo]]
		if person == nil {
			t.Errorf("%s (%s) is in no person", photos[photo], id)
			continue
		}
		if personOf[id] == nil {
			personOf[id] = map[uuid.UUID]bool{}
		}
		if identityOf[*person] == nil {
			identityOf[*person] = map[string]bool{}
		}
		personOf[id][*person] = true
		identityOf[*person][id] = true
	}
	for id, ps := range personOf {
		if len(ps) != 1 {
			t.Errorf("%s is split into %d people", id, len(ps))
		}
	}
	for p, ids := range identityOf {
		if len(ids) != 1 {
			t.Errorf("person %s mixes %v", p, ids)
		}
	}
	list, err := e.svc.People(e.ctx, e.studio, coll)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) < len(personOf) {
		t.Errorf("%d people listed, want at least %d", len(list), len(personOf))
	}
	for _, p := range list {
		if p.Cover == nil || p.Faces < 1 || p.Photos < 1 {
			t.Errorf("person %+v has no cover or no faces", p)
		}
	}
}

// Face search is per studio: another studio sees no collection, and an
// album can be in one collection only.
func TestCollectionsBelongToTheirStudio(t *testing.T) {
	e := newEnv(t)
	album, _ := e.album("Sharma wedding")
	c, err := e.svc.CreateCollection(e.ctx, e.studio, faces.CollectionInput{Name: " Guests ", AlbumIDs: []uuid.UUID{album, album}}, e.act)
	if err != nil || c.Name != "Guests" || len(c.AlbumIDs) != 1 {
		t.Fatalf("create: %+v, %v", c, err)
	}
	if _, err := e.svc.CreateCollection(e.ctx, e.studio, faces.CollectionInput{Name: "Again", AlbumIDs: []uuid.UUID{album}}, e.act); !errors.Is(err, faces.ErrConflict) {
		t.Errorf("album in a second collection: %v, want a conflict", err)
	}
	for name, in := range map[string]faces.CollectionInput{
		"no name":       {Name: " ", AlbumIDs: []uuid.UUID{album}},
		"no album":      {Name: "x"},
		"unknown album": {Name: "x", AlbumIDs: []uuid.UUID{uuid.New()}},
	} {
		if _, err := e.svc.CreateCollection(e.ctx, e.studio, in, e.act); !errors.Is(err, faces.ErrInvalidInput) {
			t.Errorf("%s: %v, want invalid input", name, err)
		}
	}
	other := e.ta.NewStudio("Other")
	if _, err := e.svc.Collection(e.ctx, other.StudioID, c.ID); !errors.Is(err, faces.ErrNotFound) {
		t.Errorf("another studio reads the collection: %v", err)
	}
	if _, err := e.svc.CreateCollection(e.ctx, other.StudioID, faces.CollectionInput{Name: "Mine", AlbumIDs: []uuid.UUID{album}}, faces.Actor{UserID: other.ID}); !errors.Is(err, faces.ErrInvalidInput) {
		t.Errorf("another studio's album: %v, want invalid input", err)
	}
	if list, err := e.svc.Collections(e.ctx, other.StudioID); err != nil || len(list) != 0 {
		t.Errorf("another studio lists %d collections, %v", len(list), err)
	}
	if got, err := e.svc.CollectionOfAlbum(e.ctx, e.studio, album); err != nil || got.ID != c.ID {
		t.Errorf("collection of album: %+v, %v", got, err)
	}
}

func TestProgressLine(t *testing.T) {
	for _, c := range []struct {
		p    faces.Progress
		want string
	}{
		{faces.Progress{Indexed: 812, Photos: 1040}, "812 of 1,040 photos"},
		{faces.Progress{Indexed: 0, Photos: 0}, "0 of 0 photos"},
		{faces.Progress{Indexed: 1234567, Photos: 1234567}, "1,234,567 of 1,234,567 photos"},
	} {
		if got := c.p.String(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.p, got, c.want)
		}
	}
}
