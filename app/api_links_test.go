package app_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/proofsheet/proofsheet/app/apptest"
	"github.com/proofsheet/proofsheet/gallery"
)

type newLink struct {
	ID, Label, State, Token, URL string
	ExpiresAt                    *time.Time `json:"expires_at"`
}

func TestAPILinks(t *testing.T) {
	w := newAPIWorld(t)
	links := apiPath("albums", w.album, "links")
	res := w.write.JSON(http.MethodPost, links, map[string]string{"label": "Mother of the bride"})
	made := decode[newLink](t, res)
	if res.StatusCode != http.StatusCreated || made.State != "active" || !strings.HasSuffix(made.URL, "/g/"+made.Token) || made.ExpiresAt == nil ||
		made.ExpiresAt.Sub(time.Now().Add(gallery.DefaultLinkLife)).Abs() > time.Minute {
		t.Fatalf("create: %d %s", res.StatusCode, res.Body)
	}
	if _, err := w.ta.Gallery.OpenLink(context.Background(), made.Token, "", "198.51.100.9"); err != nil {
		t.Fatalf("the new link does not open: %v", err)
	}
	if n := staffCount(t, w.ta, "SELECT count(*) FROM share_links l WHERE strpos(l::text, $1) > 0", made.Token); n != 0 {
		t.Fatal("the token is stored")
	}
	never := decode[newLink](t, w.write.JSON(http.MethodPost, links, map[string]any{"label": "Archive", "never_expires": true}))
	future := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Second)
	dated := decode[newLink](t, w.write.JSON(http.MethodPost, links, map[string]any{"label": "Dated", "expires_at": future.Format(time.RFC3339)}))
	if never.ExpiresAt != nil || dated.ExpiresAt == nil || !dated.ExpiresAt.Equal(future) {
		t.Fatalf("expiries: never %v, dated %v", never.ExpiresAt, dated.ExpiresAt)
	}
	one := apiPath("albums", w.album, "links", made.ID)
	w.write.Run(t, []apptest.Scenario{
		{Name: "listed without tokens", Path: links, Status: http.StatusOK,
			Contains: []string{`"label":"Mother of the bride"`, `"label":"Anita","state":"active"`, `"views":1`}, NotContains: []string{made.Token, `"token"`}},
		{Name: "no label", Path: links, JSON: map[string]string{"label": " "}, Status: http.StatusUnprocessableEntity, Contains: []string{`"errors":{"label":`}},
		{Name: "in the past", Path: links, JSON: map[string]string{"label": "x", "expires_at": "2020-01-01T00:00:00Z"}, Status: http.StatusUnprocessableEntity,
			Contains: []string{`"errors":{"expires_at":"The expiry must be in the future."}`}},
		{Name: "not a time", Path: links, JSON: map[string]string{"label": "x", "expires_at": "next week"}, Status: http.StatusUnprocessableEntity,
			Contains: []string{`"errors":{"expires_at":`}},
		{Name: "both", Path: links, JSON: map[string]any{"label": "x", "expires_at": future.Format(time.RFC3339), "never_expires": true},
			Status: http.StatusUnprocessableEntity, Contains: []string{`"errors":{"expires_at":`}},
	})

	// Regenerating gives a new address; the old one stops.
	res = w.write.JSON(http.MethodPost, one+"/regenerate", nil)
	again := decode[newLink](t, res)
	if res.StatusCode != http.StatusOK || again.ID != made.ID || again.Token == made.Token || again.Label != "Mother of the bride" {
		t.Fatalf("regenerate: %d %s", res.StatusCode, res.Body)
	}
	if _, err := w.ta.Gallery.OpenLink(context.Background(), made.Token, "", "198.51.100.9"); err == nil {
		t.Fatal("the old address still opens")
	}
	w.write.Run(t, []apptest.Scenario{
		{Name: "revoke", Method: http.MethodPost, Path: one + "/revoke", Status: http.StatusNoContent},
		{Name: "revoked", Path: links, Status: http.StatusOK, Contains: []string{`"label":"Mother of the bride","state":"revoked"`}},
		{Name: "a revoked link stays revoked", Method: http.MethodPost, Path: one + "/regenerate", Status: http.StatusConflict,
			Contains: []string{"stays revoked"}},
	})
	if _, err := w.ta.Gallery.OpenLink(context.Background(), again.Token, "", "198.51.100.9"); !errors.Is(err, gallery.ErrLinkGone) {
		t.Fatalf("the revoked link: %v", err)
	}
	if n := staffCount(t, w.ta, `SELECT count(*) FROM audit_log WHERE actor = 'token' AND kind IN ('share.create', 'share.regenerate', 'share.revoke')
		AND detail->>'link_id' = $1`, made.ID); n != 3 {
		t.Fatalf("%d share entries by the token, want 3", n)
	}
}
