package billing

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
)

// FreePlan is the code of the plan every studio without a subscription is
// on. The migration seeds it; the operator may change its limits and name
// but not sell it or delete it.
const FreePlan = "free"

// Interval is how often a subscription is charged.
type Interval string

// Intervals of a subscription, as Stripe names them.
const (
	Monthly Interval = "month"
	Yearly  Interval = "year"
)

// ParseInterval accepts "month"/"monthly" and "year"/"yearly".
func ParseInterval(s string) (Interval, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "month", "monthly":
		return Monthly, nil
	case "year", "yearly", "annual":
		return Yearly, nil
	}
	return "", invalid("interval", "Choose monthly or yearly billing.")
}

// Plan is a subscription plan the operator defines. Prices include GST.
type Plan struct {
	Code               string    `json:"code"`
	Name               string    `json:"name"`
	Currency           string    `json:"currency"`
	MonthlyPaise       int64     `json:"monthly_paise"`
	YearlyPaise        int64     `json:"yearly_paise"`
	StripeMonthlyPrice string    `json:"-"`
	StripeYearlyPrice  string    `json:"-"`
	StorageBytes       Limit     `json:"storage_bytes"`
	Albums             Limit     `json:"albums"`
	FaceCollections    Limit     `json:"face_collections"`
	StaffSeats         Limit     `json:"staff_seats"`
	Active             bool      `json:"active"`
	Position           int       `json:"position"`
	CreatedAt          time.Time `json:"-"`
	UpdatedAt          time.Time `json:"-"`
}

// TableName is the plans table.
func (Plan) TableName() string { return "plans" }

// Price is the GST-inclusive price per interval in paise; 0 when the plan
// is not sold that way.
func (p *Plan) Price(iv Interval) int64 {
	if iv == Yearly {
		return p.YearlyPaise
	}
	return p.MonthlyPaise
}

// StripePrice is the Stripe price id of an interval, "" when not sold so.
func (p *Plan) StripePrice(iv Interval) string {
	if iv == Yearly {
		return p.StripeYearlyPrice
	}
	return p.StripeMonthlyPrice
}

// PlanInput is a whole plan as the operator's admin command gives it.
type PlanInput struct {
	Code               string
	Name               string
	MonthlyPaise       int64
	YearlyPaise        int64
	StripeMonthlyPrice string
	StripeYearlyPrice  string
	StorageBytes       Limit
	Albums             Limit
	FaceCollections    Limit
	StaffSeats         Limit
	Active             bool
	Position           int
}

var (
	codeRE        = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)
	stripePriceRE = regexp.MustCompile(`^price_[A-Za-z0-9]{1,120}$`)
)

// Plans lists every plan, active or not, in the operator's order.
func (s *Service) Plans(ctx context.Context) ([]Plan, error) {
	var ps []Plan
	err := s.Unscoped(ctx, func(tx *gorm.DB) error {
		return tx.Order("position, code").Find(&ps).Error
	})
	if err != nil {
		return nil, fmt.Errorf("billing: plans: %w", err)
	}
	return ps, nil
}

