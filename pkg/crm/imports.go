package crm

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/opportunities"
	"github.com/rapport-crm/rapport/pkg/record"
)

// UndoResult is the answer to undoing an import.
type UndoResult struct {
	// Deleted counts the contacts the import created that were removed
	// (with their encounters, interactions, intros and follow-ups).
	Deleted int `json:"deleted"`
	// Restored counts the contacts it merged into, each with what the
	// import added taken out.
	Restored int `json:"restored"`
	// Kept counts those left as they are: the contacts it created or
	// merged into that were deleted since, and those it created into which
	// a contact older than the import was merged since.
	Kept int `json:"kept"`
	// Companies counts the companies the import made that nothing names
	// any more, removed with it.
	Companies int `json:"companies"`
}

// mergedOlder reports whether a contact an import created has since had
// an older contact merged into it (it is known since before the import),
// so it holds what the import did not bring and an undo keeps it. Records
// made before imports kept their start cannot tell: their contacts go.
func mergedOlder(im *contacts.Import) func(*contacts.Contact) bool {
	return func(c *contacts.Contact) bool { return im.StartedAt != nil && c.CreatedAt.Before(*im.StartedAt) }
}

// undoChunk is how many created contacts one transaction of an undo
// deletes: the import's chunk (contacts.importChunk), for the same reason
// and at the same price. At 1,000 an undo of 50,000 took 7.0 s against
// 8.3 s at 500; at 2,000 no faster, and others' writes waited twice as long.
const undoChunk = 1000

