package audit_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/proofsheet/proofsheet/app/apptest"
	"github.com/proofsheet/proofsheet/app/audit"
)

// twoStudios signs up two studios and fails two logins on the first, so
// its chain is: studio.created, login.succeeded, login.failed, login.failed.
func twoStudios(t *testing.T) (*apptest.TestApp, uuid.UUID, uuid.UUID) {
	t.Helper()
	ta := apptest.New(t)
	a := ta.SignUp("Alpha", "alpha@example.com")
	ta.SignUp("Beta", "beta@example.com")
	for range 2 {
		ta.Client().Run(t, []apptest.Scenario{{Path: "/login", Status: http.StatusUnauthorized,
			Form: url.Values{"email": {a.Email}, "password": {"Wrong-password-99"}}}})
	}
	return ta, studioOf(t, ta, "alpha@example.com"), studioOf(t, ta, "beta@example.com")
}

func studioOf(t *testing.T, ta *apptest.TestApp, email string) uuid.UUID {
	t.Helper()
	u, err := ta.Accounts.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return u.StudioID
}

func TestVerifyIntactChains(t *testing.T) {
	ta, _, _ := twoStudios(t)
	su := ta.Superuser()
	rep, err := audit.Verify(t.Context(), su)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := su.QueryRow(t.Context(), "SELECT count(*) FROM audit_log").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Entries != n || rep.Studios != 2 || n != 6 {
		t.Fatalf("report %+v for %d entries, want OK over 6 entries in 2 studios", rep, n)
	}
}

func TestVerifyFindsTampering(t *testing.T) {
	cases := []struct {
		name   string
		tamper string // run as the superuser with $1 = the first studio
		want   []audit.Problem
	}{
		{"changed detail", `UPDATE audit_log SET detail = '{"x":1}' WHERE studio_id = $1 AND seq = 2`,
			[]audit.Problem{{Seq: 2, Kind: audit.ProblemAltered}}},
		{"removed middle entry", `DELETE FROM audit_log WHERE studio_id = $1 AND seq = 3`,
			[]audit.Problem{{Seq: 3, Kind: audit.ProblemRemoved}}},
		{"removed two entries", `DELETE FROM audit_log WHERE studio_id = $1 AND seq IN (2, 3)`,
			[]audit.Problem{{Seq: 2, Kind: audit.ProblemRemoved}}},
		{"relinked entry", `UPDATE audit_log SET prev_hash = repeat('0', 64) WHERE studio_id = $1 AND seq = 3`,
			[]audit.Problem{{Seq: 3, Kind: audit.ProblemAltered}, {Seq: 3, Kind: audit.ProblemBrokenLink}}},
		{"every entry removed", `DELETE FROM audit_log WHERE studio_id = $1`,
			[]audit.Problem{{Seq: 1, Kind: audit.ProblemRemoved}}},
		{"changed time", `UPDATE audit_log SET at = at - interval '1 day' WHERE studio_id = $1 AND seq = 4`,
			[]audit.Problem{{Seq: 4, Kind: audit.ProblemAltered}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ta, alpha, beta := twoStudios(t)
			su := ta.Superuser()
			if _, err := su.Exec(t.Context(), tc.tamper, alpha); err != nil {
				t.Fatal(err)
			}
			rep, err := audit.Verify(t.Context(), su)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Problems) != len(tc.want) {
				t.Fatalf("problems %v, want %v", rep.Problems, tc.want)
			}
			for i, p := range rep.Problems {
				if p.StudioID != alpha || p.Studio != "Alpha" || p.Seq != tc.want[i].Seq || p.Kind != tc.want[i].Kind {
					t.Errorf("problem %d = %v, want entry %d %s in Alpha", i, p, tc.want[i].Seq, tc.want[i].Kind)
				}
			}
			if len(rep.ByStudio()[beta]) != 0 {
				t.Errorf("the untouched studio is reported: %v", rep.ByStudio()[beta])
			}
		})
	}
}

// The app's role may only read and append: the database refuses the rest,
// whatever the code does.
func TestAppRoleCannotRewriteTheLog(t *testing.T) {
	ta, alpha, _ := twoStudios(t)
	for _, stmt := range []string{
		`UPDATE audit_log SET detail = '{"x":1}' WHERE studio_id = ? AND seq = 2`,
		`DELETE FROM audit_log WHERE studio_id = ? AND seq = 2`,
		`TRUNCATE audit_log`,
	} {
		err := ta.DB.InStudio(t.Context(), alpha, func(tx *gorm.DB) error {
			if strings.Contains(stmt, "?") {
				return tx.Exec(stmt, alpha).Error
			}
			return tx.Exec(stmt).Error
		})
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "42501" { // insufficient_privilege
			t.Errorf("%s as the app role: err %v, want permission denied", stmt, err)
		}
	}
	rep, err := audit.Verify(t.Context(), ta.Superuser())
	if err != nil || !rep.OK() || rep.Entries != 6 {
		t.Fatalf("log changed after refused writes: %+v, %v", rep, err)
	}
}
