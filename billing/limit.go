package billing

import (
	"encoding/json"
	"strconv"
)

// Limit is a plan's allowance of one resource: a count, or bytes of
// storage. Unlimited allows any amount; it is -1 in the database and null
// in JSON.
type Limit int64

// Unlimited is no limit at all.
const Unlimited Limit = -1

// Allows reports whether n of the resource fit in the limit.
func (l Limit) Allows(n int64) bool { return l == Unlimited || n <= int64(l) }

// Plus adds extra (a storage pack) to a limit; Unlimited stays unlimited.
func (l Limit) Plus(extra int64) Limit {
	if l == Unlimited {
		return l
	}
	return l + Limit(extra)
}

// String is the number, or "unlimited".
func (l Limit) String() string {
	if l == Unlimited {
		return "unlimited"
	}
	return strconv.FormatInt(int64(l), 10)
}

// MarshalJSON writes Unlimited as null.
func (l Limit) MarshalJSON() ([]byte, error) {
	if l == Unlimited {
		return []byte("null"), nil
	}
	return json.Marshal(int64(l))
}

// UnmarshalJSON reads null as Unlimited.
func (l *Limit) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*l = Unlimited
		return nil
	}
	var n int64
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*l = Limit(n)
	return nil
}
