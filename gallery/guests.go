package gallery

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// GuestSessionLife bounds a guest session; the link's expiry bounds it too.
const GuestSessionLife = 30 * 24 * time.Hour

// ErrNotPublished is an album a guest may not see yet.
var ErrNotPublished = errors.New("album not published")

// GuestAccess is a link opened by a browser or an app: the link, its
// album, and, once past any PIN, the guest session and the guest's name.
type GuestAccess struct {
	Link    ShareLink
	Album   Album
	Session *GuestSession // nil until the guest has got in
	Guest   *Guest        // nil until the guest gave a name
	IP      string
	// StudioName is who shared the link, for its pages; read with the
	// link so a cached page needs no other lookup.
	StudioName string
}

// In reports whether the guest is past the PIN.
func (g *GuestAccess) In() bool { return g.Session != nil }

// CanAnnotate reports whether the guest entered the annotate PIN.
func (g *GuestAccess) CanAnnotate() bool { return g.In() && g.Session.Access == AccessAnnotate }

// Actor is the guest acting, for the audit log.
func (g *GuestAccess) Actor() Actor {
	a := Actor{LinkID: g.Link.ID, IP: g.IP}
	if g.Guest != nil {
		a.GuestID = g.Guest.ID
	}
	return a
}

// Studio is the studio the link belongs to.
func (g *GuestAccess) Studio() uuid.UUID { return g.Link.StudioID }

// LinkStudio is the studio of a share link, live or dead (uuid.Nil when
// there is no such link), so a page about a dead link can name who sent it.
func (s *Service) LinkStudio(ctx context.Context, linkToken string) (uuid.UUID, error) {
	return s.linkStudio(ctx, hashSecret(linkToken))
}

// linkStudio remembers a link's studio: a link never moves.
func (s *Service) linkStudio(ctx context.Context, hash string) (uuid.UUID, error) {
	if id, ok := s.cache.studioOf(hash); ok {
		return id, nil
	}
	id, err := s.StudioOf(ctx, "share_link", hash)
	if err == nil && id != uuid.Nil {
		s.cache.keepStudio(hash, id)
	}
	return id, err
}

// OpenLink resolves a link token and, when sessionToken belongs to the same
// link and is alive, the guest session. An expired or revoked link is
// ErrLinkGone whatever the session says. Every page and thumbnail a guest
// asks for starts here, so the answer is cached (guest_cache.go) and its
// time limits checked on each use.
func (s *Service) OpenLink(ctx context.Context, linkToken, sessionToken, ip string) (*GuestAccess, error) {
	linkHash, sessionHash := hashSecret(linkToken), ""
	if sessionToken != "" {
		sessionHash = hashSecret(sessionToken)
	}
	studio, err := s.linkStudio(ctx, linkHash)
	if err == nil && studio == uuid.Nil {
		err = ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("gallery: open link: %w", err)
	}
	k, now := cacheKey{kind: cachedAccess, studio: studio, a: linkHash, b: sessionHash}, s.Now()
	if v, ok := s.cache.get(k); ok && v.(*GuestAccess).fresh(now) {
		g := v.(*GuestAccess).clone()
		g.IP = ip
		return g, nil
	}
	st, on := s.cache.stamp(studio)
	g := &GuestAccess{IP: ip}
	err = s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		if err := g.load(tx, now, linkHash); err != nil {
			return err
		}
		if sessionHash == "" {
			return nil
		}
		return g.loadSession(tx, now, sessionHash)
	})
	if err != nil {
		return nil, fmt.Errorf("gallery: open link: %w", err)
	}
	if on {
		s.cache.put(k, st, g.clone())
	}
	return g, nil
}

// fresh reports whether a cached access still holds at now: the link and
// session have not expired, and the session was marked seen in the last
// minute (else it is read again, which marks it).
func (g *GuestAccess) fresh(now time.Time) bool {
	if !g.Link.Usable(now) {
		return false
	}
	return g.Session == nil || (g.Session.ExpiresAt.After(now) && now.Sub(g.Session.LastSeenAt) <= sessionTouch)
}

