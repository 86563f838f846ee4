package backup

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/kinds"
)

// backupDoc is a record of a kind (pkg/kinds) as a backup holds it: its
// kind, its id and the record as the API shows it.
type backupDoc struct {
	Kind   string          `json:"kind"`
	ID     string          `json:"id"`
	Record json.RawMessage `json:"record"`
}

func exportDoc(_ *exporter, d *kinds.Doc) any {
	return backupDoc{Kind: d.Kind, ID: d.ID, Record: d.Body}
}

// docKey names a restored document for removeWritten: its kind and id.
func docKey(d *kinds.Doc) string { return d.Kind + "/" + d.ID }

// restoreDoc checks a backup's record of a kind as a client's new one is
// checked, and gives it a new id; the ids of the backup's records it
// names become theirs. A kind this server does not keep (a backup of a
// later version) is skipped, and said so.
func restoreDoc(im *importer, b *backupDoc) (*kinds.Doc, error) {
	kind := kinds.Find(im.s.Kinds, b.Kind)
	if kind == nil {
		im.res.Skipped = append(im.res.Skipped, SkippedRecord{Section: "docs", ID: b.ID, Message: "kind " + input.OneLine(strings.ToValidUTF8(b.Kind, ""), 40) + " is not one this server keeps"})
		return nil, nil
	}
	if b.ID == "" {
		return nil, apperr.InvalidField("docs", "a record of %s has no id", kind.Name())
	}
	body, err := im.rekey(b.Record)
	if err == nil {
		id := im.id(b.ID)
		if body, err = kind.Restore(body, id); err == nil {
			return &kinds.Doc{ID: id, UserID: im.userID, Kind: b.Kind, Body: body}, nil
		}
	}
	return nil, notValid("docs", "a record of "+b.Kind, b.ID, err)
}

// rekey returns a record's JSON with each string that is the id of a
// record the backup held before it replaced by that record's new id: what
// a record of a kind names (a contact, an event) is found again, without
// the kind saying which of its fields are ids.
func (im *importer) rekey(raw json.RawMessage) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	var walk func(any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case string:
			if im.holds(x) {
				return im.ids[x]
			}
		case []any:
			for i := range x {
				x[i] = walk(x[i])
			}
		case map[string]any:
			for k := range x {
				x[k] = walk(x[k])
			}
		}
		return v
	}
	return json.Marshal(walk(v))
}

// removeDocs deletes the records of kinds a restore wrote.
func (im *importer) removeDocs(ctx context.Context) error {
	for _, key := range im.written["docs"] {
		kind, id, _ := strings.Cut(key, "/")
		if err := im.s.Docs.DeleteDoc(ctx, im.userID, kind, id); err != nil && !apperr.Is(err, apperr.NotFound) {
			return err
		}
	}
	return nil
}
