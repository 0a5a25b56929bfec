package storage

import (
	"bytes"
	"errors"
	"testing"
)

// Every change to the stored bytes that an attacker with the disk or the
// bucket could make is detected when the object is read: no tampered
// object reads back whole.
func TestTamperingIsDetected(t *testing.T) {
	const size = 3*chunkSize + 500 // three full chunks and a short last one
	for _, bk := range backendKinds {
		t.Run(bk.name, func(t *testing.T) {
			f := newFixture(t, bk.make(t))
			data := randomBytes(size)
			full := randomBytes(2 * chunkSize) // its last chunk is full
			f.put(t, f.studio, "albums/a/p1", data)
			f.put(t, f.studio, "albums/a/p2", randomBytes(size))
			f.put(t, f.studio, "albums/a/full", full)
			raw1 := f.raw(t, f.studio, "albums/a/p1")
			raw2 := f.raw(t, f.studio, "albums/a/p2")
			rawFull := f.raw(t, f.studio, "albums/a/full")
			sealed := chunkSize + tagLen
			flip := func(b []byte, i int) []byte {
				c := bytes.Clone(b)
				c[i] ^= 0x01
				return c
			}
			cases := []struct {
				name string
				key  string
				raw  []byte
			}{
				{"a byte of ciphertext", "albums/a/p1", flip(raw1, headerLen+sealed+100)},
				{"a byte of a tag", "albums/a/p1", flip(raw1, len(raw1)-1)},
				{"a byte of the salt", "albums/a/p1", flip(raw1, 20)},
				{"the key version", "albums/a/p1", flip(raw1, 15)},
				{"the last chunk cut off", "albums/a/p1", raw1[:len(raw1)-(500+tagLen)]},
				{"the last full chunk cut off", "albums/a/full", rawFull[:len(rawFull)-sealed]},
				{"the last chunk cut short", "albums/a/p1", raw1[:len(raw1)-7]},
				{"a chunk appended", "albums/a/full", append(bytes.Clone(rawFull), rawFull[headerLen:headerLen+sealed]...)},
				{"two chunks swapped", "albums/a/p1", swapChunks(raw1, 0, 1)},
				{"another object's bytes", "albums/a/p1", raw2},
			}
			for _, tc := range cases {
				f.setRaw(t, f.studio, tc.key, tc.raw)
				// Every way of reading fails, having given only bytes of
				// the plaintext that authenticated.
				plain := map[string][]byte{"albums/a/p1": data, "albums/a/full": full}[tc.key]
				ways := map[string]func() ([]byte, error){
					"ReadAll":        func() ([]byte, error) { return f.read(f.studio, tc.key) },
					"reads of 1 MiB": func() ([]byte, error) { return f.readInPieces(f.studio, tc.key, 1<<20) },
					"WriteTo":        func() ([]byte, error) { return f.written(f.studio, tc.key, 0) },
				}
				for way, read := range ways {
					got, err := read()
					if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrNoKey) {
						t.Errorf("%s, %s: %d bytes, err %v, want ErrCorrupt", tc.name, way, len(got), err)
					} else if !bytes.HasPrefix(plain, got) {
						t.Errorf("%s, %s: gave %d bytes that are not the plaintext's", tc.name, way, len(got))
					}
				}
			}

			// The same bytes under another studio do not open either.
			other := newStudio(t, f.db)
			f.put(t, other, "albums/a/p0", []byte("gives the studio its data key"))
			f.setRaw(t, other, "albums/a/p1", raw1)
			if _, err := f.read(other, "albums/a/p1"); !errors.Is(err, ErrCorrupt) {
				t.Errorf("an object moved to another studio: %v, want ErrCorrupt", err)
			}
			// Put back as stored, it reads again: the checks are not just failing.
			f.setRaw(t, f.studio, "albums/a/p1", raw1)
			if got, err := f.read(f.studio, "albums/a/p1"); err != nil || !bytes.Equal(got, data) {
				t.Fatalf("the untouched object: %v", err)
			}
		})
	}
}

// An empty object is checked when opened: there is nothing to read that
// would check it later.
func TestTamperedEmptyObjectFailsAtOpen(t *testing.T) {
	f := newFixture(t, newTestLocal(t))
	f.put(t, f.studio, "e", nil)
	raw := f.raw(t, f.studio, "e")
	raw[len(raw)-1] ^= 1
	f.setRaw(t, f.studio, "e", raw)
	if _, err := f.read(f.studio, "e"); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("open: %v, want ErrCorrupt", err)
	}
	f.setRaw(t, f.studio, "e", raw[:headerLen])
	if _, err := f.read(f.studio, "e"); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("a bare header: %v, want ErrCorrupt", err)
	}
}

func swapChunks(raw []byte, i, j int) []byte {
	s := chunkSize + tagLen
	c := bytes.Clone(raw)
	ci, cj := c[headerLen+i*s:headerLen+(i+1)*s], c[headerLen+j*s:headerLen+(j+1)*s]
	tmp := bytes.Clone(ci)
	copy(ci, cj)
	copy(cj, tmp)
	return c
}