// UndoImport undoes one of the user's contacts imports — finished, or cut
// short — : the contacts it created are deleted with what DELETE
// /v1/contacts/{id} deletes, undoChunk to a transaction and a statement a kind
// (set-based: the contacts read at once, their history removed and the
// contacts deleted with one statement each), the companies it made
// that nothing names any more are removed, what it added to the contacts
// it merged into is taken out where it is still there (contacts.Addition:
// what was changed since stays, their last contact too), and the record
// is marked undone. If it is cut
// short (a timeout), calling it again continues where it stopped: deleted
// contacts are skipped. NotFound for another user's or an undone import;
// Conflict for one still running.
func (s *Service) UndoImport(ctx context.Context, userID, id string) (*UndoResult, error) {
	im, err := s.Contacts.Store.Import(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	if im.UndoneAt != nil {
		return nil, apperr.E(apperr.NotFound, "this import was undone already")
	}
	if im.StateAt(s.Now()) == contacts.ImportRunning {
		// It may be writing its next chunk (in this process or another):
		// an undo now would miss it, and its next save would undo the undo.
		return nil, apperr.E(apperr.Conflict, "this import is still running: undo it once it has finished (one cut short shows as interrupted two minutes after its last write)")
	}
	res := &UndoResult{}
	companies := map[string]bool{} // of the contacts it created
	keep := func(c *contacts.Contact) bool {
		if c.CompanyID != "" {
			companies[c.CompanyID] = true
		}
		return mergedOlder(im)(c)
	}
	defer s.Touch(ctx, userID)
	ctx = context.WithValue(ctx, quietKey{}, true) // the stamps move once, above
	deleted, kept, err := s.deleteContacts(ctx, userID, im.Created, keep)
	res.Deleted, res.Kept = deleted, kept
	if err != nil {
		return nil, err
	}
	if err := s.takeOutAdded(ctx, userID, im, res); err != nil {
		return nil, err
	}
	now := record.Time(s.Now())
	im.UserID, im.UndoneAt, im.Created, im.Before, im.Added, im.ExtraFilled = userID, &now, []string{}, []contacts.Contact{}, nil, nil
	if im.State == contacts.ImportRunning {
		im.State = contacts.ImportInterrupted
	}
	if err := s.Contacts.Store.UpdateImport(ctx, im); err != nil {
		return nil, err
	}
	res.Companies, err = s.removeImportedCompanies(ctx, userID, slices.Sorted(maps.Keys(companies)), im)
	if err != nil {
		return nil, err
	}
	return res, nil
}

// restoreUnit is how many of the contacts an import merged into one unit
// of work of its undo takes what it added out of. All in one, an undo of
// an import that merged into 10,000 contacts kept another user's write
// waiting 3.8-5.5 s; 25 to a unit, 82 ms at most, the undo 5.0 s against
// 3.9-5.8 s; 100, 164 ms and 4.9 s (BenchmarkImportMerges).
const restoreUnit = 25

// takeOutAdded takes what im added out of each contact it merged into
// (the contacts deleted since are counted kept), restoreUnit contacts to
// a unit of work. Cut short, it can run again: what was taken out is no
// longer there to take.
func (s *Service) takeOutAdded(ctx context.Context, userID string, im *contacts.Import, res *UndoResult) error {
	added := additions(im)
	for start := 0; start < len(im.Before); start += restoreUnit {
		unit := im.Before[start:min(start+restoreUnit, len(im.Before))]
		n, err := atomically(ctx, s, func(ctx context.Context, s *Service) (n UndoResult, err error) {
			for i := range unit {
				before := &unit[i]
				cur, err := s.Contacts.Store.Contact(ctx, userID, before.ID)
				if apperr.Is(err, apperr.NotFound) {
					n.Kept++
					continue
				}
				if err != nil {
					return n, err
				}
				// The contact as it is now, less what the import added
				// and is still there: what an import never changes (the
				// card's name and UID, the last contact) and whatever was
				// changed since stay.
				a := added(before, cur)
				next := *cur
				a.TakeOut(&next, before)
				next.UpdatedAt = record.Time(s.Now())
				if err := s.Contacts.Store.UpdateContact(ctx, &next); err != nil {
					return n, err // taking out claims no key: no Conflict
				}
				n.Restored++
			}
			return n, nil
		})
		if err != nil {
			return err
		}
		res.Restored, res.Kept = res.Restored+n.Restored, res.Kept+n.Kept
	}
	return nil
}

// additions returns what im added to each contact it merged into, given
// the contact as it was before the import and as it is now. A record made
// before imports kept what they added has only the earlier versions: what
// the contact holds now that it did not then counts as the import's (an
// undo of it gives the contact its earlier fields back, as it always
// did), and the sums of the card extras it filled.
func additions(im *contacts.Import) func(before, cur *contacts.Contact) contacts.Addition {
	if len(im.Added) > 0 || len(im.Before) == 0 {
		byID := make(map[string]*contacts.Addition, len(im.Added))
		for i := range im.Added {
			byID[im.Added[i].ID] = &im.Added[i]
		}
		return func(before, _ *contacts.Contact) contacts.Addition {
			if a := byID[before.ID]; a != nil {
				return *a
			}
			return contacts.Addition{ID: before.ID}
		}
	}
	filled := make(map[string]string, len(im.ExtraFilled))
	for _, f := range im.ExtraFilled {
		filled[f.ID] = f.Sum
	}
	return func(before, cur *contacts.Contact) contacts.Addition {
		a := contacts.Added(before, cur)
		a.ExtraSum = filled[before.ID]
		return a
	}
}

// companyChunk is how many companies one unit of work of an undo checks
// and deletes. A unit each took an undo of an import naming 500 companies
// 1.0 s of its 6.3 s (a transaction, and its sync, a company).
const companyChunk = 100

// removeImportedCompanies deletes those of ids (the companies of contacts
// an import created) that the import made and nothing names any more,
// companyChunk to a unit of work, each checked inside its unit; it
// returns how many went.
func (s *Service) removeImportedCompanies(ctx context.Context, userID string, ids []string, im *contacts.Import) (int, error) {
	if im.StartedAt == nil {
		return 0, nil // a record from before imports kept their start
	}
	gone := 0
	for start := 0; start < len(ids); start += companyChunk {
		chunk := ids[start:min(start+companyChunk, len(ids))]
		n, err := atomically(ctx, s, func(ctx context.Context, s *Service) (int, error) {
			n := 0
			for _, id := range chunk {
				removable, err := s.importedAndUnnamed(ctx, userID, id, *im.StartedAt)
				if err != nil {
					return 0, err
				}
				if !removable {
					continue
				}
				switch err := s.deleteCompany(ctx, userID, id); {
				case err == nil:
					n++
				case !apperr.Is(err, apperr.NotFound): // else gone meanwhile
					return 0, err
				}
			}
			return n, nil
		})
		if err != nil {
			return gone, err
		}
		gone += n
	}
	return gone, nil
}

// importedAndUnnamed reports whether the user's company id was made by an
// import that started at started (it is no older) and no contact or
// opportunity names it any more.
func (s *Service) importedAndUnnamed(ctx context.Context, userID, id string, started time.Time) (bool, error) {
	co, err := s.Companies.Store.Company(ctx, userID, id)
	if apperr.Is(err, apperr.NotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if co.CreatedAt.Before(started) {
		return false, nil
	}
	people, err := s.Contacts.Store.ContactsAtCompany(ctx, userID, id, nil, 1)
	if err != nil || len(people.Items) > 0 {
		return false, err
	}
	ops, err := s.Opportunities.Opportunities(ctx, userID, opportunities.Query{CompanyID: id, Limit: 1})
	if err != nil || len(ops.Items) > 0 {
		return false, err
	}
	return true, nil
}

// DeleteContacts deletes those of ids that are the user's contacts, each
// with what DELETE /v1/contacts/{id} deletes, undoChunk to a unit of work
// (set-based, as an undo deletes them); it returns how many went. A
// restore that failed part way removes what it wrote with it, and the
// desk's bulk delete the contacts ticked (at most 200: one unit).
func (s *Service) DeleteContacts(ctx context.Context, userID string, ids []string) (int, error) {
	n, _, err := s.deleteContacts(ctx, userID, ids, nil)
	return n, err
}

// deleteContacts deletes those of ids that are the user's contacts and
// that keep (if set) does not keep, with their history, undoChunk to a
// unit of work: the contacts read at once, their history removed and the
// contacts deleted with one statement a kind. Ids of no contact (deleted
// since, or by a call cut short) are skipped. It counts what went and
// what was kept, up to an error.
func (s *Service) deleteContacts(ctx context.Context, userID string, ids []string, keep func(*contacts.Contact) bool) (deleted, kept int, err error) {
	for start := 0; start < len(ids); start += undoChunk {
		chunk := ids[start:min(start+undoChunk, len(ids))]
		var n, k int
		_, err := atomically(ctx, s, func(ctx context.Context, s *Service) (struct{}, error) {
			n, k = 0, 0
			cs, err := s.Contacts.Store.ContactsByID(ctx, userID, chunk)
			if err != nil {
				return struct{}{}, err
			}
			gone := make([]string, 0, len(chunk))
			for _, cid := range chunk {
				switch c, ok := cs[cid]; {
				case !ok:
				case keep != nil && keep(c):
					k++
				default:
					gone = append(gone, cid)
				}
			}
			if err := s.removeHistory(ctx, userID, gone); err != nil {
				return struct{}{}, err
			}
			n, err = s.Contacts.DeleteMany(ctx, userID, gone)
			return struct{}{}, err
		})
		if err != nil {
			return deleted, kept, err
		}
		deleted += n
		kept += k
	}
	return deleted, kept, nil
}
