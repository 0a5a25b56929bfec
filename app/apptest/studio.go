package apptest

import (
	"context"
	"strings"

	"github.com/proofsheet/proofsheet/app/auth"
	"github.com/proofsheet/proofsheet/gallery"
)

// NewStudio creates a studio and its owner directly through the accounts
// service, for tests that need a tenant but not a signed-in browser.
func (ta *TestApp) NewStudio(name string) *auth.User {
	ta.t.Helper()
	email := strings.ToLower(strings.ReplaceAll(name, " ", "-")) + "@example.com"
	u, err := ta.Accounts.CreateStudio(context.Background(), name, "Owner of "+name, email, "Correct-Horse-Battery-7")
	if err != nil {
		ta.t.Fatalf("new studio %s: %v", name, err)
	}
	return u
}

// Actor is u acting in the gallery.
func Actor(u *auth.User) gallery.Actor { return gallery.Actor{UserID: u.ID, IP: "192.0.2.1"} }
