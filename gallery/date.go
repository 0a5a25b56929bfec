package gallery

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// Date is a calendar day without a time zone (an event date), stored as SQL
// date and written as "2006-01-02" in JSON and forms.
type Date struct{ time.Time }

const dateLayout = "2006-01-02"

// ParseDate reads "2006-01-02"; an empty string is no date.
func ParseDate(s string) (*Date, error) {
	if s == "" {
		return nil, nil
	}
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return nil, invalid("event_date", "Give the date as YYYY-MM-DD.")
	}
	return &Date{t}, nil
}

func (d Date) String() string { return d.Format(dateLayout) }

// MarshalJSON writes the day only.
func (d Date) MarshalJSON() ([]byte, error) { return []byte(`"` + d.String() + `"`), nil }

// UnmarshalJSON reads "2006-01-02".
func (d *Date) UnmarshalJSON(b []byte) error {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return invalid("event_date", "Give the date as YYYY-MM-DD.")
	}
	p, err := ParseDate(string(b[1 : len(b)-1]))
	if err != nil || p == nil {
		return invalid("event_date", "Give the date as YYYY-MM-DD.")
	}
	*d = *p
	return nil
}

// Value stores the day.
func (d Date) Value() (driver.Value, error) { return d.String(), nil }

// Scan reads an SQL date.
func (d *Date) Scan(v any) error {
	switch x := v.(type) {
	case time.Time:
		d.Time = time.Date(x.Year(), x.Month(), x.Day(), 0, 0, 0, 0, time.UTC)
	case string:
		t, err := time.Parse(dateLayout, x)
		if err != nil {
			return err
		}
		d.Time = t
	default:
		return fmt.Errorf("gallery: date from %T", v)
	}
	return nil
}
