package app

import (
	"fmt"
	"math"
	"strconv"

	"github.com/proofsheet/proofsheet/app/auth"
)

// waitText says how long to wait in words a person reads at a glance.
func waitText(e *auth.RateLimitError) string {
	m := int(math.Ceil(e.RetryAfter.Minutes()))
	if m <= 1 {
		return "a minute"
	}
	return fmt.Sprintf("%d minutes", m)
}

func retryAfterSeconds(e *auth.RateLimitError) string {
	return strconv.Itoa(int(math.Ceil(e.RetryAfter.Seconds())))
}
