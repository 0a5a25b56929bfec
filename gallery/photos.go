package gallery

import (
	"context"
	"crypto/sha256"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Upload stores one file in a folder of an album and queues its
// renditions; the photo comes back with status processing.
//
// The file is streamed to the blob store while it is hashed, counted and
// recognised by its first bytes: a file that is not an accepted kind
// (ErrUnsupported), over the size limit (ErrTooLarge, checked as the bytes
// arrive) or whose image header claims more pixels than allowed
// (ErrTooLarge) is refused, and so is a file already in the album
// (ErrDuplicate, naming the photo it duplicates). These errors are
// *FileError with a message for the uploader. A file past the studio's
// plan (Quota) is refused too. Whatever fails after bytes were stored
// deletes them: nothing is half-stored.
func (s *Service) Upload(ctx context.Context, studio, album, folder uuid.UUID, filename string, r io.Reader, act Actor) (*Photo, error) {
	name, err := cleanFilename(filename)
	if err != nil {
		return nil, fmt.Errorf("gallery: upload: %w", err)
	}
	err = s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		if _, err := folderIn(tx, studio, album, folder); err != nil {
			return err
		}
		// Room for a byte at least, before streaming a file that would
		// only be thrown away; its real size is checked with the photo.
		return s.quota(func(q Quota) error { return q.AddBytes(ctx, tx, studio, 1) })
	})
	if err != nil {
		return nil, fmt.Errorf("gallery: upload: %w", err)
	}
	p := &Photo{ID: uuid.New(), StudioID: studio, AlbumID: album, FolderID: folder, Filename: name,
		Status: PhotoProcessing, CreatedAt: s.Now()}
	p.OriginalKey = originalKey(album, p.ID)
	if err := s.storeOriginal(ctx, p, r); err != nil {
		return nil, fmt.Errorf("gallery: upload: %w", err)
	}
	err = s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		if err := s.quota(func(q Quota) error { return q.AddBytes(ctx, tx, studio, p.Size) }); err != nil {
			return err
		}
		return s.insertPhoto(ctx, tx, p, act)
	})
	if err != nil {
		s.discard(ctx, p)
		return nil, fmt.Errorf("gallery: upload: %w", err)
	}
	return p, nil
}

// storeOriginal streams r to the blob store and fills in what the bytes
// say: type, kind, size and SHA-256.
func (s *Service) storeOriginal(ctx context.Context, p *Photo, r io.Reader) error {
	in := newIngest(r, s.limits())
	n, err := s.Blobs.Put(ctx, p.StudioID, p.OriginalKey, in)
	switch {
	case in.err != nil:
		err = in.err
	case err == nil && (!in.eof || n != in.n):
		err = fmt.Errorf("store took %d of %d bytes", n, in.n)
	}
	if err == nil && in.media.Kind == KindImage {
		err = s.checkHeader(in.head)
	}
	if err != nil {
		s.discard(ctx, p)
		return err
	}
	p.MediaType, p.Kind, p.Size, p.SHA256, p.CRC32 = in.media.Type, in.media.Kind, in.n, in.hash.Sum(nil), in.crc.Sum32()
	return nil
}

// checkHeader refuses a decompression bomb at upload when its header is
// within the first bytes (PNG and JPEG nearly always). Otherwise (a TIFF
// with its directory at the end, a HEIF) the render job checks the whole
// file's header before decoding it.
func (s *Service) checkHeader(head []byte) error {
	h, err := readHeader(head)
	if err != nil {
		return nil // not within reach; the render job checks again
	}
	return checkPixels(h, s.limits().MaxPixels)
}

