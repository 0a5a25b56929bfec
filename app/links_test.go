package app_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/proofsheet/proofsheet/app/apptest"
	"github.com/proofsheet/proofsheet/gallery"
)

func tokenHash(token string) string {
	s := sha256.Sum256([]byte(token))
	return hex.EncodeToString(s[:])
}

func TestShareLinksShowTheAddressOnce(t *testing.T) {
	ta := apptest.New(t)
	w := newWorld(t, ta, "Lumen Studio", "mira@example.com")
	c, links := w.owner.Client, albumPathOf(w.album)+"/links"
	// The world made link "Anita" with the default expiry.
	if !strings.HasPrefix(ta.Config.BaseURL, "http") {
		t.Fatal(ta.Config.BaseURL)
	}
	exp := query[time.Time](t, ta, "SELECT expires_at FROM share_links WHERE id = $1", w.link)
	if d := time.Until(exp); d < 29*24*time.Hour || d > 30*24*time.Hour+time.Minute {
		t.Fatalf("default expiry in %s, want 30 days", d)
	}
	if got := query[string](t, ta, "SELECT token_hash FROM share_links WHERE id = $1", w.link); got != tokenHash(w.token) {
		t.Fatal("the stored hash is not the token's")
	}
	c.Run(t, []apptest.Scenario{
		{Name: "the list, without the address", Path: albumPathOf(w.album), Status: http.StatusOK,
			Contains: []string{"Anita", "Active"}, NotContains: []string{w.token, `id="new-link"`}},
		{Name: "no label", Path: links, Form: url.Values{"label": {""}}, Status: http.StatusUnprocessableEntity,
			Contains: []string{"Give the link a label of at most 120 characters"}},
		{Name: "a date and never", Path: links, Form: url.Values{"label": {"Both"}, "expires": {"2099-01-01"}, "never": {"1"}},
			Status: http.StatusUnprocessableEntity, Contains: []string{"Choose an expiry date or &#34;never&#34;, not both.", `value="Both"`}},
		{Name: "in the past", Path: links, Form: url.Values{"label": {"Past"}, "expires": {"2020-01-01"}}, Status: http.StatusUnprocessableEntity,
			Contains: []string{"The expiry must be in the future."}},
		{Name: "not a date", Path: links, Form: url.Values{"label": {"Soon"}, "expires": {"next week"}}, Status: http.StatusUnprocessableEntity,
			Contains: []string{"Give the expiry as a date."}},
		{Name: "no CSRF", Path: links, Form: url.Values{"label": {"Forged"}}, NoCSRF: true, Status: http.StatusForbidden},
	})
	if n := query[int](t, ta, "SELECT count(*) FROM share_links"); n != 1 {
		t.Fatalf("%d links after mistakes", n)
	}

	res := c.PostForm(links, url.Values{"label": {"Grandparents"}, "never": {"1"}})
	m := newLinkURL.FindStringSubmatch(res.Body)
	if res.StatusCode != http.StatusOK || m == nil || m[1] != ta.Config.BaseURL+"/g/"+m[2] {
		t.Fatalf("never-expiring link: %d %.400s", res.StatusCode, res.Body)
	}
	if n := query[int](t, ta, "SELECT count(*) FROM share_links WHERE label = 'Grandparents' AND expires_at IS NULL AND token_hash = $1", tokenHash(m[2])); n != 1 {
		t.Fatal("the never-expiring link is not stored as such")
	}
	dated := c.PostForm(links, url.Values{"label": {"Planner"}, "expires": {"2099-03-31"}})
	if dated.StatusCode != http.StatusOK {
		t.Fatalf("dated link: %d", dated.StatusCode)
	}
	if got := query[time.Time](t, ta, "SELECT expires_at FROM share_links WHERE label = 'Planner'"); !got.Equal(time.Date(2099, 4, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("dated link expires %s, want the end of 31 March 2099", got)
	}
	c.Run(t, []apptest.Scenario{
		{Name: "shown once only", Path: albumPathOf(w.album), Status: http.StatusOK,
			Contains: []string{"Grandparents", "Never", "Planner"}, NotContains: []string{m[2], `id="new-link"`}},
	})

	// Regenerate: a new address, shown once; the old one stops working.
	regen := albumPathOf(w.album) + "/links/" + w.link.String() + "/regenerate"
	res = c.PostForm(regen, url.Values{})
	m2 := newLinkURL.FindStringSubmatch(res.Body)
	if res.StatusCode != http.StatusOK || m2 == nil || m2[2] == w.token || !strings.Contains(res.Body, "The old address no longer works.") {
		t.Fatalf("regenerate: %d %.400s", res.StatusCode, res.Body)
	}
	if _, err := ta.Gallery.OpenLink(context.Background(), w.token, "", "198.51.100.7"); !errors.Is(err, gallery.ErrNotFound) {
		t.Fatalf("the old token still opens: %v", err)
	}
	revoke := albumPathOf(w.album) + "/links/" + w.link.String() + "/revoke"
	c.Run(t, []apptest.Scenario{
		{Name: "revoke", Path: revoke, Form: url.Values{}, Status: http.StatusSeeOther, Location: albumPathOf(w.album) + "#links"},
		{Name: "shown as off", Path: albumPathOf(w.album), Status: http.StatusOK, Contains: []string{"The link was turned off.", "Turned off"}},
		{Name: "a revoked link stays revoked", Path: regen, Form: url.Values{}, Status: http.StatusConflict,
			Contains: []string{"a revoked link stays revoked; make a new one"}},
	})
	if n := query[int](t, ta, "SELECT count(*) FROM share_links WHERE id = $1 AND revoked_at IS NOT NULL", w.link); n != 1 {
		t.Fatal("not revoked")
	}
	for _, kind := range []string{"share.create", "share.regenerate", "share.revoke"} {
		if n := query[int](t, ta, "SELECT count(*) FROM audit_log WHERE kind = $1 AND actor = 'user'", kind); n == 0 {
			t.Errorf("no %s entry", kind)
		}
	}
	if n := query[int](t, ta, "SELECT count(*) FROM audit_log WHERE strpos(detail::text, $1) > 0 OR strpos(detail::text, $2) > 0", m[2], m2[2]); n != 0 {
		t.Fatal("a link token is in the audit log")
	}
}

func TestWrongPINsAreShownToThePhotographer(t *testing.T) {
	ta := apptest.New(t)
	w := newWorld(t, ta, "Lumen Studio", "mira@example.com")
	ctx := context.Background()
	for range 6 {
		g, err := ta.Gallery.OpenLink(ctx, w.token, "", "203.0.113.9")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ta.Gallery.Enter(ctx, g, "0000"); !errors.Is(err, gallery.ErrWrongPIN) && !errors.Is(err, gallery.ErrLockedOut) {
			t.Fatalf("wrong PIN: %v", err)
		}
	}
	w.owner.Client.Run(t, []apptest.Scenario{
		{Name: "counts and attempts", Path: albumPathOf(w.album), Status: http.StatusOK,
			Contains: []string{`<span class="error-text">5</span> <span class="small">(1 lockout)</span>`, "Recent wrong PINs", "203.0.113.9", "Locked out"}},
	})
}