// Plan finds a plan by code.
func (s *Service) Plan(ctx context.Context, code string) (*Plan, error) {
	var p *Plan
	err := s.Unscoped(ctx, func(tx *gorm.DB) (err error) {
		p, err = planByCode(tx, code)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("billing: plan %s: %w", code, err)
	}
	return p, nil
}

func planByCode(tx *gorm.DB, code string) (*Plan, error) {
	var p Plan
	if err := tx.Where("code = ?", code).Take(&p).Error; err != nil {
		return nil, notFound(err)
	}
	return &p, nil
}

// SavePlan creates the plan or replaces the one with its code.
func (s *Service) SavePlan(ctx context.Context, in PlanInput) (*Plan, error) {
	p, err := in.plan()
	if err != nil {
		return nil, fmt.Errorf("billing: save plan: %w", err)
	}
	p.UpdatedAt = s.Now()
	err = s.Unscoped(ctx, func(tx *gorm.DB) error {
		if err := priceFree(tx, p.Code, "plan", p.StripeMonthlyPrice, p.StripeYearlyPrice); err != nil {
			return err
		}
		return tx.Exec(`INSERT INTO plans (code, name, monthly_paise, yearly_paise, stripe_monthly_price,
				stripe_yearly_price, storage_bytes, albums, face_collections, staff_seats, active, position, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (code) DO UPDATE SET name = excluded.name, monthly_paise = excluded.monthly_paise,
				yearly_paise = excluded.yearly_paise, stripe_monthly_price = excluded.stripe_monthly_price,
				stripe_yearly_price = excluded.stripe_yearly_price, storage_bytes = excluded.storage_bytes,
				albums = excluded.albums, face_collections = excluded.face_collections,
				staff_seats = excluded.staff_seats, active = excluded.active, position = excluded.position,
				updated_at = excluded.updated_at`,
			p.Code, p.Name, p.MonthlyPaise, p.YearlyPaise, p.StripeMonthlyPrice, p.StripeYearlyPrice,
			p.StorageBytes, p.Albums, p.FaceCollections, p.StaffSeats, p.Active, p.Position, p.UpdatedAt).Error
	})
	if err != nil {
		return nil, fmt.Errorf("billing: save plan %s: %w", p.Code, err)
	}
	return s.Plan(ctx, p.Code)
}

// DeletePlan deletes a plan no studio is on. One that studios use is made
// inactive instead, so they keep it and nobody new can choose it.
func (s *Service) DeletePlan(ctx context.Context, code string) error {
	if code == FreePlan {
		return fmt.Errorf("billing: delete plan: %w", conflict("The free plan is every unsubscribed studio's plan and cannot be deleted."))
	}
	err := s.Unscoped(ctx, func(tx *gorm.DB) error {
		res := tx.Exec("DELETE FROM plans WHERE code = ?", code)
		if isForeignKey(res.Error) {
			return conflict("Studios are on this plan; make it inactive instead of deleting it.")
		}
		if res.Error == nil && res.RowsAffected == 0 {
			return ErrNotFound
		}
		return res.Error
	})
	if err != nil {
		return fmt.Errorf("billing: delete plan %s: %w", code, err)
	}
	return nil
}

// plan checks the input and returns the plan it describes.
func (in PlanInput) plan() (*Plan, error) {
	p := &Plan{
		Code: strings.TrimSpace(in.Code), Name: strings.TrimSpace(in.Name), Currency: "INR",
		MonthlyPaise: in.MonthlyPaise, YearlyPaise: in.YearlyPaise,
		StripeMonthlyPrice: strings.TrimSpace(in.StripeMonthlyPrice), StripeYearlyPrice: strings.TrimSpace(in.StripeYearlyPrice),
		StorageBytes: in.StorageBytes, Albums: in.Albums, FaceCollections: in.FaceCollections, StaffSeats: in.StaffSeats,
		Active: in.Active, Position: in.Position,
	}
	if !codeRE.MatchString(p.Code) {
		return nil, invalid("code", "A plan code is 1 to 32 lower-case letters, digits, '-' or '_', starting with a letter.")
	}
	if p.Name == "" || utf8.RuneCountInString(p.Name) > 80 {
		return nil, invalid("name", "Give the plan a name of at most 80 characters.")
	}
	if err := checkPlanPrices(p); err != nil {
		return nil, err
	}
	return p, checkPlanLimits(p)
}

func checkPlanPrices(p *Plan) error {
	if p.MonthlyPaise < 0 || p.YearlyPaise < 0 {
		return invalid("price", "Prices cannot be negative.")
	}
	if p.Code == FreePlan {
		if p.MonthlyPaise != 0 || p.YearlyPaise != 0 || p.StripeMonthlyPrice != "" || p.StripeYearlyPrice != "" {
			return invalid("price", "The free plan has no price and no Stripe price.")
		}
		return nil
	}
	if p.MonthlyPaise == 0 && p.YearlyPaise == 0 {
		return invalid("price", "A plan other than the free plan needs a monthly or a yearly price.")
	}
	for _, iv := range []struct {
		name  string
		paise int64
		price string
	}{{"monthly", p.MonthlyPaise, p.StripeMonthlyPrice}, {"yearly", p.YearlyPaise, p.StripeYearlyPrice}} {
		switch {
		case iv.paise > 0 && !stripePriceRE.MatchString(iv.price):
			return invalid("stripe_"+iv.name+"_price", fmt.Sprintf("The %s price needs its Stripe price id (price_...).", iv.name))
		case iv.paise == 0 && iv.price != "":
			return invalid("stripe_"+iv.name+"_price", fmt.Sprintf("A Stripe %s price is given but no %s price.", iv.name, iv.name))
		}
	}
	if p.StripeMonthlyPrice != "" && p.StripeMonthlyPrice == p.StripeYearlyPrice {
		return invalid("stripe_yearly_price", "The monthly and yearly prices must be different Stripe prices.")
	}
	return nil
}

func checkPlanLimits(p *Plan) error {
	for _, l := range []struct {
		field string
		v     Limit
		min   Limit
	}{{"storage_bytes", p.StorageBytes, 0}, {"albums", p.Albums, 0}, {"face_collections", p.FaceCollections, 0}, {"staff_seats", p.StaffSeats, 1}} {
		if l.v != Unlimited && l.v < l.min {
			return invalid(l.field, fmt.Sprintf("The %s limit must be at least %d, or unlimited.", strings.ReplaceAll(l.field, "_", " "), l.min))
		}
	}
	return nil
}

// priceFree refuses Stripe price ids that another plan or product (other
// than code of kind) already sells: a payment's price must name one thing.
func priceFree(tx *gorm.DB, code, kind string, prices ...string) error {
	for _, price := range prices {
		if price == "" {
			continue
		}
		var owner string
		err := tx.Raw(`SELECT 'plan:' || code FROM plans WHERE stripe_monthly_price = @p OR stripe_yearly_price = @p
			UNION ALL SELECT 'product:' || code FROM unlock_products WHERE stripe_price = @p`,
			map[string]any{"p": price}).Scan(&owner).Error
		if err != nil {
			return err
		}
		if owner != "" && owner != kind+":"+code {
			return invalid("stripe_price", fmt.Sprintf("Stripe price %s already belongs to %s.", price, strings.Replace(owner, ":", " ", 1)))
		}
	}
	return nil
}

// isForeignKey reports a foreign key violation, translated by GORM or not.
func isForeignKey(err error) bool {
	return isPGCode(err, "23503") || errors.Is(err, gorm.ErrForeignKeyViolated)
}

func isPGCode(err error, code string) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && pg.Code == code
}
