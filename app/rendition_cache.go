package app

import (
	"fmt"
	"io"
	"sync"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
)

// renditionCache keeps guests' thumbnails and previews decrypted in
// memory: a gallery page asks for dozens at once, and opening, checking
// and decrypting each from the store was most of the time of serving
// one. An entry is named by the object and its tag, the same name as the
// ETag browsers cache it by, so it is as fresh as their caches are (a
// re-watermarked preview has a new tag). Only small objects are kept, and
// at most maxBytes of them; past that, entries picked at random go.
type renditionCache struct {
	mu       sync.Mutex
	entries  map[renditionID][]byte
	bytes    int64
	maxBytes int64
}

type renditionID struct {
	studio   uuid.UUID
	key, tag string
}

const (
	renditionMax       = 1 << 20   // the largest object kept: a preview of about 2048 px
	renditionCacheSize = 128 << 20 // some thousand thumbnails and a few hundred previews
)

func newRenditionCache(maxBytes int64) *renditionCache {
	return &renditionCache{entries: map[renditionID][]byte{}, maxBytes: maxBytes}
}

func (rc *renditionCache) get(id renditionID) ([]byte, bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	b, ok := rc.entries[id]
	return b, ok
}

func (rc *renditionCache) put(id renditionID, b []byte) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if _, ok := rc.entries[id]; ok || int64(len(b)) > rc.maxBytes {
		return
	}
	for k, v := range rc.entries { // map order is random enough
		if rc.bytes+int64(len(b)) <= rc.maxBytes {
			break
		}
		delete(rc.entries, k)
		rc.bytes -= int64(len(v))
	}
	rc.entries[id] = b
	rc.bytes += int64(len(b))
}

// sendRendition answers with a guest's rendition o from memory, reading
// it into the cache first when it is small enough. A range request (rare
// for an image) goes to sendObject.
func (a *App) sendRendition(c *fiber.Ctx, o object) error {
	if c.Get(fiber.HeaderRange) != "" || a.renditions == nil {
		return a.sendObject(c, o)
	}
	id := renditionID{o.Studio, o.Key, o.Tag}
	b, ok := a.renditions.get(id)
	if !ok {
		var err error
		if b, ok, err = a.readSmall(c, o); err != nil || !ok {
			if err == nil {
				err = a.sendObject(c, o)
			}
			return err
		}
		a.renditions.put(id, b)
	}
	etag := fmt.Sprintf(`"%s-%d"`, o.Tag, len(b))
	c.Set(fiber.HeaderETag, etag)
	c.Set(fiber.HeaderCacheControl, "private, no-cache")
	c.Set(fiber.HeaderAcceptRanges, "bytes")
	if etagMatch(c.Get(fiber.HeaderIfNoneMatch), etag) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, o.Type)
	c.Response().SetBodyRaw(b) // shared and never changed
	return nil
}

// readSmall reads o whole when it is at most renditionMax bytes; ok is
// false for a larger one, which is streamed instead.
func (a *App) readSmall(c *fiber.Ctx, o object) ([]byte, bool, error) {
	obj, err := a.Gallery.Blobs.Open(ctx(c), o.Studio, o.Key)
	if err != nil {
		return nil, false, fmt.Errorf("app: open %s: %w", o.Key, err)
	}
	defer obj.Close()
	if obj.Size() > renditionMax {
		return nil, false, nil
	}
	b := make([]byte, obj.Size())
	if _, err := io.ReadFull(obj, b); err != nil {
		return nil, false, fmt.Errorf("app: read %s: %w", o.Key, err)
	}
	return b, true, nil
}
