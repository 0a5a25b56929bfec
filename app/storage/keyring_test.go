package storage

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm"
)

// Each studio gets its own data key, created once even when many
// processes ask at the same moment, and stored only wrapped.
func TestStudiosGetDifferentDataKeys(t *testing.T) {
	db := testDB(t)
	ctx := context.Background()
	master := mustMaster(t, testMasterKey)
	a, b := newStudio(t, db), newStudio(t, db)

	// Eight keyrings (eight processes, no shared cache) race for a's key.
	keys := make([]DataKey, 8)
	errs := make([]error, 8)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() { keys[i], errs[i] = NewKeyring(master, db).Current(ctx, a) })
	}
	wg.Wait()
	for i := range keys {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if keys[i].Version != 1 || !bytes.Equal(keys[i].key, keys[0].key) {
			t.Fatalf("keyring %d got another key for the same studio", i)
		}
	}
	var rows int64
	var wrapped []byte
	err := db.Transaction(func(tx *gorm.DB) error {
		tx.Exec("SELECT set_config('app.studio_id', ?, true)", a.String())
		tx.Raw("SELECT count(*) FROM storage_keys").Scan(&rows)
		return tx.Raw("SELECT wrapped FROM storage_keys WHERE studio_id = ?", a).Row().Scan(&wrapped)
	})
	if err != nil || rows != 1 {
		t.Fatalf("studio a has %d key rows (%v), want 1", rows, err)
	}
	if bytes.Contains(wrapped, keys[0].key) || len(wrapped) != 60 {
		t.Fatal("the data key is stored unwrapped")
	}

	kb, err := NewKeyring(master, db).Current(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(kb.key, keys[0].key) {
		t.Fatal("two studios share a data key")
	}
	// Read back through a fresh keyring, the key is the same.
	again, err := NewKeyring(master, db).Version(ctx, b, 1)
	if err != nil || !bytes.Equal(again.key, kb.key) {
		t.Fatalf("reloaded key differs: %v", err)
	}
	// Reading never creates a key.
	c := newStudio(t, db)
	if _, err := NewKeyring(master, db).Version(ctx, c, 1); !errors.Is(err, ErrNoKey) {
		t.Fatalf("version of a studio without keys: %v, want ErrNoKey", err)
	}
}

// Another master key cannot open the data keys, says so in words an
// operator can act on, and a server with it refuses to start.
func TestWrongMasterKeyFailsClearly(t *testing.T) {
	db := testDB(t)
	ctx := context.Background()
	studio := newStudio(t, db)
	b := newTestLocal(t)
	right := New(b, NewKeyring(mustMaster(t, testMasterKey), db))
	if _, err := right.Put(ctx, studio, "albums/a/p", strings.NewReader("hello")); err != nil {
		t.Fatal(err)
	}
	wrongKey := randomMaster(t)
	wrong := NewKeyring(wrongKey, db)
	_, err := New(b, wrong).Open(ctx, studio, "albums/a/p")
	if !errors.Is(err, ErrWrongMasterKey) {
		t.Fatalf("open with another master key: %v, want ErrWrongMasterKey", err)
	}
	for _, want := range []string{"master key", wrongKey.ID(), "PROOFSHEET_MASTER_KEY"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if err := wrong.Check(ctx); !errors.Is(err, ErrWrongMasterKey) {
		t.Fatalf("Check with another master key: %v", err)
	}
	if err := NewKeyring(mustMaster(t, testMasterKey), db).Check(ctx); err != nil {
		t.Fatalf("Check with the right master key: %v", err)
	}
	if err := NewKeyring(wrongKey, testDB(t)).Check(ctx); err != nil {
		t.Fatalf("Check on a database without keys: %v", err)
	}

	// A wrapped key copied into another studio's row does not open there.
	other := newStudio(t, db)
	var wrapped []byte
	err = db.Transaction(func(tx *gorm.DB) error {
		tx.Exec("SELECT set_config('app.studio_id', ?, true)", studio.String())
		return tx.Raw("SELECT wrapped FROM storage_keys").Row().Scan(&wrapped)
	})
	if err != nil {
		t.Fatal(err)
	}
	err = inStudio(db, other, "INSERT INTO storage_keys (studio_id, version, wrapped, master_key_id) VALUES (?, 1, ?, ?)",
		other, wrapped, mustMaster(t, testMasterKey).ID())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewKeyring(mustMaster(t, testMasterKey), db).Current(ctx, other); !errors.Is(err, ErrWrongMasterKey) {
		t.Fatalf("a wrapped key moved to another studio: %v", err)
	}
}

// Row-level security keeps a studio's keys from another studio's
// transactions.
func TestDataKeysAreStudioScoped(t *testing.T) {
	db := testDB(t)
	a, b := newStudio(t, db), newStudio(t, db)
	if _, err := NewKeyring(mustMaster(t, testMasterKey), db).Current(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	var n int64
	_ = db.Transaction(func(tx *gorm.DB) error {
		tx.Exec("SELECT set_config('app.studio_id', ?, true)", b.String())
		return tx.Raw("SELECT count(*) FROM storage_keys").Scan(&n).Error
	})
	if n != 0 {
		t.Fatalf("studio b sees %d of a's key rows", n)
	}
	if err := inStudio(db, b, "UPDATE storage_keys SET master_key_id = '0000000000000000'"); err == nil {
		t.Fatal("the app role may update data keys")
	}
}
