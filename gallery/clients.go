package gallery

import (
	"context"
	"fmt"
	"net/mail"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// ClientInput is what a studio types about a client.
type ClientInput struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone"`
	Notes string `json:"notes"`
}

func (in *ClientInput) clean() error {
	in.Name, in.Email = strings.TrimSpace(in.Name), strings.ToLower(strings.TrimSpace(in.Email))
	in.Phone, in.Notes = strings.TrimSpace(in.Phone), strings.TrimSpace(in.Notes)
	switch {
	case in.Name == "" || len([]rune(in.Name)) > 200:
		return invalid("name", "Give the client a name of at most 200 characters.")
	case in.Email != "" && !validEmail(in.Email):
		return invalid("email", "That e-mail address does not look right.")
	case len([]rune(in.Phone)) > 40:
		return invalid("phone", "A phone number has at most 40 characters.")
	case len([]rune(in.Notes)) > 5000:
		return invalid("notes", "Notes have at most 5,000 characters.")
	}
	return nil
}

func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && len(s) <= 254
}

// Clients lists the studio's clients by name.
func (s *Service) Clients(ctx context.Context, studio uuid.UUID) ([]Client, error) {
	var out []Client
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		return tx.Where("studio_id = ?", studio).Order("lower(name), created_at").Find(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("gallery: clients: %w", err)
	}
	return out, nil
}

// Client returns one client.
func (s *Service) Client(ctx context.Context, studio, id uuid.UUID) (*Client, error) {
	var c Client
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		return notFound(tx.Where("studio_id = ? AND id = ?", studio, id).Take(&c).Error)
	})
	if err != nil {
		return nil, fmt.Errorf("gallery: client: %w", err)
	}
	return &c, nil
}

// CreateClient adds a client.
func (s *Service) CreateClient(ctx context.Context, studio uuid.UUID, in ClientInput, act Actor) (*Client, error) {
	if err := in.clean(); err != nil {
		return nil, fmt.Errorf("gallery: create client: %w", err)
	}
	now := s.Now()
	c := Client{ID: uuid.New(), StudioID: studio, Name: in.Name, Email: in.Email, Phone: in.Phone,
		Notes: in.Notes, CreatedAt: now, UpdatedAt: now}
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		if err := tx.Create(&c).Error; err != nil {
			return err
		}
		return s.record(ctx, tx, studio, act, "client.create", map[string]any{"client_id": c.ID.String()})
	})
	if err != nil {
		return nil, fmt.Errorf("gallery: create client: %w", err)
	}
	return &c, nil
}

// UpdateClient replaces a client's details.
func (s *Service) UpdateClient(ctx context.Context, studio, id uuid.UUID, in ClientInput, act Actor) (*Client, error) {
	if err := in.clean(); err != nil {
		return nil, fmt.Errorf("gallery: update client: %w", err)
	}
	var c Client
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		if err := notFound(tx.Where("studio_id = ? AND id = ?", studio, id).Take(&c).Error); err != nil {
			return err
		}
		c.Name, c.Email, c.Phone, c.Notes, c.UpdatedAt = in.Name, in.Email, in.Phone, in.Notes, s.Now()
		if err := tx.Save(&c).Error; err != nil {
			return err
		}
		return s.record(ctx, tx, studio, act, "client.update", map[string]any{"client_id": id.String()})
	})
	if err != nil {
		return nil, fmt.Errorf("gallery: update client: %w", err)
	}
	return &c, nil
}

// DeleteClient removes a client; their albums stay, without a client.
func (s *Service) DeleteClient(ctx context.Context, studio, id uuid.UUID, act Actor) error {
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		res := tx.Where("studio_id = ? AND id = ?", studio, id).Delete(&Client{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrNotFound
		}
		return s.record(ctx, tx, studio, act, "client.delete", map[string]any{"client_id": id.String()})
	})
	if err != nil {
		return fmt.Errorf("gallery: delete client: %w", err)
	}
	return nil
}
