package billing

import (
	"fmt"

	"gorm.io/gorm"
)

// nextNumber takes the next number of a series (a serial prefix) in a
// financial year, inside tx, the transaction that inserts the invoice.
//
// Gapless (Rule 46(b) wants consecutive serials): the counter row is
// updated, not read and written back, so concurrent issuers queue on its
// row lock and each sees the previous one's number; and the increment is
// part of the invoice's transaction, so a rollback (a failed payment, an
// error after the number was taken) returns the number with it. The lock
// is held until commit, so the caller takes the number as late as it can
// and takes no other lock after it but the audit log's.
//
// The first invoice of a series and year inserts its row; ON CONFLICT
// turns a concurrent second insert into the same row update.
func nextNumber(tx *gorm.DB, series, fy string) (int64, error) {
	var n []int64
	err := tx.Raw(`INSERT INTO invoice_counters AS c (series, financial_year, next) VALUES (?, ?, 2)
		ON CONFLICT (series, financial_year) DO UPDATE SET next = c.next + 1
		RETURNING c.next - 1`, series, fy).Scan(&n).Error
	if err != nil {
		return 0, fmt.Errorf("number %s %s: %w", series, fy, err)
	}
	if len(n) != 1 {
		return 0, fmt.Errorf("number %s %s: counter returned %d rows", series, fy, len(n))
	}
	return n[0], nil
}
