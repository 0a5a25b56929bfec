package faces

import (
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// People are found by incremental DBSCAN over the collection's faces, with
// the match threshold as the radius: two faces are neighbours when their
// cosine similarity reaches it. A face with at least clusterMinPts faces
// (itself included) within the radius is a core point; cores that are
// neighbours belong to one person, and a face next to a core (a border
// point) joins that core's person. Other faces are noise: no person yet.
// Unlike linking every matching pair, a border face never joins two people
// together, so one look-alike pair does not chain two people into one.

// clusterMinPts is DBSCAN's minPts: a person starts with three faces that
// all match one of them. Two photos of someone make no person (their faces
// still match a selfie directly).
const clusterMinPts = 3

// clusterNeighbours caps the neighbours read per face; beyond a few dozen
// they add nothing to the decision, only time.
const clusterNeighbours = 200

// clusterer adds faces to the people of one collection inside the
// indexing transaction, which holds the collection's row lock so faces
// arriving from parallel jobs are clustered one after another.
type clusterer struct {
	tx         *gorm.DB
	studio     uuid.UUID
	collection uuid.UUID
	maxDist    float64
	how        Strategy
	now        time.Time
}

// add clusters f, which is already stored.
func (c *clusterer) add(f *storedFace) error {
	ns, err := c.neighbours(probe{f.Embedding, f.Model}, f.ID)
	if err != nil {
		return err
	}
	promoted, err := c.count(ns)
	if err != nil {
		return err
	}
	for i := range ns {
		ns[i].Core = ns[i].Core || slices.Contains(promoted, ns[i].ID)
	}
	f.Neighbors, f.Core = len(ns)+1, len(ns)+1 >= clusterMinPts
	err = c.tx.Model(&storedFace{}).Where("id = ?", f.ID).
		Updates(map[string]any{"neighbors": f.Neighbors, "core": f.Core}).Error
	if err != nil {
		return err
	}
	if f.Core {
		promoted = append(promoted, f.ID)
	}
	if len(promoted) == 0 {
		return c.border(f.ID, ns)
	}
	return c.expand(f, ns, promoted)
}

// neighbours are the faces within the radius of p, nearest first, but self.
func (c *clusterer) neighbours(p probe, self uuid.UUID) ([]neighbour, error) {
	ns, err := nearest(c.tx, c.studio, c.collection, p, clusterNeighbours+1, c.maxDist, c.how)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(ns, func(n neighbour) bool { return n.ID == self }), nil
}

// count adds the new face to its neighbours' counts (only of those not yet
// core: a core stays core, so its count no longer matters, and each face is
// updated at most clusterMinPts-1 times) and returns those that just became
// core.
func (c *clusterer) count(ns []neighbour) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	for _, n := range ns {
		if !n.Core {
			ids = append(ids, n.ID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	var rows []struct {
		ID   uuid.UUID
		Core bool
	}
	err := c.tx.Raw(`UPDATE faces SET neighbors = neighbors + 1, core = neighbors + 1 >= ?
		WHERE id IN ? RETURNING id, core`, clusterMinPts, ids).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("faces: count neighbours: %w", err)
	}
	var promoted []uuid.UUID
	for _, r := range rows {
		if r.Core {
			promoted = append(promoted, r.ID)
		}
	}
	return promoted, nil
}

// border gives a face that is no core the person of its nearest core
// neighbour, if it has one.
func (c *clusterer) border(id uuid.UUID, ns []neighbour) error {
	for _, n := range ns { // nearest first
		if n.Core && n.PersonID != nil {
			return c.assign(*n.PersonID, []uuid.UUID{id})
		}
	}
	return nil // noise, until a core appears next to it
}

// expand joins the new cores, the cores next to them and the unassigned
// faces next to them into one person, merging the people they had.
func (c *clusterer) expand(f *storedFace, ns []neighbour, cores []uuid.UUID) error {
	var members []uuid.UUID // faces that join the person if they have none
	people := map[uuid.UUID]bool{}
	for _, core := range cores {
		near := ns
		if core != f.ID {
			var err error
			if near, err = c.neighboursOf(core); err != nil {
				return err
			}
			if i := slices.IndexFunc(ns, func(n neighbour) bool { return n.ID == core }); ns[i].PersonID != nil {
				people[*ns[i].PersonID] = true // a border that became a core brings its person
			}
		}
		members = append(members, core)
		for _, n := range near {
			switch {
			case n.Core && n.PersonID != nil:
				people[*n.PersonID] = true
			case n.PersonID == nil:
				members = append(members, n.ID) // a core without a person yet, or a border
			}
		}
	}
	target, err := c.merge(people)
	if err != nil {
		return err
	}
	return c.assign(target, members)
}

// neighboursOf are the neighbours of a stored face.
func (c *clusterer) neighboursOf(id uuid.UUID) ([]neighbour, error) {
	var f storedFace
	if err := c.tx.Select("embedding, model").Where("id = ?", id).Take(&f).Error; err != nil {
		return nil, fmt.Errorf("faces: read face %s: %w", id, err)
	}
	return c.neighbours(probe{f.Embedding, f.Model}, id)
}

// merge picks the person the new cores join: a new one when no core had
// one, else the named person with the most faces, or the person with the
// most faces when none is named; the others are merged into it, except
// other named people: the studio named them apart, and that stands.
func (c *clusterer) merge(people map[uuid.UUID]bool) (uuid.UUID, error) {
	if len(people) == 0 {
		p := personRow{ID: uuid.New(), StudioID: c.studio, CollectionID: c.collection, CreatedAt: c.now}
		return p.ID, c.tx.Create(&p).Error
	}
	var ps []personSize
	err := c.tx.Raw(`SELECT p.id, p.name, p.hidden, (SELECT count(*) FROM faces f WHERE f.person_id = p.id) AS faces
		FROM people p WHERE p.id IN ?`, keys(people)).Scan(&ps).Error
	if err != nil {
		return uuid.Nil, err
	}
	slices.SortFunc(ps, func(a, b personSize) int {
		if (a.Name != "") != (b.Name != "") {
			if a.Name != "" {
				return -1
			}
			return 1
		}
		return b.Faces - a.Faces
	})
	target := ps[0]
	var others []uuid.UUID
	hidden := target.Hidden
	for _, p := range ps[1:] {
		if p.Name == "" {
			others = append(others, p.ID)
			hidden = hidden || p.Hidden // hiding someone is a promise: it survives a merge
		}
	}
	return target.ID, mergePeople(c.tx, target.ID, others, hidden)
}

type personSize struct {
	ID     uuid.UUID
	Name   string
	Hidden bool
	Faces  int
}

// mergePeople moves the faces of others to target and deletes them.
func mergePeople(tx *gorm.DB, target uuid.UUID, others []uuid.UUID, hidden bool) error {
	if len(others) == 0 {
		return nil
	}
	if err := tx.Model(&storedFace{}).Where("person_id IN ?", others).Update("person_id", target).Error; err != nil {
		return err
	}
	if err := tx.Where("id IN ?", others).Delete(&personRow{}).Error; err != nil {
		return err
	}
	return tx.Model(&personRow{}).Where("id = ?", target).Update("hidden", hidden).Error
}

// assign gives the faces that have no person yet to person (after a
// merge, the merged people's faces are the person's already; faces of
// other named people stay theirs) and refreshes the person's cover.
func (c *clusterer) assign(person uuid.UUID, faces []uuid.UUID) error {
	err := c.tx.Model(&storedFace{}).Where("id IN ? AND person_id IS NULL", faces).
		Update("person_id", person).Error
	if err != nil {
		return err
	}
	return refreshCover(c.tx, person)
}

// refreshCover makes the person's best face (by quality) its cover.
func refreshCover(tx *gorm.DB, person uuid.UUID) error {
	return tx.Exec(`UPDATE people SET cover_face_id = (
			SELECT id FROM faces WHERE person_id = ? ORDER BY quality DESC, id LIMIT 1)
		WHERE id = ?`, person, person).Error
}

func keys(m map[uuid.UUID]bool) []uuid.UUID {
	out := make([]uuid.UUID, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