// sessionTouch is how often a session's last_seen_at is written.
const sessionTouch = time.Minute

// clone copies g deeply enough that the copy's session and guest can be
// changed (Identify does) without touching a cached one.
func (g *GuestAccess) clone() *GuestAccess {
	c := *g
	if g.Session != nil {
		s := *g.Session
		c.Session = &s
	}
	if g.Guest != nil {
		gg := *g.Guest
		c.Guest = &gg
	}
	return &c
}

func (g *GuestAccess) load(tx *gorm.DB, now time.Time, hash string) error {
	if err := tx.Where("token_hash = ?", hash).Take(&g.Link).Error; err != nil {
		return notFound(err)
	}
	if !g.Link.Usable(now) {
		return ErrLinkGone
	}
	a, err := albumIn(tx, g.Link.StudioID, g.Link.AlbumID)
	if err != nil {
		return err
	}
	g.Album = *a
	if err := tx.Table("studios").Select("name").Where("id = ?", g.Link.StudioID).Scan(&g.StudioName).Error; err != nil {
		return err
	}
	switch a.Status {
	case StatusDraft:
		return ErrNotPublished
	case StatusArchived:
		return ErrLinkGone
	}
	return nil
}

func (g *GuestAccess) loadSession(tx *gorm.DB, now time.Time, hash string) error {
	var gs GuestSession
	err := tx.Where("token_hash = ? AND link_id = ? AND expires_at > ?", hash, g.Link.ID, now).Take(&gs).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil // a stale cookie is no session, not an error
	}
	if err != nil {
		return err
	}
	g.Session = &gs
	if now.Sub(gs.LastSeenAt) > sessionTouch {
		if err := tx.Model(&gs).Update("last_seen_at", now).Error; err != nil {
			return err
		}
		gs.LastSeenAt = now
	}
	if gs.GuestID == nil {
		return nil
	}
	var guest Guest
	if err := tx.Where("id = ?", *gs.GuestID).Take(&guest).Error; err != nil {
		return notFound(err)
	}
	g.Guest = &guest
	return nil
}

// Enter lets a guest in: with no PIN when the album has no view PIN, else
// with the view PIN (browse, favourite, download) or the annotate PIN (all
// that and annotations). It returns the new session's token. Wrong PINs
// are counted per link and client, audited, and lock the client out.
func (s *Service) Enter(ctx context.Context, g *GuestAccess, pin string) (string, error) {
	token, hash, err := newSecret()
	if err != nil {
		return "", fmt.Errorf("gallery: enter: %w", err)
	}
	var refused error
	err = s.InStudio(ctx, g.Studio(), func(tx *gorm.DB) error {
		access, err := s.checkPIN(ctx, tx, g, pin)
		if err != nil || access == "" {
			refused = err // the failure count and audit entry still commit
			return nil
		}
		return s.startSession(ctx, tx, g, access, hash)
	})
	if err == nil {
		err = refused
	}
	if err != nil {
		return "", fmt.Errorf("gallery: enter: %w", err)
	}
	return token, nil
}

// checkPIN says which access pin gives, or why none.
func (s *Service) checkPIN(ctx context.Context, tx *gorm.DB, g *GuestAccess, pin string) (string, error) {
	a := g.Album
	if pin == "" && !a.HasViewPIN() {
		return AccessView, nil
	}
	now := s.Now()
	st, err := pinState(tx, &g.Link, g.IP)
	if err != nil {
		return "", err
	}
	if err := st.lockedOut(now); err != nil {
		return "", err
	}
	// Both hashes are checked so the time taken does not say which PIN exists.
	annotate := a.HasAnnotatePIN() && s.PINs.Verify(pin, *a.AnnotatePINHash)
	view := a.HasViewPIN() && s.PINs.Verify(pin, *a.ViewPINHash)
	switch {
	case annotate:
		return AccessAnnotate, st.succeed(tx)
	case view:
		return AccessView, st.succeed(tx)
	}
	lock, err := st.fail(tx, now)
	if err != nil {
		return "", err
	}
	detail := map[string]any{"album_id": a.ID.String(), "failures": st.Failures, "locked": lock != nil}
	if err := s.record(ctx, tx, g.Studio(), g.Actor(), "share.pin_failed", detail); err != nil {
		return "", err
	}
	if lock != nil {
		return "", lock
	}
	return "", ErrWrongPIN
}

