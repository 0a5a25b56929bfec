package gallery

import (
	"errors"
	"sync"

	"github.com/google/uuid"
)

// guestCache keeps what guests ask for most — a link with its album and
// session, a gallery page's folders and photos, a photo by id — so a guest
// browsing an album costs no database round trip. Entries are checked
// against the studio's generation, which Changed moves on every committed
// change of the tables behind them (migration 00010, database/changes.go);
// an entry read before a change is stale the moment the change is heard,
// because its stamp is taken before its database read. Time limits (link
// and session expiry) are checked on every hit, not cached.
//
// The cache serves only while the process hears every change (Live): a
// lost LISTEN connection turns it off until it is back, since changes by
// other processes would go unheard.
type guestCache struct {
	mu      sync.RWMutex
	live    bool
	epoch   uint64 // moves for a change of any studio, and on every Live
	gens    map[uuid.UUID]uint64
	entries map[cacheKey]cacheEntry
	studios map[string]uuid.UUID // link token hash to studio: never changes
	loading map[cacheKey]*load   // loads under way, which others missing wait for
}

// load is one database read of an entry that every guest missing it at
// the same time waits for: after a change, a busy album's 200 guests
// would otherwise all read it at once.
type load struct {
	done chan struct{}
	val  any
	err  error
}

// maxCached bounds the entries; past it the cache starts over, which
// costs a reload per entry and keeps old generations from piling up.
const maxCached = 50_000

type cacheKind uint8

const (
	cachedAccess     cacheKind = iota + 1 // link + session hashes
	cachedPage                            // album + folder
	cachedPhoto                           // album + photo
	cachedFavourites                      // guest
)

type cacheKey struct {
	kind   cacheKind
	studio uuid.UUID
	a, b   string
}

// stamp is when an entry was read: valid while both numbers stand.
type stamp struct{ epoch, gen uint64 }

type cacheEntry struct {
	at  stamp
	val any
}

func newGuestCache() *guestCache {
	return &guestCache{gens: map[uuid.UUID]uint64{}, entries: map[cacheKey]cacheEntry{}, studios: map[string]uuid.UUID{},
		loading: map[cacheKey]*load{}}
}

// Changed hears that studio's cached data changed (uuid.Nil: any studio's).
func (c *guestCache) Changed(studio uuid.UUID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if studio == uuid.Nil {
		c.epoch++
		return
	}
	c.gens[studio]++
}

// Live turns the cache on while every change is heard, and off when not;
// either way it starts empty.
func (c *guestCache) Live(on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.live = on
	c.epoch++
	clear(c.entries)
}

// stamp is the studio's current stamp, taken before a database read whose
// result may be put; ok is false while the cache is off.
func (c *guestCache) stamp(studio uuid.UUID) (stamp, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return stamp{c.epoch, c.gens[studio]}, c.live
}

func (c *guestCache) get(k cacheKey) (any, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	e, ok := c.entries[k]
	if !ok || !c.live || e.at != (stamp{c.epoch, c.gens[k.studio]}) {
		return nil, false
	}
	return e.val, true
}

// put keeps val, read at st; val is shared by every later hit and must
// not be changed by anyone.
func (c *guestCache) put(k cacheKey, st stamp, val any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.live || st.epoch != c.epoch {
		return
	}
	if len(c.entries) >= maxCached {
		clear(c.entries)
	}
	c.entries[k] = cacheEntry{at: st, val: val}
}

// studioOf remembers which studio a link's token hash belongs to.
func (c *guestCache) studioOf(hash string) (uuid.UUID, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	id, ok := c.studios[hash]
	return id, ok
}

func (c *guestCache) keepStudio(hash string, studio uuid.UUID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.studios) >= maxCached {
		clear(c.studios)
	}
	c.studios[hash] = studio
}

// cached returns the entry k, or loads it with read and keeps it. Guests
// missing k while it is read wait for that read rather than repeat it;
// the cache holds no lock while the database is read.
func cached[T any](c *guestCache, k cacheKey, read func() (T, error)) (T, error) {
	if v, ok := c.get(k); ok {
		return v.(T), nil
	}
	l, first := c.startLoad(k)
	if !first {
		<-l.done
		if l.err != nil {
			var zero T
			return zero, l.err
		}
		return l.val.(T), nil
	}
	l.err = errLoadFailed // unless read returns: its panic goes on up
	defer c.endLoad(k, l)
	st, on := c.stamp(k.studio)
	v, err := read()
	if err == nil && on {
		c.put(k, st, v)
	}
	l.val, l.err = v, err
	return v, err
}

var errLoadFailed = errors.New("gallery: reading a cached entry failed")

func (c *guestCache) startLoad(k cacheKey) (*load, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if l, ok := c.loading[k]; ok {
		return l, false
	}
	l := &load{done: make(chan struct{})}
	c.loading[k] = l
	return l, true
}

func (c *guestCache) endLoad(k cacheKey, l *load) {
	c.mu.Lock()
	delete(c.loading, k)
	c.mu.Unlock()
	close(l.done)
}