// insertPhoto adds the photo row and its render job in tx.
func (s *Service) insertPhoto(ctx context.Context, tx *gorm.DB, p *Photo, act Actor) error {
	if _, err := folderIn(tx, p.StudioID, p.AlbumID, p.FolderID); err != nil {
		return err
	}
	var dup Photo
	err := tx.Where("studio_id = ? AND album_id = ? AND sha256 = ?", p.StudioID, p.AlbumID, p.SHA256).Take(&dup).Error
	if err == nil {
		return duplicate(dup.Filename)
	}
	if err = notFound(err); err != ErrNotFound {
		return err
	}
	if err := tx.Model(&Photo{}).Where("folder_id = ?", p.FolderID).
		Select("coalesce(max(position), -1) + 1").Scan(&p.Position).Error; err != nil {
		return err
	}
	err = tx.Transaction(func(tx *gorm.DB) error { return tx.Create(p).Error })
	if isUniqueViolation(err) { // the same file uploaded twice at once
		return duplicate("another upload")
	}
	if err != nil {
		return err
	}
	if err := s.Jobs.Enqueue(ctx, tx, RenderArgs{StudioID: p.StudioID, PhotoID: p.ID}); err != nil {
		return err
	}
	return s.record(ctx, tx, p.StudioID, act, "photo.upload", map[string]any{
		"album_id": p.AlbumID.String(), "folder_id": p.FolderID.String(), "photo_id": p.ID.String(),
		"filename": p.Filename, "size": p.Size, "media_type": p.MediaType,
	})
}

func duplicate(existing string) error {
	return fileError(ErrDuplicate, fmt.Sprintf("This file is already in the album, as “%s”.", existing))
}

// discard deletes an upload's bytes, even when the request was cancelled;
// if the store fails too, a job retries the deletion.
func (s *Service) discard(ctx context.Context, p *Photo) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	if s.Blobs.Delete(ctx, p.StudioID, p.OriginalKey) == nil {
		return
	}
	_ = s.InStudio(ctx, p.StudioID, func(tx *gorm.DB) error {
		return s.Jobs.Enqueue(ctx, tx, DeleteBlobsArgs{StudioID: p.StudioID, Prefix: photoPrefix(p.AlbumID, p.ID)})
	})
}

// cleanFilename keeps the base name of what the browser or app sent.
func cleanFilename(name string) (string, error) {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.TrimSpace(name)
	switch {
	case name == "" || name == "." || name == "..":
		return "", invalid("filename", "The file needs a name.")
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "", invalid("filename", "The file name has control characters in it.")
	case len([]rune(name)) > 255:
		return "", invalid("filename", "The file name is longer than 255 characters.")
	}
	return name, nil
}

// ingest is the upload stream: it counts, hashes and keeps the first
// bytes as they pass to the store, recognises the file as soon as it has
// enough of them, and stops the stream when the file is refused.
type ingest struct {
	r      io.Reader
	limits Limits
	hash   hash.Hash
	crc    hash.Hash32 // for the headers of zips, which store files as they are
	n      int64
	head   []byte // the first headLen bytes
	media  *Media
	eof    bool
	err    error // why the file was refused
}

// headLen is how much of the start is kept for the header check.
const headLen = 256 << 10

func newIngest(r io.Reader, l Limits) *ingest {
	return &ingest{r: r, limits: l, hash: sha256.New(), crc: crc32.NewIEEE(), head: make([]byte, 0, 4096)}
}

func (in *ingest) Read(p []byte) (int, error) {
	if in.err != nil {
		return 0, in.err
	}
	n, err := in.r.Read(p)
	in.hash.Write(p[:n])
	in.crc.Write(p[:n])
	in.n += int64(n)
	if keep := min(n, headLen-len(in.head)); keep > 0 {
		in.head = append(in.head, p[:keep]...)
	}
	in.eof = err == io.EOF
	if in.media == nil && (len(in.head) >= sniffLen || in.eof) {
		m, serr := Sniff(in.head)
		if serr != nil {
			in.err = serr
			return 0, serr
		}
		in.media = &m
	}
	kind := ""
	if in.media != nil {
		kind = in.media.Kind
	}
	if limit := in.limits.maxBytes(kind); in.n > limit {
		in.err = tooBig(kind, limit)
		return 0, in.err
	}
	return n, err
}
