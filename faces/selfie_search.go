package faces

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"github.com/pgvector/pgvector-go"
	"gorm.io/gorm"
)

// SearchResult is what one selfie found.
type SearchResult struct {
	Photos []PhotoMatch // the photos the guest may see that they are on, best first
	Bound  bool         // this selfie bound the registration to its face
}

// Search looks for the visiting guest in the collection with a selfie (a
// JPEG, PNG or WebP picture). The picture is decoded and embedded in
// memory, and its pixels are zeroed after; nothing of it is written
// anywhere. The first accepted face binds the registration; a later
// selfie must match that face (ErrNotSamePerson otherwise), so one
// registration can only ever find one person. The photos are those of the
// registered face, which every thumbnail is checked against too.
//
// Every attempt counts towards the limits first (ErrRateLimited), and
// every attempt past them leaves an audit entry: who, when, the outcome
// and how many photos were found, never the face.
func (g *Guests) Search(ctx context.Context, v *Visit, picture []byte) (*SearchResult, error) {
	if v.Registration == nil {
		return nil, fmt.Errorf("faces: selfie search: %w", ErrNotRegistered)
	}
	if !v.Invite.Usable(g.svc.Now()) {
		return nil, fmt.Errorf("faces: selfie search: %w", ErrInviteGone)
	}
	var limited error
	err := g.svc.InStudio(ctx, v.Studio(), func(tx *gorm.DB) error {
		limited = g.countSearch(tx, v.Registration.ID, v.IP)
		return nil // the counts are committed even when over the limit
	})
	if err == nil {
		err = limited
	}
	if err != nil {
		return nil, fmt.Errorf("faces: selfie search: %w", err)
	}
	res, err := g.search(ctx, v, picture)
	n := 0
	if res != nil {
		n = len(res.Photos)
	}
	if aerr := g.auditSearch(ctx, v, "selfie", outcome(err), n, res != nil && res.Bound); aerr != nil {
		return nil, errors.Join(err, aerr)
	}
	if err != nil {
		return nil, fmt.Errorf("faces: selfie search: %w", err)
	}
	return res, nil
}

func (g *Guests) search(ctx context.Context, v *Visit, picture []byte) (*SearchResult, error) {
	f, err := g.selfie(ctx, picture)
	if err != nil {
		return nil, err
	}
	bound, err := g.bind(ctx, v, f)
	clear(f.Embedding)
	if err != nil {
		return nil, err
	}
	photos, err := g.registeredPhotos(ctx, v)
	if err != nil {
		return nil, err
	}
	return &SearchResult{Photos: photos, Bound: bound}, nil
}

// selfie decodes the picture at selfie size (DecodeSelfie) and finds its
// one face; the pixels are zeroed before returning.
func (g *Guests) selfie(ctx context.Context, picture []byte) (Face, error) {
	img, err := DecodeSelfie(picture)
	if err != nil {
		return Face{}, err
	}
	defer clear(img.Pix)
	return g.Selfies.OneFace(ctx, img)
}

// bind binds an unbound registration to f, or checks that f is the face
// it is bound to. It reports whether it bound.
func (g *Guests) bind(ctx context.Context, v *Visit, f Face) (bool, error) {
	if len(f.Embedding) != EmbeddingSize || f.Model == "" {
		return false, errors.New("faces: the selfie's face has no embedding")
	}
	bound := false
	err := g.svc.InStudio(ctx, v.Studio(), func(tx *gorm.DB) error {
		r, err := lockRegistration(tx, v.Registration)
		if err != nil {
			return err
		}
		if r.Bound() {
			*v.Registration = *r
			return g.sameFace(r, f)
		}
		now := g.svc.Now()
		vec := pgvector.NewVector(slices.Clone(f.Embedding)) // f's is zeroed after
		err = tx.Model(r).Updates(map[string]any{"embedding": vec, "model": f.Model, "bound_at": now}).Error
		if err != nil {
			return err
		}
		r.Embedding, r.Model, r.BoundAt = &vec, &f.Model, &now
		*v.Registration = *r
		bound = true
		return nil
	})
	return bound, err
}

// sameFace checks a later selfie against the registration's face.
func (g *Guests) sameFace(r *Registration, f Face) error {
	if *r.Model != f.Model {
		return ErrModelChanged // never compare embeddings of two models
	}
	if Similarity(r.Embedding.Slice(), f.Embedding) < g.svc.Threshold {
		return ErrNotSamePerson
	}
	return nil
}

