package faces

import (
	"context"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// ExplainHNSW is the plan of an HNSW search for f's ten nearest faces, to
// show that the search walks the index.
func (s *Service) ExplainHNSW(ctx context.Context, studio, collection uuid.UUID, f Face) (string, error) {
	p, err := newProbe(f)
	if err != nil {
		return "", err
	}
	var lines []string
	err = s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		if _, err := prepare(tx, studio, collection, HNSW); err != nil {
			return err
		}
		return tx.Raw("EXPLAIN "+hnswSQL, hnswArgs(studio, collection, p, 10, 1)...).Scan(&lines).Error
	})
	return strings.Join(lines, "\n"), err
}
