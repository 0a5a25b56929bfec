package faces_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/faces"
)

// wantFiles lists the photos of the map, sorted.
func wantFiles(photos map[uuid.UUID]string) []string {
	var out []string
	for _, f := range photos {
		out = append(out, f)
	}
	slices.Sort(out)
	return out
}

// The studio names, hides, shows and merges people; a hidden person is
// found by no selfie; after a merge a selfie of either finds both.
func TestPeopleNameHideMerge(t *testing.T) {
	e := newEnv(t)
	album, folder := e.album("Gala")
	asha := e.uploadPeople(album, folder, []string{"img1.jpg"}, "df_img1")
	ben := e.uploadPeople(album, folder, []string{"img8.jpg"}, "df_img8")
	c := e.collection("Gala guests", album)
	var ashaID, benID uuid.UUID
	for id := range asha {
		ashaID = e.personOf(id)
	}
	for id := range ben {
		benID = e.personOf(id)
	}
	list, err := e.svc.People(e.ctx, e.studio, c.ID)
	if err != nil || len(list) != 2 || ashaID == benID {
		t.Fatalf("people %+v, %v; want two", list, err)
	}

	p, err := e.svc.RenamePerson(e.ctx, e.studio, c.ID, ashaID, "  Asha  ", e.act)
	if err != nil || p.Name != "Asha" || p.Photos != len(asha) {
		t.Fatalf("rename: %+v, %v", p, err)
	}
	if _, err := e.svc.RenamePerson(e.ctx, e.studio, c.ID, uuid.New(), "Nobody", e.act); !errors.Is(err, faces.ErrNotFound) {
		t.Errorf("rename an unknown person: %v", err)
	}
	selfieAsha := selfie(t, "img1.jpg")
	if got := e.search(c.ID, selfieAsha, asha); !slices.Equal(got, wantFiles(asha)) {
		t.Fatalf("selfie of Asha finds %v, want %v", got, wantFiles(asha))
	}

	if p, err := e.svc.SetPersonHidden(e.ctx, e.studio, c.ID, ashaID, true, e.act); err != nil || !p.Hidden {
		t.Fatalf("hide: %+v, %v", p, err)
	}
	if got := e.search(c.ID, selfieAsha, asha); len(got) != 0 {
		t.Errorf("a hidden person is found: %v", got)
	}
	if list, _ := e.svc.People(e.ctx, e.studio, c.ID); len(list) != 2 || !hidden(list, ashaID) {
		t.Errorf("people after hiding: %+v", list)
	}
	if _, err := e.svc.SetPersonHidden(e.ctx, e.studio, c.ID, ashaID, false, e.act); err != nil {
		t.Fatal(err)
	}
	if got := e.search(c.ID, selfieAsha, asha); !slices.Equal(got, wantFiles(asha)) {
		t.Errorf("shown again, the selfie finds %v", got)
	}

	if _, err := e.svc.MergePeople(e.ctx, e.studio, c.ID, ashaID, []uuid.UUID{ashaID}, e.act); !errors.Is(err, faces.ErrInvalidInput) {
		t.Errorf("merge into itself: %v", err)
	}
	m, err := e.svc.MergePeople(e.ctx, e.studio, c.ID, benID, []uuid.UUID{ashaID}, e.act)
	if err != nil || m.ID != benID || m.Name != "Asha" || m.Photos != len(asha)+len(ben) {
		t.Fatalf("merge: %+v, %v", m, err)
	}
	if list, _ := e.svc.People(e.ctx, e.studio, c.ID); len(list) != 1 {
		t.Errorf("%d people after the merge, want 1", len(list))
	}
	both := map[uuid.UUID]string{}
	for k, v := range asha {
		both[k] = v
	}
	for k, v := range ben {
		both[k] = v
	}
	if got := e.search(c.ID, selfie(t, "img8.jpg"), both); !slices.Equal(got, wantFiles(both)) {
		t.Errorf("after the merge a selfie of either finds %v, want %v", got, wantFiles(both))
	}
	var kinds []string
	rows, _ := e.su.Query(e.ctx, `SELECT kind FROM audit_log WHERE studio_id = $1 ORDER BY seq`, e.studio)
	for rows.Next() {
		var k string
		_ = rows.Scan(&k)
		kinds = append(kinds, k)
	}
	rows.Close()
	for _, k := range []string{"face_collection.create", "person.rename", "person.hide", "person.merge"} {
		if !slices.Contains(kinds, k) {
			t.Errorf("no %s in the audit log %v", k, kinds)
		}
	}
}

// A selfie that matches a person returns all of that person's photos, also
// those whose face alone is below the threshold. The threshold here is set
// between the selfie's second best and worst similarity to the person's
// faces, so some photos can only come through the person.
func TestSelfieFindsAllPhotosOfItsPerson(t *testing.T) {
	e := newEnv(t)
	album, folder := e.album("Gala")
	asha := e.uploadPeople(album, folder, []string{"img1.jpg"}, "df_img1")
	e.uploadPeople(album, folder, nil, "df_img8", "df_img26")
	c := e.collection("Gala guests", album)
	probe := selfie(t, "img1.jpg")
	near, err := e.svc.SearchFaces(e.ctx, e.studio, c.ID, probe, 100, faces.Exact)
	if err != nil {
		t.Fatal(err)
	}
	var sims []float32
	for _, f := range near {
		if _, ok := asha[f.PhotoID]; ok {
			sims = append(sims, f.Similarity) // nearest first
		}
	}
	if len(sims) != len(asha) || sims[1] <= sims[len(sims)-1] {
		t.Fatalf("similarities to Asha's faces %v", sims)
	}
	strict := e.svc.Deps
	strict.Threshold = (sims[1] + sims[len(sims)-1]) / 2
	ms, err := faces.New(strict).Search(e.ctx, e.studio, c.ID, probe)
	if err != nil {
		t.Fatal(err)
	}
	if got := files(asha, ms); !slices.Equal(got, wantFiles(asha)) {
		t.Fatalf("at threshold %.3f the selfie finds %v, want all of %v", strict.Threshold, got, wantFiles(asha))
	}
	via := 0
	for _, m := range ms {
		if m.ViaPerson {
			via++
			if m.Similarity >= strict.Threshold {
				t.Errorf("photo at %.3f counted as found through the person", m.Similarity)
			}
		}
	}
	if via == 0 {
		t.Errorf("no photo came through the person")
	}
}

func (e *env) search(coll uuid.UUID, probe faces.Face, photos map[uuid.UUID]string) []string {
	e.t.Helper()
	ms, err := e.svc.Search(e.ctx, e.studio, coll, probe)
	if err != nil {
		e.t.Fatal(err)
	}
	return files(photos, ms)
}

func hidden(ps []faces.Person, id uuid.UUID) bool {
	for _, p := range ps {
		if p.ID == id {
			return p.Hidden
		}
	}
	return false
}
