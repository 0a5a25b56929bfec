package app

import "testing"

func TestRenditionCacheKeepsWithinItsSize(t *testing.T) {
	rc := newRenditionCache(10 << 10)
	for i := range 100 {
		rc.put(renditionID{key: string(rune('a' + i%26)), tag: string(rune(i))}, make([]byte, 1<<10))
		if rc.bytes > rc.maxBytes {
			t.Fatalf("after %d puts: %d bytes kept, more than %d", i+1, rc.bytes, rc.maxBytes)
		}
	}
	var sum int64
	for _, b := range rc.entries {
		sum += int64(len(b))
	}
	if sum != rc.bytes || len(rc.entries) != 10 {
		t.Fatalf("%d entries of %d bytes, counted %d", len(rc.entries), sum, rc.bytes)
	}
	rc.put(renditionID{key: "big"}, make([]byte, 11<<10))
	if _, ok := rc.get(renditionID{key: "big"}); ok {
		t.Fatal("kept an object larger than the whole cache")
	}
}
