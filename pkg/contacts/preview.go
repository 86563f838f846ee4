package contacts

import (
	"context"
	"strings"

	"github.com/rapport-crm/rapport/pkg/apperr"
)

// Preview is what an import would do, read before anything is written
// (the desk's import page shows it and asks): how many contacts are new,
// which rows merge into which contacts, which lines are skipped and why.
type Preview struct {
	New int `json:"new"`
	// Merged counts rows that merge into a contact the user has; Combined,
	// rows that merge into a contact an earlier row of the file makes.
	Merged   int            `json:"merged"`
	Combined int            `json:"combined"`
	Skipped  int            `json:"skipped"`
	Merges   []PreviewMerge `json:"merges"`
	Errors   []ImportError  `json:"errors"`
}

// PreviewMerge is one row that would merge into a contact: one the user
// has (ID and Name), or an earlier row of the same file (IntoLine).
type PreviewMerge struct {
	Line     int    `json:"line"`
	Name     string `json:"name"`
	IntoID   string `json:"into_id,omitempty"`
	IntoName string `json:"into_name"`
	IntoLine int    `json:"into_line,omitempty"`
}

// maxPreviewMerges bounds the merges a preview lists (the counts stay
// exact).
const maxPreviewMerges = 500

// PreviewImport reads rows as Import does — the same checks, the same
// matching by email and LinkedIn URL, against the user's contacts and the
// file's earlier rows — and writes nothing.
func (s *Service) PreviewImport(ctx context.Context, userID string, read func(func(Row) error) error) (*Preview, error) {
	p := &Preview{Merges: []PreviewMerge{}, Errors: []ImportError{}}
	fail := func(r *Row, msg string) {
		if len(p.Errors) < maxReportedErrors {
			p.Errors = append(p.Errors, importErrorOf(r, msg))
		}
	}
	// What the file's earlier rows hold: a key's first row and its name.
	type first struct {
		line int
		name string
		id   string // the user's contact, when the first holder is one
	}
	inFile := map[string]first{}
	err := read(func(r Row) error {
		if r.Err != nil {
			p.Skipped++
			fail(&r, r.Err.Error())
			return nil
		}
		if err := r.Input.Validate(""); err != nil {
			kept, dropped, ok := salvage(r.Input, err)
			if !ok {
				p.Skipped++
				fail(&r, describe(err))
				return nil
			}
			for _, d := range dropped {
				fail(&r, "kept without "+d)
			}
			r.Input = kept
		}
		c := &Contact{}
		r.Input.apply(c, "")
		keys := DedupeKeys(c)
		var into *PreviewMerge
		for _, k := range keys {
			if f, ok := inFile[k]; ok {
				into = &PreviewMerge{Line: r.Line, Name: c.Name, IntoID: f.id, IntoName: f.name, IntoLine: f.line}
				if f.id != "" {
					into.IntoLine = 0
				}
				break
			}
			held, err := s.Store.ContactByKey(ctx, userID, k)
			if err == nil {
				into = &PreviewMerge{Line: r.Line, Name: c.Name, IntoID: held.ID, IntoName: held.Name}
				break
			}
			if !apperr.Is(err, apperr.NotFound) {
				return err
			}
		}
		if into == nil {
			p.New++
			for _, k := range keys {
				inFile[k] = first{line: r.Line, name: c.Name}
			}
			return nil
		}
		if into.IntoID != "" {
			p.Merged++
		} else {
			p.Combined++
		}
		for _, k := range keys {
			if _, ok := inFile[k]; !ok {
				inFile[k] = first{line: into.IntoLine, name: into.IntoName, id: into.IntoID}
			}
		}
		if len(p.Merges) < maxPreviewMerges {
			p.Merges = append(p.Merges, *into)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Describe says in words what a merge joins: "Jane Doe (line 4) into
// Jane Doe, line 2 of the file" or "… into Jane Doe".
func (m PreviewMerge) Describe() string {
	var b strings.Builder
	b.WriteString(m.Name)
	b.WriteString(" into ")
	b.WriteString(m.IntoName)
	if m.IntoID == "" && m.IntoLine > 0 {
		b.WriteString(", a row above in this file")
	}
	return b.String()
}
