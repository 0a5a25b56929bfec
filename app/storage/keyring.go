package storage

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/proofsheet/proofsheet/app/database"
)

var (
	// ErrWrongMasterKey is a data key wrapped by another master key than
	// the process has.
	ErrWrongMasterKey = errors.New("storage: wrong master key")
	// ErrNoKey is an object whose data key is gone (its studio was
	// deleted, which destroys its keys) or never existed.
	ErrNoKey = errors.New("storage: no data key")
)

// DataKey is one version of a studio's data key, unwrapped.
type DataKey struct {
	Version uint32
	key     []byte
}

// Keyring finds, creates and caches the studios' data keys. Each is 32
// random bytes stored in storage_keys wrapped by the master key with
// AES-256-GCM (a random nonce, then ciphertext and tag), with the studio
// id and version as associated data, so a wrapped key copied to another
// studio's row does not open.
//
// Unwrapped keys are cached for a while (at most cacheMax studios, each
// for cacheTTL): a studio deleted by another process stops being readable
// here within cacheTTL.
type Keyring struct {
	master MasterKey
	db     *gorm.DB
	now    func() time.Time

	mu    sync.Mutex
	cache map[uuid.UUID]studioKeys
}

type studioKeys struct {
	keys    map[uint32][]byte
	current uint32
	at      time.Time
}

const (
	cacheMax  = 4096
	cacheTTL  = 10 * time.Minute
	wrapLabel = "proofsheet/data-key/v1"
)

// NewKeyring keeps keys in db (the app's pool, under row-level security).
func NewKeyring(master MasterKey, db *gorm.DB) *Keyring {
	return &Keyring{master: master, db: db, now: time.Now, cache: map[uuid.UUID]studioKeys{}}
}

// Current is the studio's newest data key, created on first use.
func (k *Keyring) Current(ctx context.Context, studio uuid.UUID) (DataKey, error) {
	sk, ok := k.cached(studio)
	if !ok {
		var err error
		if sk, err = k.load(ctx, studio, true); err != nil {
			return DataKey{}, err
		}
	}
	return DataKey{Version: sk.current, key: sk.keys[sk.current]}, nil
}

// Version is one version of the studio's data key; it creates nothing.
func (k *Keyring) Version(ctx context.Context, studio uuid.UUID, v uint32) (DataKey, error) {
	sk, ok := k.cached(studio)
	if !ok || sk.keys[v] == nil {
		var err error
		if sk, err = k.load(ctx, studio, false); err != nil {
			return DataKey{}, err
		}
	}
	if sk.keys[v] == nil {
		return DataKey{}, fmt.Errorf("%w: studio %s has no data key version %d", ErrNoKey, studio, v)
	}
	return DataKey{Version: v, key: sk.keys[v]}, nil
}

func (k *Keyring) cached(studio uuid.UUID) (studioKeys, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	sk, ok := k.cache[studio]
	if ok && k.now().Sub(sk.at) > cacheTTL {
		delete(k.cache, studio)
		return studioKeys{}, false
	}
	return sk, ok
}

func (k *Keyring) remember(studio uuid.UUID, sk studioKeys) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.cache[studio]; !ok && len(k.cache) >= cacheMax {
		for s := range k.cache { // any one: the cache is only to save queries
			delete(k.cache, s)
			break
		}
	}
	k.cache[studio] = sk
}

type keyRow struct {
	Version     uint32
	Wrapped     []byte
	MasterKeyID string
}

