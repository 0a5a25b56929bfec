package billing

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// ErrLimitReached is matched by every LimitError.
var ErrLimitReached = errors.New("plan limit reached")

// Resource is something a plan limits.
type Resource string

// Resources a plan limits.
const (
	ResourceStorage         Resource = "storage_bytes"
	ResourceAlbums          Resource = "albums"
	ResourceFaceCollections Resource = "face_collections"
	ResourceStaffSeats      Resource = "staff_seats"
)

// resourceNames name one and many of each resource; storage is an amount.
var resourceNames = map[Resource][2]string{
	ResourceStorage: {"storage", "storage"}, ResourceAlbums: {"album", "albums"},
	ResourceFaceCollections: {"face search collection", "face search collections"}, ResourceStaffSeats: {"staff seat", "staff seats"},
}

// Limits are what a studio may use now: its plan's limits (the free plan's
// without a live subscription) plus its unlocks.
type Limits struct {
	Plan            string `json:"plan"`
	PlanName        string `json:"plan_name"`
	StorageBytes    Limit  `json:"storage_bytes"`
	Albums          Limit  `json:"albums"`
	FaceCollections Limit  `json:"face_collections"`
	StaffSeats      Limit  `json:"staff_seats"`
	// UnlockedCollections have face search bought one by one: they count
	// against no limit, whatever the plan.
	UnlockedCollections []uuid.UUID `json:"unlocked_collections"`
	// CollectionCredits are face search unlocks bought before their
	// collection existed: the next collections past the plan take them.
	CollectionCredits int `json:"collection_credits"`
}

// Usage is what a studio uses, measured by the app. FaceCollections counts
// the collections that are not unlocked one by one.
type Usage struct {
	StorageBytes    int64 `json:"storage_bytes"`
	Albums          int64 `json:"albums"`
	FaceCollections int64 `json:"face_collections"`
	StaffSeats      int64 `json:"staff_seats"`
}

// LimitError says which limit a change would pass, in words for the studio
// with the way out (a bigger plan).
type LimitError struct {
	Resource Resource
	Limit    Limit
	Used     int64
	Message  string
}

func (e *LimitError) Error() string        { return e.Message }
func (e *LimitError) Is(target error) bool { return target == ErrLimitReached }

// Limit is the limit of one resource.
func (l Limits) Limit(r Resource) Limit {
	switch r {
	case ResourceStorage:
		return l.StorageBytes
	case ResourceAlbums:
		return l.Albums
	case ResourceFaceCollections:
		return l.FaceCollections
	case ResourceStaffSeats:
		return l.StaffSeats
	}
	return 0
}

// Allow returns a LimitError when adding more of r to used would pass the
// limit; nil when it fits.
func (l Limits) Allow(r Resource, used, adding int64) error {
	lim := l.Limit(r)
	if lim.Allows(used + adding) {
		return nil
	}
	return &LimitError{Resource: r, Limit: lim, Used: used, Message: fmt.Sprintf(
		"Your %s plan allows %s and the studio uses %s. Upgrade your plan to add more.",
		l.PlanName, counted(r, int64(lim)), amount(r, used))}
}

// counted says n of r: "2 GB of storage", "1 staff seat", "3 albums".
func counted(r Resource, n int64) string {
	if r == ResourceStorage {
		return amount(r, n) + " of storage"
	}
	if n == 1 {
		return "1 " + resourceNames[r][0]
	}
	return amount(r, n) + " " + resourceNames[r][1]
}

// Over lists every limit usage is past, as after a downgrade: the app then
// keeps that kind of data read-only (nothing is deleted) until the studio
// upgrades or tidies up.
func (l Limits) Over(u Usage) []*LimitError {
	var out []*LimitError
	for _, r := range []struct {
		r    Resource
		used int64
	}{{ResourceStorage, u.StorageBytes}, {ResourceAlbums, u.Albums}, {ResourceFaceCollections, u.FaceCollections}, {ResourceStaffSeats, u.StaffSeats}} {
		if err := l.Allow(r.r, r.used, 0); err != nil {
			out = append(out, err.(*LimitError))
		}
	}
	return out
}

// CollectionUnlocked reports whether face search was bought for collection.
func (l Limits) CollectionUnlocked(collection uuid.UUID) bool {
	return slices.Contains(l.UnlockedCollections, collection)
}

func amount(r Resource, n int64) string {
	if r != ResourceStorage {
		return fmt.Sprint(n)
	}
	const gib = 1 << 30
	if n%gib == 0 || n >= 10*gib {
		return fmt.Sprintf("%d GB", n/gib)
	}
	return fmt.Sprintf("%.1f GB", float64(n)/gib)
}

// Limits are the studio's limits now.
func (s *Service) Limits(ctx context.Context, studio uuid.UUID) (Limits, error) {
	var l Limits
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) (err error) {
		l, err = LimitsIn(tx, studio)
		return err
	})
	if err != nil {
		return Limits{}, fmt.Errorf("billing: limits: %w", err)
	}
	return l, nil
}

// LimitsIn reads the studio's limits inside the caller's transaction, so the
// app can check a limit and make the change it guards in one transaction.
func LimitsIn(tx *gorm.DB, studio uuid.UUID) (Limits, error) {
	a, err := accountOf(tx, studio)
	if err != nil {
		return Limits{}, err
	}
	p, err := planByCode(tx, a.PlanCode)
	if err != nil {
		return Limits{}, fmt.Errorf("plan %s: %w", a.PlanCode, err)
	}
	us, err := unlocksOf(tx, studio)
	if err != nil {
		return Limits{}, err
	}
	return limitsOf(p, us), nil
}

func limitsOf(p *Plan, us []Unlock) Limits {
	l := Limits{Plan: p.Code, PlanName: p.Name, StorageBytes: p.StorageBytes, Albums: p.Albums,
		FaceCollections: p.FaceCollections, StaffSeats: p.StaffSeats, UnlockedCollections: []uuid.UUID{}}
	for _, u := range us {
		switch {
		case u.Kind == KindStoragePack:
			l.StorageBytes = l.StorageBytes.Plus(u.Quantity)
		case u.Kind == KindFaceSearch && u.TargetID != nil:
			l.UnlockedCollections = append(l.UnlockedCollections, *u.TargetID)
		case u.Kind == KindFaceSearch:
			l.CollectionCredits++
		}
	}
	return l
}