// RegisteredPhotos are the photos of the registered face that the guest may see,
// for a guest coming back to their results; ErrNotRegistered before a
// selfie has bound the registration. It is audited as a search.
func (g *Guests) RegisteredPhotos(ctx context.Context, v *Visit) ([]PhotoMatch, error) {
	if v.Registration == nil || !v.Registration.Bound() {
		return nil, fmt.Errorf("faces: registered photos: %w", ErrNotRegistered)
	}
	if !v.Invite.Usable(g.svc.Now()) {
		return nil, fmt.Errorf("faces: registered photos: %w", ErrInviteGone)
	}
	photos, err := g.registeredPhotos(ctx, v)
	if err == nil {
		err = g.auditSearch(ctx, v, "registered face", "matched", len(photos), false)
	}
	if err != nil {
		return nil, fmt.Errorf("faces: registered photos: %w", err)
	}
	return photos, nil
}

// registeredPhotos searches with the registration's face and keeps the
// photos the guest may see.
func (g *Guests) registeredPhotos(ctx context.Context, v *Visit) ([]PhotoMatch, error) {
	r := v.Registration
	probe := Face{Embedding: r.Embedding.Slice(), Model: *r.Model}
	ms, err := g.svc.Search(ctx, v.Studio(), v.Invite.CollectionID, probe)
	if err != nil || len(ms) == 0 {
		return nil, err
	}
	ids := make([]uuid.UUID, len(ms))
	for i, m := range ms {
		ids[i] = m.PhotoID
	}
	visible, err := g.Photos.Visible(ctx, v.Studio(), ids)
	if err != nil {
		return nil, err
	}
	keep := make(map[uuid.UUID]bool, len(visible))
	for _, id := range visible {
		keep[id] = true
	}
	out := ms[:0]
	for _, m := range ms {
		if keep[m.PhotoID] {
			out = append(out, m)
		}
	}
	return out, nil
}

// outcome names a search's result for the audit log.
func outcome(err error) string {
	switch {
	case err == nil:
		return "matched"
	case errors.Is(err, ErrNoFace):
		return "no face"
	case errors.Is(err, ErrManyFaces):
		return "several faces"
	case errors.Is(err, ErrFaceTooSmall):
		return "face too small"
	case errors.Is(err, ErrDecode):
		return "unreadable picture"
	case errors.Is(err, ErrNotSamePerson):
		return "not the registered person"
	case errors.Is(err, ErrModelChanged):
		return "model changed"
	}
	return "failed"
}

// auditSearch records one search: the registration, the outcome and the
// number of photos, never the face.
func (g *Guests) auditSearch(ctx context.Context, v *Visit, with, result string, photos int, bound bool) error {
	r := v.Registration
	return g.svc.InStudio(ctx, v.Studio(), func(tx *gorm.DB) error {
		return g.svc.Audit.Record(ctx, tx, v.Studio(), Actor{IP: v.IP}, "face_search", map[string]any{
			"collection_id": v.Invite.CollectionID.String(), "invite_id": v.Invite.ID.String(),
			"registration_id": r.ID.String(), "with": with, "result": result, "photos": photos, "bound": bound,
		})
	})
}

// CheckPhoto reports whether photo is one a search with the registered
// face finds (ErrNotFound otherwise), for the routes that serve a guest
// the photos: a face on it matches the registered face, or belongs to a
// person who matched twice, and no such face is of a hidden person. It
// asks the same as Search, on one photo, read exactly; the gallery's
// visibility rule is checked by the caller when it serves the file.
func (g *Guests) CheckPhoto(ctx context.Context, v *Visit, photo uuid.UUID) error {
	r := v.Registration
	if r == nil || !r.Bound() {
		return fmt.Errorf("faces: check photo: %w", ErrNotRegistered)
	}
	var ok bool
	err := g.svc.InStudio(ctx, v.Studio(), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT EXISTS (
			SELECT 1 FROM faces f
			JOIN face_registrations r ON r.id = @reg AND r.studio_id = f.studio_id AND r.model = f.model
			LEFT JOIN people pe ON pe.id = f.person_id
			WHERE f.studio_id = @studio AND f.collection_id = @coll AND f.photo_id = @photo
			AND NOT coalesce(pe.hidden, false)
			AND ((f.embedding <=> r.embedding) < @dist
				OR (f.person_id IS NOT NULL AND (SELECT count(*) FROM faces o WHERE o.person_id = f.person_id
					AND o.model = f.model AND (o.embedding <=> r.embedding) < @dist) >= @votes)))`,
			map[string]any{"reg": r.ID, "studio": v.Studio(), "coll": v.Invite.CollectionID, "photo": photo,
				"dist": g.svc.maxDistance(), "votes": personVotes}).Scan(&ok).Error
	})
	if err != nil {
		return fmt.Errorf("faces: check photo: %w", err)
	}
	if !ok {
		return fmt.Errorf("faces: check photo %s: %w", photo, ErrNotFound)
	}
	return nil
}