// load reads the studio's keys, first creating version 1 when it has none
// and create is set. Two processes creating at once both insert with ON
// CONFLICT DO NOTHING and then read the one that won.
func (k *Keyring) load(ctx context.Context, studio uuid.UUID, create bool) (studioKeys, error) {
	var rows []keyRow
	err := database.InStudio(ctx, k.db, studio, func(tx *gorm.DB) error {
		q := "SELECT version, wrapped, master_key_id FROM storage_keys WHERE studio_id = ? ORDER BY version"
		if err := tx.Raw(q, studio).Scan(&rows).Error; err != nil || len(rows) > 0 || !create {
			return err
		}
		wrapped, err := k.wrap(studio, 1)
		if err != nil {
			return err
		}
		err = tx.Exec(`INSERT INTO storage_keys (studio_id, version, wrapped, master_key_id) VALUES (?, 1, ?, ?)
			ON CONFLICT DO NOTHING`, studio, wrapped, k.master.ID()).Error
		if err != nil {
			return err
		}
		return tx.Raw(q, studio).Scan(&rows).Error
	})
	if err != nil {
		return studioKeys{}, fmt.Errorf("storage: data key of studio %s: %w", studio, err)
	}
	if len(rows) == 0 {
		return studioKeys{}, fmt.Errorf("%w: studio %s has no data key", ErrNoKey, studio)
	}
	sk := studioKeys{keys: map[uint32][]byte{}, at: k.now()}
	for _, r := range rows {
		key, err := k.unwrap(studio, r)
		if err != nil {
			return studioKeys{}, err
		}
		sk.keys[r.Version], sk.current = key, max(sk.current, r.Version)
	}
	k.remember(studio, sk)
	return sk, nil
}

// wrap makes a new random data key and seals it with the master key.
func (k *Keyring) wrap(studio uuid.UUID, version uint32) ([]byte, error) {
	key := make([]byte, 32)
	nonce := make([]byte, 12)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	aead, err := k.aead()
	if err != nil {
		return nil, err
	}
	return aead.Seal(nonce, nonce, key, wrapAD(studio, version)), nil
}

func (k *Keyring) unwrap(studio uuid.UUID, r keyRow) ([]byte, error) {
	if r.MasterKeyID != k.master.ID() {
		return nil, fmt.Errorf("%w: studio %s's data key was wrapped by master key %s, but this server's master key is %s "+
			"(check PROOFSHEET_MASTER_KEY or the master key file)", ErrWrongMasterKey, studio, r.MasterKeyID, k.master.ID())
	}
	aead, err := k.aead()
	if err != nil {
		return nil, err
	}
	if len(r.Wrapped) != 12+32+tagLen {
		return nil, fmt.Errorf("storage: studio %s's wrapped data key has %d bytes", studio, len(r.Wrapped))
	}
	key, err := aead.Open(nil, r.Wrapped[:12], r.Wrapped[12:], wrapAD(studio, r.Version))
	if err != nil {
		return nil, fmt.Errorf("%w: studio %s's data key version %d does not open with master key %s",
			ErrWrongMasterKey, studio, r.Version, k.master.ID())
	}
	return key, nil
}

func (k *Keyring) aead() (cipher.AEAD, error) {
	block, err := aes.NewCipher(k.master.key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func wrapAD(studio uuid.UUID, version uint32) []byte {
	ad := append([]byte(wrapLabel), studio[:]...)
	return binary.BigEndian.AppendUint32(ad, version)
}

// Check refuses a master key that wrapped none of the data keys in the
// database when there are some: a lost key file replaced by a new one, or
// another installation's key. It reads only key ids, through the
// storage_master_key_ids() function.
func (k *Keyring) Check(ctx context.Context) error {
	var ids []string
	if err := k.db.WithContext(ctx).Raw("SELECT storage_master_key_ids()").Scan(&ids).Error; err != nil {
		return fmt.Errorf("storage: check master key: %w", err)
	}
	if len(ids) == 0 || slices.Contains(ids, k.master.ID()) {
		return nil
	}
	return fmt.Errorf("%w: the database's data keys were wrapped by master key %v, but this server's master key is %s; "+
		"restore the original master key file or set PROOFSHEET_MASTER_KEY to it", ErrWrongMasterKey, ids, k.master.ID())
}