// startSession stores the guest's session and counts a view of the link.
func (s *Service) startSession(ctx context.Context, tx *gorm.DB, g *GuestAccess, access, hash string) error {
	now := s.Now()
	exp := now.Add(GuestSessionLife)
	if g.Link.ExpiresAt != nil && g.Link.ExpiresAt.Before(exp) {
		exp = *g.Link.ExpiresAt
	}
	gs := GuestSession{ID: uuid.New(), StudioID: g.Studio(), LinkID: g.Link.ID, TokenHash: hash, Access: access,
		IP: g.IP, CreatedAt: now, LastSeenAt: now, ExpiresAt: exp}
	if g.Session != nil && g.Session.GuestID != nil {
		gs.GuestID = g.Session.GuestID // entering the annotate PIN keeps the name
	}
	if err := tx.Create(&gs).Error; err != nil {
		return err
	}
	g.Session = &gs
	if err := tx.Model(&g.Link).Updates(map[string]any{"views": gorm.Expr("views + 1"), "last_used_at": now}).Error; err != nil {
		return err
	}
	if err := s.activity(tx, g, "view", nil, map[string]any{"access": access}); err != nil {
		return err
	}
	return s.record(ctx, tx, g.Studio(), g.Actor(), "share.enter", map[string]any{"album_id": g.Album.ID.String(), "access": access})
}

// Identify records the guest's name and e-mail (once per link and address)
// and ties the session to them.
func (s *Service) Identify(ctx context.Context, g *GuestAccess, name, email string) error {
	name, email = strings.TrimSpace(name), strings.ToLower(strings.TrimSpace(email))
	switch {
	case !g.In():
		return fmt.Errorf("gallery: identify: %w", ErrForbidden)
	case name == "" || len([]rune(name)) > 120:
		return fmt.Errorf("gallery: identify: %w", invalid("name", "Tell us your name."))
	case !validEmail(email):
		return fmt.Errorf("gallery: identify: %w", invalid("email", "That e-mail address does not look right."))
	}
	err := s.InStudio(ctx, g.Studio(), func(tx *gorm.DB) error {
		// The same address again is the same guest: favourites follow them
		// from one browser to another.
		var guest Guest
		err := tx.Where("link_id = ? AND email = ?", g.Link.ID, email).Take(&guest).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			guest = Guest{ID: uuid.New(), StudioID: g.Studio(), LinkID: g.Link.ID, Name: name, Email: email, CreatedAt: s.Now()}
			err = tx.Create(&guest).Error
		}
		if err != nil {
			return err
		}
		if err := tx.Model(g.Session).Update("guest_id", guest.ID).Error; err != nil {
			return err
		}
		g.Guest = &guest
		return nil
	})
	if err != nil {
		return fmt.Errorf("gallery: identify: %w", err)
	}
	return nil
}

// activity adds a line to the album's activity.
func (s *Service) activity(tx *gorm.DB, g *GuestAccess, kind string, photo *uuid.UUID, detail map[string]any) error {
	a := Activity{StudioID: g.Studio(), AlbumID: g.Album.ID, LinkID: &g.Link.ID, PhotoID: photo, Kind: kind,
		Detail: detail, At: s.Now()}
	if g.Guest != nil {
		a.GuestID = &g.Guest.ID
	}
	if a.Detail == nil {
		a.Detail = map[string]any{}
	}
	return tx.Create(&a).Error
}
