package database_test

import (
	"context"
	"sync"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/proofsheet/proofsheet/app/database"
	"github.com/proofsheet/proofsheet/app/database/dbtest"
)

// A pinned pool's connections are the app's: bound by row-level security
// as the app role, telling the same change hook; work done one after
// another stays on one backend; closing the app pool closes it too.
func TestPinnedPoolIsTheAppsAndKeepsItsBackend(t *testing.T) {
	db, _ := dbtest.Open(t)
	ctx := context.Background()
	p, err := db.Pinned(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var heard []uuid.UUID
	db.OnChange(func(s uuid.UUID) { mu.Lock(); heard = append(heard, s); mu.Unlock() })

	a := seedStudio(t, db, "A", "a@example.com")
	seedStudio(t, db, "B", "b@example.com")
	var role string
	var studios int64
	pids := map[int]bool{}
	for range 5 {
		var pid int
		err := p.InStudio(ctx, a, func(tx *gorm.DB) error {
			if err := tx.Raw("SELECT current_user").Scan(&role).Error; err != nil {
				return err
			}
			if err := tx.Raw("SELECT count(*) FROM studios").Scan(&studios).Error; err != nil {
				return err
			}
			return tx.Raw("SELECT pg_backend_pid()").Scan(&pid).Error
		})
		if err != nil {
			t.Fatal(err)
		}
		pids[pid] = true
	}
	if role != database.AppRole || studios != 1 {
		t.Fatalf("pinned connection runs as %q and sees %d studios, want %s seeing 1", role, studios, database.AppRole)
	}
	if len(pids) != 1 {
		t.Fatalf("five searches one after another ran on %d backends, want 1", len(pids))
	}

	mu.Lock()
	heard = nil
	mu.Unlock()
	err = p.InStudio(ctx, a, func(tx *gorm.DB) error {
		return tx.Exec("UPDATE studios SET name = 'A2' WHERE id = ?", a).Error
	})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	got := heard
	mu.Unlock()
	if len(got) != 1 || got[0] != a {
		t.Fatalf("the change hook heard %v of a rename through the pinned pool, want [%s]", got, a)
	}

	db.Close()
	if err := p.Pool.Ping(ctx); err == nil {
		t.Fatal("the pinned pool still answers after the app pool closed")
	}
}
