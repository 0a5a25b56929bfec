package faces_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/proofsheet/proofsheet/faces"
)

var errPlan = errors.New("plan limit reached")

// gateQuota refuses what its switches say and notes the collections it was
// asked about, checking it is asked inside the studio's transaction.
type gateQuota struct {
	t                      *testing.T
	refuseNew, refuseAlbum bool
	asked                  []uuid.UUID
}

func (q *gateQuota) ask(tx *gorm.DB, studio, collection uuid.UUID, refuse bool) error {
	var in string
	if err := tx.Raw("SELECT current_setting('app.studio_id', true)").Scan(&in).Error; err != nil || in != studio.String() {
		q.t.Errorf("asked outside the studio's transaction: %q %v", in, err)
	}
	q.asked = append(q.asked, collection)
	if refuse {
		return errPlan
	}
	return nil
}

func (q *gateQuota) AddCollection(_ context.Context, tx *gorm.DB, studio, collection uuid.UUID) error {
	return q.ask(tx, studio, collection, q.refuseNew)
}

func (q *gateQuota) AddAlbums(_ context.Context, tx *gorm.DB, studio, collection uuid.UUID) error {
	return q.ask(tx, studio, collection, q.refuseAlbum)
}

// A refused collection is not made and a refused album is not added; a
// nil Quota refuses nothing. The Quota learns the new collection's id
// before it exists, so an unlock bought for it can count.
func TestQuotaGuardsCollections(t *testing.T) {
	e := newEnv(t)
	first, _ := e.album("Sharma wedding")
	second, _ := e.album("Kapoor engagement")
	q := &gateQuota{t: t, refuseNew: true, refuseAlbum: true}
	d := e.svc.Deps
	d.Quota = q
	svc := faces.New(d)
	in := faces.CollectionInput{Name: "Guests", AlbumIDs: []uuid.UUID{first}}
	if _, err := svc.CreateCollection(e.ctx, e.studio, in, e.act); !errors.Is(err, errPlan) {
		t.Fatalf("create: %v, want the refusal", err)
	}
	if len(q.asked) != 1 || q.asked[0] == uuid.Nil {
		t.Fatalf("asked about %v", q.asked)
	}
	if cs, err := svc.Collections(e.ctx, e.studio); err != nil || len(cs) != 0 {
		t.Fatalf("%d collections after a refusal: %v", len(cs), err)
	}

	q.refuseNew = false
	c, err := svc.CreateCollection(e.ctx, e.studio, in, e.act)
	if err != nil || q.asked[1] != c.ID {
		t.Fatalf("create: %v; asked about %v, made %v", err, q.asked, c)
	}
	if _, err := svc.AddAlbums(e.ctx, e.studio, c.ID, []uuid.UUID{second}, e.act); !errors.Is(err, errPlan) || q.asked[2] != c.ID {
		t.Fatalf("add albums: %v, asked about %v", err, q.asked)
	}
	if got, _ := svc.Collection(e.ctx, e.studio, c.ID); len(got.AlbumIDs) != 1 {
		t.Fatalf("albums after a refusal: %v", got.AlbumIDs)
	}

	d.Quota = nil
	if _, err := faces.New(d).AddAlbums(e.ctx, e.studio, c.ID, []uuid.UUID{second}, e.act); err != nil {
		t.Fatalf("nil Quota: %v", err)
	}
}
