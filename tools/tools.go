//go:build tools

// Package tools pins the test-only servers that scripts/setup --test builds:
// Stripe's own mock (v0.183.0 speaks the API version stripe-go v76 sends)
// and MinIO. They live in their own module so they never enter the app's
// dependency graph.
package tools

import (
	_ "github.com/minio/minio"
	_ "github.com/stripe/stripe-mock"
)
