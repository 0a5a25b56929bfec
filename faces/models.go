package faces

import (
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/pgvector/pgvector-go"
)

// Collection is a set of albums whose photos are indexed for face search.
type Collection struct {
	ID        uuid.UUID   `json:"id"`
	StudioID  uuid.UUID   `json:"-"`
	Name      string      `json:"name"`
	CreatedBy *uuid.UUID  `json:"-"`
	CreatedAt time.Time   `json:"created_at"`
	AlbumIDs  []uuid.UUID `gorm:"-" json:"album_ids"`
	Progress  Progress    `gorm:"-" json:"progress"`
}

// TableName is the collections' table.
func (Collection) TableName() string { return "face_collections" }

// Progress is how far a collection's indexing has come.
type Progress struct {
	Photos  int `json:"photos"`  // photos of the covered albums, less those that failed to render
	Indexed int `json:"indexed"` // photos looked at, with or without faces
	Failed  int `json:"failed"`  // of Indexed, previews that could not be read
	Faces   int `json:"faces"`
	People  int `json:"people"` // people with at least one face, hidden ones included
}

// Done reports whether every photo has been looked at.
func (p Progress) Done() bool { return p.Indexed >= p.Photos }

// String is the progress line the studio sees: "812 of 1,040 photos".
func (p Progress) String() string {
	return fmt.Sprintf("%s of %s photos", thousands(p.Indexed), thousands(p.Photos))
}

// thousands writes n with a comma between groups of three digits.
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// Rect is a face's box in fractions of its photo's width and height, so it
// fits every rendition.
type Rect struct {
	X float32 `json:"x"`
	Y float32 `json:"y"`
	W float32 `json:"w"`
	H float32 `json:"h"`
}

// FaceMatch is one stored face found by a search.
type FaceMatch struct {
	FaceID     uuid.UUID  `json:"face_id"`
	PhotoID    uuid.UUID  `json:"photo_id"`
	PersonID   *uuid.UUID `json:"person_id,omitempty"`
	Box        Rect       `json:"box"`
	Similarity float32    `json:"similarity"` // cosine similarity to the probe
}

// PhotoMatch is a photo found by a search, with the faces on it that
// matched, best first.
type PhotoMatch struct {
	PhotoID    uuid.UUID   `json:"photo_id"`
	Similarity float32     `json:"similarity"` // the best of its faces
	Faces      []FaceMatch `json:"faces"`
	// ViaPerson is set when no face of the photo reached the threshold but
	// one belongs to a person the probe matched.
	ViaPerson bool `json:"via_person,omitempty"`
}

// Person is a cluster of faces of one collection.
type Person struct {
	ID           uuid.UUID `json:"id"`
	CollectionID uuid.UUID `json:"collection_id"`
	Name         string    `json:"name"`
	Hidden       bool      `json:"hidden"`
	Faces        int       `json:"faces"`
	Photos       int       `json:"photos"`
	Cover        *FaceRef  `json:"cover,omitempty"` // the face to show as the person's crop
}

// FaceRef is where a stored face is: its photo and box.
type FaceRef struct {
	FaceID  uuid.UUID `json:"face_id"`
	PhotoID uuid.UUID `json:"photo_id"`
	Box     Rect      `json:"box"`
}

// storedFace is a row of faces.
type storedFace struct {
	ID           uuid.UUID
	StudioID     uuid.UUID
	CollectionID uuid.UUID
	PhotoID      uuid.UUID
	PersonID     *uuid.UUID
	X, Y, W, H   float32
	Width        int
	Score        float32
	Quality      float32
	Model        string
	Neighbors    int
	Core         bool
	Embedding    pgvector.Vector `gorm:"type:vector(512)"`
	CreatedAt    time.Time
}

func (storedFace) TableName() string { return "faces" }

// personRow is a row of people.
type personRow struct {
	ID           uuid.UUID
	StudioID     uuid.UUID
	CollectionID uuid.UUID
	Name         string
	Hidden       bool
	CoverFaceID  *uuid.UUID
	CreatedAt    time.Time
}

func (personRow) TableName() string { return "people" }

// facePhoto is a row of face_photos: one photo looked at for a collection.
type facePhoto struct {
	CollectionID uuid.UUID
	PhotoID      uuid.UUID
	StudioID     uuid.UUID
	Status       string
	Faces        int
	Failure      string
	Model        string
	IndexedAt    time.Time
}

func (facePhoto) TableName() string { return "face_photos" }

// face_photos statuses.
const (
	photoIndexed = "indexed"
	photoFailed  = "failed"
)
