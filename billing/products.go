package billing

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// Kinds of one-time unlock.
const (
	// KindFaceSearch turns face search on for one face collection, whatever
	// the plan's face collection limit.
	KindFaceSearch = "face_search_collection"
	// KindStoragePack adds its quantity of bytes to the plan's storage.
	KindStoragePack = "storage_pack"
)

// KindSubscription is the SAC key of subscription invoices in the operator
// profile; unlock invoices use the product's kind.
const KindSubscription = "subscription"

// saleKinds are the kinds the operator profile needs a SAC for.
var saleKinds = []string{KindSubscription, KindFaceSearch, KindStoragePack}

// Product is a one-time unlock the operator sells. The price includes GST.
type Product struct {
	Code        string    `json:"code"`
	Name        string    `json:"name"`
	Kind        string    `json:"kind"`
	Quantity    int64     `json:"quantity"`
	Currency    string    `json:"currency"`
	PricePaise  int64     `json:"price_paise"`
	StripePrice string    `json:"-"`
	Active      bool      `json:"active"`
	CreatedAt   time.Time `json:"-"`
	UpdatedAt   time.Time `json:"-"`
}

// TableName is the products table.
func (Product) TableName() string { return "unlock_products" }

// ProductInput is a whole product as the operator's admin command gives it.
type ProductInput struct {
	Code        string
	Name        string
	Kind        string
	Quantity    int64 // bytes of a storage pack; 1 (or 0) for face search
	PricePaise  int64
	StripePrice string
	Active      bool
}

// Products lists every product, active or not.
func (s *Service) Products(ctx context.Context) ([]Product, error) {
	var ps []Product
	err := s.Unscoped(ctx, func(tx *gorm.DB) error {
		return tx.Order("kind, price_paise, code").Find(&ps).Error
	})
	if err != nil {
		return nil, fmt.Errorf("billing: products: %w", err)
	}
	return ps, nil
}

// Product finds a product by code.
func (s *Service) Product(ctx context.Context, code string) (*Product, error) {
	var p *Product
	err := s.Unscoped(ctx, func(tx *gorm.DB) (err error) {
		p, err = productByCode(tx, code)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("billing: product %s: %w", code, err)
	}
	return p, nil
}

func productByCode(tx *gorm.DB, code string) (*Product, error) {
	var p Product
	if err := tx.Where("code = ?", code).Take(&p).Error; err != nil {
		return nil, notFound(err)
	}
	return &p, nil
}

// SaveProduct creates the product or replaces the one with its code.
func (s *Service) SaveProduct(ctx context.Context, in ProductInput) (*Product, error) {
	p, err := in.product()
	if err != nil {
		return nil, fmt.Errorf("billing: save product: %w", err)
	}
	p.UpdatedAt = s.Now()
	err = s.Unscoped(ctx, func(tx *gorm.DB) error {
		if err := priceFree(tx, p.Code, "product", p.StripePrice); err != nil {
			return err
		}
		return tx.Exec(`INSERT INTO unlock_products (code, name, kind, quantity, price_paise, stripe_price, active, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind, quantity = excluded.quantity,
				price_paise = excluded.price_paise, stripe_price = excluded.stripe_price, active = excluded.active,
				updated_at = excluded.updated_at`,
			p.Code, p.Name, p.Kind, p.Quantity, p.PricePaise, p.StripePrice, p.Active, p.UpdatedAt).Error
	})
	if err != nil {
		return nil, fmt.Errorf("billing: save product %s: %w", p.Code, err)
	}
	return s.Product(ctx, p.Code)
}

// DeleteProduct deletes a product nobody bought; a bought one is made
// inactive instead.
func (s *Service) DeleteProduct(ctx context.Context, code string) error {
	err := s.Unscoped(ctx, func(tx *gorm.DB) error {
		res := tx.Exec("DELETE FROM unlock_products WHERE code = ?", code)
		if isForeignKey(res.Error) {
			return conflict("Studios bought this product; make it inactive instead of deleting it.")
		}
		if res.Error == nil && res.RowsAffected == 0 {
			return ErrNotFound
		}
		return res.Error
	})
	if err != nil {
		return fmt.Errorf("billing: delete product %s: %w", code, err)
	}
	return nil
}

func (in ProductInput) product() (*Product, error) {
	p := &Product{
		Code: strings.TrimSpace(in.Code), Name: strings.TrimSpace(in.Name), Kind: in.Kind, Quantity: in.Quantity,
		Currency: "INR", PricePaise: in.PricePaise, StripePrice: strings.TrimSpace(in.StripePrice), Active: in.Active,
	}
	if !codeRE.MatchString(p.Code) {
		return nil, invalid("code", "A product code is 1 to 32 lower-case letters, digits, '-' or '_', starting with a letter.")
	}
	if p.Name == "" || utf8.RuneCountInString(p.Name) > 80 {
		return nil, invalid("name", "Give the product a name of at most 80 characters.")
	}
	switch p.Kind {
	case KindFaceSearch:
		if p.Quantity > 1 {
			return nil, invalid("quantity", "A face search unlock is for one collection; its quantity is 1.")
		}
		p.Quantity = 1
	case KindStoragePack:
		if p.Quantity < 1 {
			return nil, invalid("quantity", "A storage pack needs its size in bytes.")
		}
	default:
		return nil, invalid("kind", fmt.Sprintf("A product's kind is %s or %s.", KindFaceSearch, KindStoragePack))
	}
	if p.PricePaise <= 0 {
		return nil, invalid("price", "A product needs a price above zero.")
	}
	if !stripePriceRE.MatchString(p.StripePrice) {
		return nil, invalid("stripe_price", "A product needs its Stripe price id (price_...).")
	}
	return p, nil
}
