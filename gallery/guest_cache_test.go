package gallery

import (
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
)

func TestGuestCache(t *testing.T) {
	a, b := uuid.New(), uuid.New()
	ka := cacheKey{kind: cachedPage, studio: a, a: "album"}
	kb := cacheKey{kind: cachedPage, studio: b, a: "album"}
	load := func(v string) func() (string, error) { return func() (string, error) { return v, nil } }
	hit := func(c *guestCache, k cacheKey) string {
		v, ok := c.get(k)
		if !ok {
			return ""
		}
		return v.(string)
	}
	for _, tc := range []struct {
		name    string
		between func(c *guestCache)
		wantA   string // what a's entry reads after between ("": a miss)
		wantB   string
	}{
		{"nothing changed", func(*guestCache) {}, "a1", "b1"},
		{"its studio changed", func(c *guestCache) { c.Changed(a) }, "", "b1"},
		{"another studio changed", func(c *guestCache) { c.Changed(b) }, "a1", ""},
		{"any studio changed", func(c *guestCache) { c.Changed(uuid.Nil) }, "", ""},
		{"listener lost", func(c *guestCache) { c.Live(false) }, "", ""},
		{"listener back", func(c *guestCache) { c.Live(false); c.Live(true) }, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newGuestCache()
			c.Live(true)
			for _, k := range []cacheKey{ka, kb} {
				v, _ := cached(c, k, load(map[uuid.UUID]string{a: "a1", b: "b1"}[k.studio]))
				if got := hit(c, k); got != v {
					t.Fatalf("right after loading %v: %q, want %q", k.studio, got, v)
				}
			}
			tc.between(c)
			if got := hit(c, ka); got != tc.wantA {
				t.Errorf("studio a: %q, want %q", got, tc.wantA)
			}
			if got := hit(c, kb); got != tc.wantB {
				t.Errorf("studio b: %q, want %q", got, tc.wantB)
			}
		})
	}
}

// An entry read before a change is never served after it, even when it is
// put after the change was heard: its stamp is older.
func TestGuestCacheReadBeforeChange(t *testing.T) {
	c, s := newGuestCache(), uuid.New()
	c.Live(true)
	k := cacheKey{kind: cachedPhoto, studio: s, a: "photo"}
	v, err := cached(c, k, func() (string, error) {
		c.Changed(s) // a change commits while the database is read
		return "before", nil
	})
	if err != nil || v != "before" {
		t.Fatalf("load: %q %v", v, err)
	}
	if got, ok := c.get(k); ok {
		t.Fatalf("served %q, read before a change", got)
	}
	v, _ = cached(c, k, func() (string, error) { return "after", nil })
	if got, ok := c.get(k); !ok || got != "after" || v != "after" {
		t.Fatalf("after reloading: %v %v", got, ok)
	}
}

func TestGuestCacheOffAndErrors(t *testing.T) {
	c, s := newGuestCache(), uuid.New()
	k := cacheKey{kind: cachedAccess, studio: s, a: "link"}
	if _, err := cached(c, k, func() (int, error) { return 1, nil }); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.get(k); ok {
		t.Fatal("kept an entry before the listener was live")
	}
	c.Live(true)
	boom := errors.New("boom")
	if _, err := cached(c, k, func() (int, error) { return 2, boom }); !errors.Is(err, boom) {
		t.Fatalf("error: %v", err)
	}
	if _, ok := c.get(k); ok {
		t.Fatal("kept a failed load")
	}
}

func TestGuestCacheBounded(t *testing.T) {
	c, s := newGuestCache(), uuid.New()
	c.Live(true)
	st, _ := c.stamp(s)
	for i := range maxCached + 1 {
		c.put(cacheKey{kind: cachedPhoto, studio: s, a: uuid.NewString(), b: string(rune(i))}, st, i)
	}
	if n := len(c.entries); n != 1 {
		t.Fatalf("%d entries after going past %d, want a fresh start with 1", n, maxCached)
	}
}

// Guests missing one entry at once wait for one read of it.
func TestGuestCacheReadsOnceForMany(t *testing.T) {
	c, s := newGuestCache(), uuid.New()
	c.Live(true)
	k := cacheKey{kind: cachedPage, studio: s, a: "album"}
	var reads atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	got := make([]int, 50)
	for i := range got {
		wg.Go(func() {
			v, err := cached(c, k, func() (int, error) {
				reads.Add(1)
				<-release
				return 7, nil
			})
			if err != nil {
				t.Error(err)
			}
			got[i] = v
		})
	}
	for !c.reading(k) {
		runtime.Gosched()
	}
	close(release)
	wg.Wait()
	if n := reads.Load(); n > 2 { // one, or two when a guest came after the first read ended
		t.Fatalf("%d reads for 50 guests missing at once", n)
	}
	for i, v := range got {
		if v != 7 {
			t.Fatalf("guest %d got %d", i, v)
		}
	}
}

// reading reports whether a read of k is under way.
func (c *guestCache) reading(k cacheKey) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.loading[k] != nil
}
