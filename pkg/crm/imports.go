package crm

import (
	"context"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/record"
)

// UndoResult is the answer to undoing an import.
type UndoResult struct {
	// Deleted counts the contacts the import created that were removed
	// (with their encounters, interactions, intros and follow-ups).
	Deleted int `json:"deleted"`
	// Restored counts the contacts it merged into, put back as they were.
	Restored int `json:"restored"`
	// Kept counts those left as they are: deleted since, merged with a
	// contact older than the import, or whose earlier email or LinkedIn URL
	// another contact holds now.
	Kept int `json:"kept"`
}

// mergedOlder reports whether a contact an import created has since had
// an older contact merged into it (it is known since before the import),
// so it holds what the import did not bring and an undo keeps it. Records
// made before imports kept their start cannot tell: their contacts go.
func mergedOlder(im *contacts.Import) func(*contacts.Contact) bool {
	return func(c *contacts.Contact) bool { return im.StartedAt != nil && c.CreatedAt.Before(*im.StartedAt) }
}

// undoChunk is how many created contacts one transaction of an undo
// deletes.
const undoChunk = 500

// UndoImport undoes one of the user's contacts imports: the contacts it
// created are deleted as DELETE /v1/contacts/{id} deletes (500 to a
// transaction), the ones it merged into get their earlier fields back, and
// then the record goes. If it is cut short (a timeout), calling it again
// continues where it stopped: deleted contacts are skipped. NotFound for
// another user's or an undone import.
func (s *Service) UndoImport(ctx context.Context, userID, id string) (*UndoResult, error) {
	im, err := s.Contacts.Store.Import(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	res := &UndoResult{}
	defer s.Touch(ctx, userID)
	ctx = context.WithValue(ctx, quietKey{}, true) // the stamps move once, above
	for start := 0; start < len(im.Created); start += undoChunk {
		ids := im.Created[start:min(start+undoChunk, len(im.Created))]
		var n, kept int
		_, err := atomically(ctx, s, func(ctx context.Context) (struct{}, error) {
			n, kept = 0, 0
			for _, cid := range ids {
				switch deleted, err := s.deleteContactIf(ctx, userID, cid, mergedOlder(im)); {
				case err == nil && deleted:
					n++
				case err == nil:
					kept++
				case !apperr.Is(err, apperr.NotFound):
					return struct{}{}, err
				}
			}
			return struct{}{}, nil
		})
		if err != nil {
			return nil, err
		}
		res.Deleted += n
		res.Kept += kept
	}
	_, err = atomically(ctx, s, func(ctx context.Context) (struct{}, error) {
		for i := range im.Before {
			c := &im.Before[i]
			if _, err := s.Contacts.Get(ctx, userID, c.ID); err != nil {
				if apperr.Is(err, apperr.NotFound) {
					res.Kept++
					continue
				}
				return struct{}{}, err
			}
			c.UserID = userID
			c.UpdatedAt = record.Time(s.Now())
			contacts.SetQueryFields(c)
			switch err := s.Contacts.Store.UpdateContact(ctx, c); {
			case err == nil:
				res.Restored++
			case apperr.Is(err, apperr.Conflict):
				res.Kept++
			default:
				return struct{}{}, err
			}
		}
		return struct{}{}, s.Contacts.Store.DeleteImport(ctx, userID, id)
	})
	return res, err
}
