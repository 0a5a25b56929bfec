package database_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"

	"github.com/proofsheet/proofsheet/app/database"
	"github.com/proofsheet/proofsheet/app/database/dbtest"
)

// seedStudio inserts a studio and one user in it.
func seedStudio(t *testing.T, db *database.DB, name, email string) uuid.UUID {
	t.Helper()
	id := uuid.Must(uuid.NewV7())
	err := db.InStudio(context.Background(), id, func(tx *gorm.DB) error {
		if err := tx.Exec("INSERT INTO studios (id, name) VALUES (?, ?)", id, name).Error; err != nil {
			return err
		}
		return tx.Exec("INSERT INTO users (id, studio_id, email, role, password_hash) VALUES (?, ?, ?, 'owner', 'x')",
			uuid.Must(uuid.NewV7()), id, email).Error
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// A query that forgets its studio filter still sees only its own studio.
func TestRowLevelSecurityHidesOtherStudios(t *testing.T) {
	db, _ := dbtest.Open(t)
	ctx := context.Background()
	a := seedStudio(t, db, "A", "a@example.com")
	seedStudio(t, db, "B", "b@example.com")

	var emails []string
	err := db.InStudio(ctx, a, func(tx *gorm.DB) error {
		return tx.Raw("SELECT email FROM users ORDER BY email").Scan(&emails).Error // no WHERE studio_id
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(emails) != 1 || emails[0] != "a@example.com" {
		t.Fatalf("studio A sees users %v, want only a@example.com", emails)
	}

	var studios int64
	if err := db.Gorm.Raw("SELECT count(*) FROM studios").Scan(&studios).Error; err != nil {
		t.Fatal(err)
	}
	if studios != 0 {
		t.Fatalf("without a studio set, %d studios are visible, want 0", studios)
	}
}

// Writing a row into another studio is refused by the policy's WITH CHECK.
func TestRowLevelSecurityRefusesForeignWrites(t *testing.T) {
	db, _ := dbtest.Open(t)
	a := seedStudio(t, db, "A", "a@example.com")
	b := seedStudio(t, db, "B", "b@example.com")
	err := db.InStudio(context.Background(), a, func(tx *gorm.DB) error {
		return tx.Exec("INSERT INTO users (id, studio_id, email, role, password_hash) VALUES (?, ?, 'x@example.com', 'staff', 'x')",
			uuid.Must(uuid.NewV7()), b).Error
	})
	if err == nil {
		t.Fatal("inserting a user into studio B from studio A's transaction succeeded")
	}
	var n int64
	_ = db.InStudio(context.Background(), b, func(tx *gorm.DB) error {
		return tx.Raw("SELECT count(*) FROM users").Scan(&n).Error
	})
	if n != 1 {
		t.Fatalf("studio B has %d users, want 1", n)
	}
}

// The app's role cannot bypass RLS, owns no table and cannot change the audit log.
func TestAppRoleIsBoundByPolicies(t *testing.T) {
	db, _ := dbtest.Open(t)
	ctx := context.Background()
	var role string
	var bypass, super bool
	err := db.Pool.QueryRow(ctx, "SELECT current_user, rolbypassrls, rolsuper FROM pg_roles WHERE rolname = current_user").Scan(&role, &bypass, &super)
	if err != nil {
		t.Fatal(err)
	}
	if role != database.AppRole || bypass || super {
		t.Fatalf("app runs as %s (bypassrls=%v super=%v), want %s without either", role, bypass, super, database.AppRole)
	}
	rows, err := db.Pool.Query(ctx, `
		SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind = 'r'
		  AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'studio_id' AND NOT a.attisdropped)
		  AND NOT c.relrowsecurity`)
	if err != nil {
		t.Fatal(err)
	}
	unprotected, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(unprotected) > 0 {
		t.Fatalf("tables with studio_id but no row-level security: %v", unprotected)
	}
	for _, priv := range []string{"UPDATE", "DELETE", "TRUNCATE"} {
		var has bool
		if err := db.Pool.QueryRow(ctx, "SELECT has_table_privilege(current_user, 'audit_log', $1)", priv).Scan(&has); err != nil {
			t.Fatal(err)
		}
		if has {
			t.Errorf("app role has %s on audit_log", priv)
		}
	}
}
