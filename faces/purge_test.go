package faces_test

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math"
	"testing"

	"github.com/google/uuid"
	"github.com/pgvector/pgvector-go"
	"github.com/x448/float16"
	"gorm.io/gorm"

	"github.com/proofsheet/proofsheet/faces"
)

// guests gives a collection an invite link and two registrations through
// it, one bound to a face; it stores them as the app's role would, and
// returns the bound face.
func (e *env) guests(coll uuid.UUID, selfieFile string) []float32 {
	e.t.Helper()
	emb := selfie(e.t, selfieFile)
	token := sha256.Sum256([]byte(coll.String()))
	invite := uuid.New()
	err := e.ta.DB.InStudio(e.ctx, e.studio, func(tx *gorm.DB) error {
		err := tx.Exec(`INSERT INTO face_invites (id, studio_id, collection_id, token_hash, expires_at, max_registrations)
			VALUES (?, ?, ?, ?, now() + interval '7 days', 50)`, invite, e.studio, coll, hex.EncodeToString(token[:])).Error
		if err != nil {
			return err
		}
		for i, bound := range []bool{true, false} {
			var model *string
			var vec *pgvector.Vector
			if bound {
				v := pgvector.NewVector(emb.Embedding)
				model, vec = &emb.Model, &v
			}
			err := tx.Exec(`INSERT INTO face_registrations (id, studio_id, collection_id, invite_id, token_hash, name, email,
					consent_at, model, embedding, bound_at) VALUES (?, ?, ?, ?, ?, 'Guest', ?, now(), ?, ?, now())`,
				uuid.New(), e.studio, coll, invite, uuid.NewString(), "guest"+string(rune('a'+i))+"@example.com", model, vec).Error
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	if s, err := e.ta.DB.StudioOf(e.ctx, "face_invite", hex.EncodeToString(token[:])); err != nil || s != e.studio {
		e.t.Fatalf("studio_of face_invite: %v, %v", s, err)
	}
	return emb.Embedding
}

// leftovers counts the rows of a collection in every table with a
// collection_id column (found in the catalogue, so a table added later is
// checked too), and the collection's own row.
func (e *env) leftovers(coll uuid.UUID) map[string]int {
	e.t.Helper()
	rows, err := e.su.Query(e.ctx, `SELECT table_name FROM information_schema.columns
		WHERE table_schema = 'public' AND column_name = 'collection_id'`)
	if err != nil {
		e.t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var t string
		_ = rows.Scan(&t)
		tables = append(tables, t)
	}
	rows.Close()
	if len(tables) < 6 {
		e.t.Fatalf("only %v have a collection_id", tables)
	}
	out := map[string]int{}
	for _, t := range append(tables, "face_collections") {
		col := "collection_id"
		if t == "face_collections" {
			col = "id"
		}
		var n int
		if err := e.su.QueryRow(e.ctx, `SELECT count(*) FROM `+t+` WHERE `+col+` = $1`, coll).Scan(&n); err != nil {
			e.t.Fatal(err)
		}
		if n > 0 {
			out[t] = n
		}
	}
	return out
}

// inPages reports whether any page of a relation holds the vector, as
// float32s (a table) or float16s (the HNSW index, migration 00013), each
// within tol: the index stores a re-normalised copy, which may differ in
// the last bits.
func (e *env) inPages(rel string, v []float32, tol float64, half bool) bool {
	e.t.Helper()
	var pages int
	if err := e.su.QueryRow(e.ctx, `SELECT pg_relation_size($1::regclass) / 8192`, rel).Scan(&pages); err != nil {
		e.t.Fatal(err)
	}
	width, at := 4, func(b []byte) float32 { return math.Float32frombits(binary.LittleEndian.Uint32(b)) }
	if half {
		width, at = 2, func(b []byte) float32 { return float16.Frombits(binary.LittleEndian.Uint16(b)).Float32() }
	}
	for i := range pages {
		var page []byte
		if err := e.su.QueryRow(e.ctx, `SELECT get_raw_page($1, $2)`, rel, i).Scan(&page); err != nil {
			e.t.Fatal(err)
		}
		for off := 0; off+width*len(v) <= len(page); off += 2 {
			if vectorAt(page[off:], v, tol, width, at) {
				return true
			}
		}
	}
	return false
}

func vectorAt(b []byte, v []float32, tol float64, width int, at func([]byte) float32) bool {
	for i, x := range v {
		if math.Abs(float64(at(b[width*i:])-x)) > tol {
			return false
		}
	}
	return true
}

// Deleting a collection deletes every face, person, invite, registration
// and guest embedding of it in one transaction, after showing what it
// will delete; the queued vacuum then wipes the embeddings from the HNSW
// index's pages; searches find nothing of it. Another collection of the
// studio is untouched.
func TestDeleteCollectionLeavesNothing(t *testing.T) {
	e := newEnv(t)
	a1, f1 := e.album("Gala")
	a2, f2 := e.album("Picnic")
	gala := e.uploadPeople(a1, f1, []string{"img1.jpg"}, "df_img1")
	e.uploadPeople(a2, f2, nil, "df_img8")
	c := e.collection("Gala guests", a1)
	keep := e.collection("Picnic guests", a2)
	guestFace := e.guests(c.ID, "img1.jpg")
	e.guests(keep.ID, "img8.jpg")
	if _, err := e.su.Exec(e.ctx, `CREATE EXTENSION IF NOT EXISTS pageinspect`); err != nil {
		t.Fatal(err)
	}
	var stored pgvector.Vector
	if err := e.su.QueryRow(e.ctx, `SELECT embedding FROM faces WHERE collection_id = $1 LIMIT 1`, c.ID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	// Half precision is 11 bits: 2e-3 is a few steps at these values.
	if !e.inPages(hnswIndex, stored.Slice(), 2e-3, true) || !e.inPages("face_registrations", guestFace, 0, false) {
		t.Fatal("the stored embeddings are not found in the index and table pages: the check below would prove nothing")
	}

	want, err := e.svc.PurgeCounts(e.ctx, e.studio, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want.Albums != 1 || want.Photos != len(gala) || want.Faces != c.Progress.Faces || want.People != 1 || want.Invites != 1 || want.Registrations != 2 {
		t.Fatalf("purge counts %+v (progress %+v)", want, c.Progress)
	}
	got, err := e.svc.DeleteCollection(e.ctx, e.studio, c.ID, e.act)
	if err != nil || got != want {
		t.Fatalf("deleted %+v, %v; counted %+v", got, err, want)
	}
	if left := e.leftovers(c.ID); len(left) != 0 {
		t.Errorf("rows left of the deleted collection: %v", left)
	}
	if _, err := e.svc.Search(e.ctx, e.studio, c.ID, selfie(t, "img1.jpg")); !errors.Is(err, faces.ErrNotFound) {
		t.Errorf("search of the deleted collection: %v", err)
	}
	for _, f := range []string{"img1.jpg", "img2.jpg"} {
		ms, err := e.svc.SearchFaces(e.ctx, e.studio, keep.ID, selfie(t, f), 1000, faces.Auto)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if _, ok := gala[m.PhotoID]; ok {
				t.Errorf("a face of the deleted collection is found through another")
			}
		}
	}
	if n := e.queued(faces.VacuumArgs{}.Kind()); n != 1 {
		t.Fatalf("%d vacuum jobs queued by the purge, want 1", n)
	}
	e.work()
	if e.inPages(hnswIndex, stored.Slice(), 2e-3, true) {
		t.Error("a deleted face's embedding is still in the HNSW index after the vacuum")
	}
	var vacuums int
	if err := e.su.QueryRow(e.ctx, `SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = 'face_registrations'`).Scan(&vacuums); err != nil || vacuums == 0 {
		t.Errorf("face_registrations vacuumed %d times, %v", vacuums, err)
	}
	if p, err := e.svc.Collection(e.ctx, e.studio, keep.ID); err != nil || !p.Progress.Done() || p.Progress.Faces == 0 || p.Progress.People != 1 {
		t.Errorf("the other collection: %+v, %v", p, err)
	}
	if left := e.leftovers(keep.ID); left["face_registrations"] != 2 || left["faces"] == 0 {
		t.Errorf("the other collection's rows: %v", left)
	}
}

// A deleted photo's faces go with it; deleting one album of a collection
// deletes its faces and the people left without one; deleting the last
// album deletes the whole collection, guests included. Each queues a vacuum.
func TestDeletingPhotosAndAlbums(t *testing.T) {
	e := newEnv(t)
	a1, f1 := e.album("Ceremony")
	a2, f2 := e.album("Reception")
	ceremony := e.uploadPeople(a1, f1, nil, "df_img1")
	reception := e.uploadPeople(a2, f2, nil, "df_img26")
	c := e.collection("Wedding", a1, a2)
	e.guests(c.ID, "img1.jpg")
	if c.Progress.People != 2 || c.Progress.Indexed != len(ceremony)+len(reception) {
		t.Fatalf("progress %+v", c.Progress)
	}
	faceCount := func(photo uuid.UUID) int {
		var n int
		if err := e.su.QueryRow(e.ctx, `SELECT count(*) FROM faces WHERE photo_id = $1`, photo).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// The collection's face count (kept by triggers, read by every
	// search) follows every way faces come and go.
	counted := func(step string) {
		t.Helper()
		var kept, real int
		err := e.su.QueryRow(e.ctx, `SELECT face_count, (SELECT count(*) FROM faces WHERE collection_id = $1)
			FROM face_collections WHERE id = $1`, c.ID).Scan(&kept, &real)
		if err != nil || kept != real || real == 0 {
			t.Errorf("%s: face_count %d, faces %d (%v)", step, kept, real, err)
		}
	}
	counted("indexed")
	var gone uuid.UUID
	for id := range ceremony {
		gone = id
		break
	}
	if faceCount(gone) == 0 {
		t.Fatal("the photo has no face to lose")
	}
	if err := e.ta.Gallery.DeletePhoto(e.ctx, e.studio, a1, gone, e.gact); err != nil {
		t.Fatal(err)
	}
	if n := faceCount(gone); n != 0 {
		t.Errorf("%d faces left of a deleted photo", n)
	}
	if p, _ := e.svc.Collection(e.ctx, e.studio, c.ID); p.Progress.Indexed != len(ceremony)+len(reception)-1 || !p.Progress.Done() {
		t.Errorf("progress after deleting a photo: %+v", p.Progress)
	}
	counted("a photo deleted")

	if err := e.ta.Gallery.DeleteAlbum(e.ctx, e.studio, a2, e.gact); err != nil {
		t.Fatal(err)
	}
	p, err := e.svc.Collection(e.ctx, e.studio, c.ID)
	if err != nil || len(p.AlbumIDs) != 1 || p.Progress.People != 1 || p.Progress.Indexed != len(ceremony)-1 {
		t.Fatalf("after deleting one album: %+v, %v", p, err)
	}
	var people int
	if err := e.su.QueryRow(e.ctx, `SELECT count(*) FROM people WHERE collection_id = $1`, c.ID).Scan(&people); err != nil || people != 1 {
		t.Errorf("%d people rows left, want 1 (%v)", people, err)
	}
	counted("an album deleted")
	if n := e.queued(faces.VacuumArgs{}.Kind()); n != 1 {
		t.Errorf("%d vacuum jobs after deleting an album, want 1", n)
	}
	if err := e.ta.Gallery.DeleteAlbum(e.ctx, e.studio, a1, e.gact); err != nil {
		t.Fatal(err)
	}
	if left := e.leftovers(c.ID); len(left) != 0 {
		t.Errorf("rows left after deleting the collection's last album: %v", left)
	}
	if n := e.queued(faces.VacuumArgs{}.Kind()); n != 2 {
		t.Errorf("%d vacuum jobs, want 2", n)
	}
}

// Purging a studio deletes every collection of it in one go, and deleting
// the studio's row would take whatever is left with it.
func TestPurgeStudio(t *testing.T) {
	e := newEnv(t)
	a1, f1 := e.album("Gala")
	e.uploadPeople(a1, f1, nil, "df_img3")
	a2, _ := e.album("Empty")
	c1 := e.collection("Gala guests", a1)
	c2 := e.collection("Nobody yet", a2)
	e.guests(c1.ID, "img3.jpg")
	got, err := e.svc.PurgeStudio(e.ctx, e.studio, e.act)
	if err != nil || got.Faces != c1.Progress.Faces || got.Registrations != 2 || got.Albums != 2 {
		t.Fatalf("purged %+v, %v", got, err)
	}
	for _, c := range []uuid.UUID{c1.ID, c2.ID} {
		if left := e.leftovers(c); len(left) != 0 {
			t.Errorf("left of %s: %v", c, left)
		}
	}

	c3 := e.collection("Again", a1)
	e.guests(c3.ID, "img3.jpg")
	if _, err := e.su.Exec(e.ctx, `DELETE FROM studios WHERE id = $1`, e.studio); err != nil {
		t.Fatal(err)
	}
	if left := e.leftovers(c3.ID); len(left) != 0 {
		t.Errorf("left after deleting the studio: %v", left)
	}
}
