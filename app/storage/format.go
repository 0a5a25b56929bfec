package storage

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	"github.com/google/uuid"
)

// The stored format of an object (version 1). Everything is big-endian.
//
//	header, 48 bytes:
//	  magic        4  "PSOB"
//	  version      1  1
//	  reserved     3  zero
//	  chunk size   4  plaintext bytes per chunk (64 KiB when written here)
//	  key version  4  which of the studio's data keys sealed the object
//	  salt        32  random per object
//	chunks, in order: AES-256-GCM ciphertext of up to chunk-size bytes of
//	  plaintext, then its 16-byte tag. Every chunk but the last is full; an
//	  empty object is one empty last chunk, so no object is a bare header.
//
// Each object gets its own key and nonce prefix, HKDF-SHA256 of the
// studio's data key with the salt (info "proofsheet/blob/v1"): 32 bytes of
// key, then 8 bytes of nonce prefix. Chunk i's nonce is the prefix and i
// as 4 bytes. A fresh key per object means nonces never repeat under a key,
// however many objects a studio has.
//
// Chunk i's associated data is the header, the studio id, the object's key
// (length-prefixed), i (8 bytes) and 1 for the last chunk, else 0. So a
// changed header or byte, reordered chunks, an object moved to another key
// or studio, and a truncation (the new last chunk was sealed as not last)
// all fail authentication. The plaintext size is not stored: it follows
// from the stored size (see plainSize), which lets Put stream.
const (
	magic      = "PSOB"
	version1   = 1
	headerLen  = 48
	tagLen     = 16
	chunkSize  = 64 << 10
	minChunk   = 1 << 10  // bounds a header's chunk size, so a forged one cannot
	maxChunk   = 16 << 20 // make Open allocate much
	maxChunks  = 1 << 32  // the nonce has 4 bytes of chunk index
	hkdfInfo   = "proofsheet/blob/v1"
	saltLen    = 32
	noncePfxSz = 8
)

// header is an object's parsed header; raw is its bytes, kept for the
// associated data.
type header struct {
	chunk      int64
	keyVersion uint32
	salt       []byte
	raw        []byte
}

func newHeader(keyVersion uint32, chunk int) (header, error) {
	raw := make([]byte, headerLen)
	copy(raw, magic)
	raw[4] = version1
	binary.BigEndian.PutUint32(raw[8:], uint32(chunk))
	binary.BigEndian.PutUint32(raw[12:], keyVersion)
	if _, err := rand.Read(raw[16:]); err != nil {
		return header{}, fmt.Errorf("storage: salt: %w", err)
	}
	return header{chunk: int64(chunk), keyVersion: keyVersion, salt: raw[16:], raw: raw}, nil
}

func parseHeader(raw []byte) (header, error) {
	if len(raw) != headerLen || string(raw[:4]) != magic {
		return header{}, fmt.Errorf("%w: not a Proofsheet object", ErrCorrupt)
	}
	if raw[4] != version1 || raw[5]|raw[6]|raw[7] != 0 {
		return header{}, fmt.Errorf("%w: unknown format version %d", ErrCorrupt, raw[4])
	}
	chunk := int64(binary.BigEndian.Uint32(raw[8:]))
	if chunk < minChunk || chunk > maxChunk {
		return header{}, fmt.Errorf("%w: chunk size %d", ErrCorrupt, chunk)
	}
	return header{chunk: chunk, keyVersion: binary.BigEndian.Uint32(raw[12:]), salt: raw[16:], raw: raw}, nil
}

// plainSize is the plaintext size of a stored object of stored bytes.
func (h header) plainSize(stored int64) (int64, error) {
	body := stored - headerLen
	full, rem := body/(h.chunk+tagLen), body%(h.chunk+tagLen)
	switch {
	case body < tagLen, rem > 0 && rem < tagLen, rem == tagLen && full > 0:
		return 0, fmt.Errorf("%w: stored size %d does not fit the format", ErrCorrupt, stored)
	case rem == 0:
		return full * h.chunk, nil
	}
	return full*h.chunk + rem - tagLen, nil
}

// chunks is how many chunks hold size bytes of plaintext.
func (h header) chunks(size int64) int64 { return max(1, (size+h.chunk-1)/h.chunk) }

// sealer seals and opens one object's chunks.
type sealer struct {
	aead   cipher.AEAD
	prefix []byte
	ad     []byte // header, studio, key; the chunk's index and flag follow
	nonce  []byte
}

func newSealer(dataKey []byte, h header, studio uuid.UUID, key string) (*sealer, error) {
	km, err := hkdf.Key(sha256.New, dataKey, h.salt, hkdfInfo, 32+noncePfxSz)
	if err != nil {
		return nil, fmt.Errorf("storage: derive key: %w", err)
	}
	block, err := aes.NewCipher(km[:32])
	if err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	ad := make([]byte, 0, headerLen+16+4+len(key)+9)
	ad = append(ad, h.raw...)
	ad = append(ad, studio[:]...)
	ad = binary.BigEndian.AppendUint32(ad, uint32(len(key)))
	ad = append(ad, key...)
	return &sealer{aead: aead, prefix: km[32:], ad: ad, nonce: make([]byte, 12)}, nil
}

// chunkAD sets the nonce and returns the associated data of chunk i.
func (s *sealer) chunkAD(i int64, last bool) []byte {
	copy(s.nonce, s.prefix)
	binary.BigEndian.PutUint32(s.nonce[noncePfxSz:], uint32(i))
	ad := binary.BigEndian.AppendUint64(s.ad, uint64(i))
	if last {
		return append(ad, 1)
	}
	return append(ad, 0)
}

// seal appends chunk i's ciphertext and tag to dst.
func (s *sealer) seal(dst, plain []byte, i int64, last bool) []byte {
	ad := s.chunkAD(i, last)
	return s.aead.Seal(dst, s.nonce, plain, ad)
}

// open decrypts chunk i into dst[:0].
func (s *sealer) open(dst, sealed []byte, i int64, last bool) ([]byte, error) {
	ad := s.chunkAD(i, last)
	out, err := s.aead.Open(dst[:0], s.nonce, sealed, ad)
	if err != nil {
		return nil, fmt.Errorf("%w: chunk %d does not authenticate", ErrCorrupt, i)
	}
	return out, nil
}
