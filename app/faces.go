package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/proofsheet/proofsheet/app/audit"
	"github.com/proofsheet/proofsheet/faces"
	"github.com/proofsheet/proofsheet/gallery"
)

// faceSearchConns is how many pinned connections run vector searches:
// enough that one slow exact search (a probe that matches nothing, about
// a second at a million faces) does not hold the others up, few so that
// each soon has walked the index (database.DB.Pinned).
const faceSearchConns = 3

// newFaces wires face search to the database, the audit log, the jobs,
// the gallery's previews and the face pipeline (opened on first use). The
// gallery calls it back through gallery.Hooks.
func (a *App) newFaces() (*faces.Service, error) {
	a.FacePipeline = &FacePipeline{cfg: a.Config.Faces()}
	searches, err := a.DB.Pinned(context.Background(), faceSearchConns)
	if err != nil {
		return nil, fmt.Errorf("app: face search connections: %w", err)
	}
	return faces.New(faces.Deps{
		InStudio:  a.DB.InStudio,
		Searches:  searches.InStudio,
		Audit:     facesAudit{a.Audit},
		Jobs:      a.Jobs,
		Previews:  facePreviews{a},
		Finder:    a.FacePipeline,
		Vacuum:    a.DB.Vacuum,
		Quota:     quota{a},
		Threshold: float32(a.Config.FaceThreshold),
		Now:       a.now,
	}), nil
}

// FacePipeline opens the face pipeline on first use, so only processes
// that index faces or take selfies load ONNX Runtime and the models; a
// failed open is retried on the next use. Its sessions then live as long
// as the process.
type FacePipeline struct {
	cfg faces.Config
	mu  sync.Mutex
	p   *faces.Pipeline
}

// Pipeline returns the open pipeline, opening it if need be.
func (f *FacePipeline) Pipeline() (*faces.Pipeline, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.p == nil {
		p, err := faces.Open(f.cfg)
		if err != nil {
			return nil, fmt.Errorf("app: face pipeline: %w", err)
		}
		f.p = p
	}
	return f.p, nil
}

// Faces finds the faces of a picture (faces.Finder).
func (f *FacePipeline) Faces(ctx context.Context, img *faces.RGB) ([]faces.Face, error) {
	p, err := f.Pipeline()
	if err != nil {
		return nil, err
	}
	return p.Faces(ctx, img)
}

// ModelID names the embedding model; empty when the pipeline cannot open.
func (f *FacePipeline) ModelID() string {
	p, err := f.Pipeline()
	if err != nil {
		return ""
	}
	return p.ModelID()
}

// facesAudit writes face search actions to the audit log.
type facesAudit struct{ log *audit.Log }

func (f facesAudit) Record(ctx context.Context, tx *gorm.DB, studio uuid.UUID, act faces.Actor, kind string, detail map[string]any) error {
	who := audit.Who{UserID: act.UserID, TokenID: act.TokenID, IP: act.IP}
	return f.log.Append(ctx, tx, audit.NewEntry(studio, who, kind, detail))
}

// facePreviews reads a photo's preview from the gallery's store.
type facePreviews struct{ a *App }

func (p facePreviews) Preview(ctx context.Context, studio, album, photo uuid.UUID) ([]byte, error) {
	ph, err := p.a.Gallery.Photo(ctx, studio, album, photo)
	if errors.Is(err, gallery.ErrNotFound) || (err == nil && ph.PreviewKey == "") {
		return nil, fmt.Errorf("app: preview of %s: %w", photo, faces.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	obj, err := galleryBlobs{p.a.Blobs}.Open(ctx, studio, ph.PreviewKey)
	if errors.Is(err, gallery.ErrNotFound) {
		return nil, fmt.Errorf("app: preview of %s: %w", photo, faces.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	defer obj.Close()
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, obj); err != nil {
		return nil, fmt.Errorf("app: preview of %s: %w", photo, err)
	}
	return buf.Bytes(), nil
}
