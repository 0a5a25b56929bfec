package gallery

import (
	"time"

	"github.com/google/uuid"
)

// Album statuses.
const (
	StatusDraft     = "draft"
	StatusPublished = "published"
	StatusArchived  = "archived"
)

// Client is a customer of the studio; albums may belong to one.
type Client struct {
	ID        uuid.UUID `json:"id"`
	StudioID  uuid.UUID `json:"-"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	Phone     string    `json:"phone"`
	Notes     string    `json:"notes"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Album is one delivered shoot.
type Album struct {
	ID               uuid.UUID  `json:"id"`
	StudioID         uuid.UUID  `json:"-"`
	ClientID         *uuid.UUID `json:"client_id"`
	Title            string     `json:"title"`
	EventDate        *Date      `json:"event_date"`
	Status           string     `json:"status"`
	CoverPhotoID     *uuid.UUID `json:"cover_photo_id"`
	OriginalsAllowed bool       `json:"originals_allowed"`
	WebAllowed       bool       `json:"web_allowed"`
	ViewPINHash      *string    `gorm:"column:view_pin_hash" json:"-"`
	AnnotatePINHash  *string    `gorm:"column:annotate_pin_hash" json:"-"`
	SelectionLimit   *int       `json:"selection_limit"`
	Watermark        *Watermark `gorm:"serializer:json" json:"watermark"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
}

// HasViewPIN reports whether guests need a PIN to see the album.
func (a *Album) HasViewPIN() bool { return a.ViewPINHash != nil }

// HasAnnotatePIN reports whether annotating is possible at all.
func (a *Album) HasAnnotatePIN() bool { return a.AnnotatePINHash != nil }

// Watermark is burned into guest previews.
type Watermark struct {
	Kind     string  `json:"kind"` // "text" or "logo"
	Text     string  `json:"text,omitempty"`
	Position string  `json:"position"` // center, bottom-right, ...
	Opacity  float64 `json:"opacity"`  // 0..1
}

// Folder groups an album's photos; guests see folders as tabs.
type Folder struct {
	ID             uuid.UUID `json:"id"`
	StudioID       uuid.UUID `json:"-"`
	AlbumID        uuid.UUID `json:"album_id"`
	Name           string    `json:"name"`
	Position       int       `json:"position"`
	Hidden         bool      `json:"hidden"`
	DownloadLocked bool      `json:"download_locked"`
	CreatedAt      time.Time `json:"created_at"`
}

// Photo kinds and statuses.
const (
	KindImage    = "image"
	KindVideo    = "video"
	KindDocument = "document"

	PhotoProcessing = "processing"
	PhotoReady      = "ready"
	PhotoFailed     = "failed"
)

// Photo is one uploaded file (a photo, a video or a PDF) and its renditions.
type Photo struct {
	ID          uuid.UUID  `json:"id"`
	StudioID    uuid.UUID  `json:"-"`
	AlbumID     uuid.UUID  `json:"album_id"`
	FolderID    uuid.UUID  `json:"folder_id"`
	Filename    string     `json:"filename"`
	MediaType   string     `json:"media_type"`
	Kind        string     `json:"kind"`
	Size        int64      `json:"size"`
	SHA256      []byte     `gorm:"column:sha256" json:"-"`
	CRC32       uint32     `gorm:"column:crc32" json:"-"`
	PreviewSize int64      `json:"-"`
	PreviewCRC  uint32     `gorm:"column:preview_crc32" json:"-"`
	Width       int        `json:"width"`
	Height      int        `json:"height"`
	TakenAt     *time.Time `json:"taken_at"`
	Position    int        `json:"position"`
	Status      string     `json:"status"`
	Failure     string     `json:"failure,omitempty"`
	Placeholder string     `json:"placeholder"`
	OriginalKey string     `json:"-"`
	ThumbKey    string     `json:"-"`
	PreviewKey  string     `json:"-"`
	CreatedAt   time.Time  `json:"created_at"`
}

// ShareLink gives one recipient access to an album.
type ShareLink struct {
	ID         uuid.UUID  `json:"id"`
	StudioID   uuid.UUID  `json:"-"`
	AlbumID    uuid.UUID  `json:"album_id"`
	Label      string     `json:"label"`
	TokenHash  string     `json:"-"`
	ExpiresAt  *time.Time `json:"expires_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	Views      int64      `json:"views"`
	Downloads  int64      `json:"downloads"`
	LastUsedAt *time.Time `json:"last_used_at"`
	CreatedBy  *uuid.UUID `json:"-"`
	CreatedAt  time.Time  `json:"created_at"`
}

// Usable reports whether the link still opens the album at t.
func (l *ShareLink) Usable(t time.Time) bool {
	return l.RevokedAt == nil && (l.ExpiresAt == nil || t.Before(*l.ExpiresAt))
}

// Guest access levels.
const (
	AccessView     = "view"
	AccessAnnotate = "annotate"
)

// Guest is a named visitor of one link.
type Guest struct {
	ID        uuid.UUID `json:"id"`
	StudioID  uuid.UUID `json:"-"`
	LinkID    uuid.UUID `json:"link_id"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	CreatedAt time.Time `json:"created_at"`
}

// GuestSession is a browser (or app) holding a link, after any PIN.
type GuestSession struct {
	ID         uuid.UUID  `json:"-"`
	StudioID   uuid.UUID  `json:"-"`
	LinkID     uuid.UUID  `json:"-"`
	GuestID    *uuid.UUID `json:"-"`
	TokenHash  string     `json:"-"`
	Access     string     `json:"access"`
	IP         string     `json:"-"`
	CreatedAt  time.Time  `json:"-"`
	LastSeenAt time.Time  `json:"-"`
	ExpiresAt  time.Time  `json:"expires_at"`
}

// Annotation is a guest's note on a point or rectangle of a photo, in
// fractions of its width and height.
type Annotation struct {
	ID         uuid.UUID         `json:"id"`
	StudioID   uuid.UUID         `json:"-"`
	PhotoID    uuid.UUID         `json:"photo_id"`
	GuestID    *uuid.UUID        `json:"guest_id"`
	Shape      string            `json:"shape"` // point or rect
	X          float64           `json:"x"`
	Y          float64           `json:"y"`
	W          float64           `json:"w"`
	H          float64           `json:"h"`
	Note       string            `json:"note"`
	Status     string            `json:"status"` // open or resolved
	CreatedAt  time.Time         `json:"created_at"`
	ResolvedAt *time.Time        `json:"resolved_at"`
	Replies    []AnnotationReply `gorm:"foreignKey:AnnotationID" json:"replies"`
}

// AnnotationReply is the photographer's (or the guest's) answer to a note.
type AnnotationReply struct {
	ID           uuid.UUID  `json:"id"`
	StudioID     uuid.UUID  `json:"-"`
	AnnotationID uuid.UUID  `json:"annotation_id"`
	UserID       *uuid.UUID `json:"user_id"`
	GuestID      *uuid.UUID `json:"guest_id"`
	Body         string     `json:"body"`
	CreatedAt    time.Time  `json:"created_at"`
}

// Selection is a submitted set of favourites, frozen at submission.
type Selection struct {
	ID          uuid.UUID `json:"id"`
	StudioID    uuid.UUID `json:"-"`
	AlbumID     uuid.UUID `json:"album_id"`
	GuestID     uuid.UUID `json:"guest_id"`
	Note        string    `json:"note"`
	SubmittedAt time.Time `json:"submitted_at"`
}

// Notification is something for the studio to look at.
type Notification struct {
	ID        uuid.UUID  `json:"id"`
	StudioID  uuid.UUID  `json:"-"`
	Kind      string     `json:"kind"`
	Title     string     `json:"title"`
	URL       string     `json:"url"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
}

// Activity is one line of an album's activity.
type Activity struct {
	ID       int64          `gorm:"->" json:"id"`
	StudioID uuid.UUID      `json:"-"`
	AlbumID  uuid.UUID      `json:"album_id"`
	LinkID   *uuid.UUID     `json:"link_id"`
	GuestID  *uuid.UUID     `json:"guest_id"`
	PhotoID  *uuid.UUID     `json:"photo_id"`
	Kind     string         `json:"kind"`
	Detail   map[string]any `gorm:"serializer:json" json:"detail"`
	At       time.Time      `json:"at"`
}

// TableName keeps GORM off its plural guess.
func (Activity) TableName() string { return "album_activity" }
