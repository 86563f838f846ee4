package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Contacts is the contacts.Store of the embedded store.
type Contacts struct{ DB *DB }

var _ contacts.Store = (*Contacts)(nil)

const contactColumns = `id, user_id, name, emails, phones, company, title, linkedin_url, tags, notes, cadence_days, last_contacted_at, created_at, updated_at, company_id, dav_name, card_uid, card_extra, known_since`

// CreateContact stores c and claims its keys, in one transaction.
func (s *Contacts) CreateContact(ctx context.Context, c *contacts.Contact) error {
	return s.DB.Update(ctx, func(tx *Tx) error { return tx.CreateContact(ctx, c) })
}

// CreateContact stores c and claims its keys within tx (see contacts.Store).
func (tx *Tx) CreateContact(ctx context.Context, c *contacts.Contact) error {
	if err := tx.insertContacts(ctx, []*contacts.Contact{c}); err != nil {
		return err
	}
	return tx.indexContacts(ctx, []*contacts.Contact{c})
}

// insertContactQuery stores one contact's row.
var insertContactQuery = `INSERT INTO contacts(` + contactColumns + `, name_lower, search) VALUES(` + placeholders(21) + `)`

// insertContacts stores cs' rows, keys and tags, leaving them out of the
// full-text indexes (indexContacts): a row each, then all their keys and
// all their tags in a statement each (a statement a key and a tag took a
// fifth of an import). A key another contact holds, stored before or
// earlier in cs, is a Conflict naming it (the caller's transaction then
// rolls back).
func (tx *Tx) insertContacts(ctx context.Context, cs []*contacts.Contact) error {
	var keys, tags [][]string
	for _, c := range cs {
		if _, err := tx.tx.ExecContext(ctx, insertContactQuery, contactArgs(c)...); err != nil {
			return translate(err, "contact")
		}
		for _, k := range contacts.DedupeKeys(c) {
			keys = append(keys, []string{c.UserID, k, c.ID})
		}
		name := strings.ToLower(c.Name)
		for _, t := range c.Tags {
			tags = append(tags, []string{c.UserID, strings.ToLower(t), name, c.ID})
		}
	}
	if err := tx.claimAll(ctx, contactKeys, keys); err != nil {
		return err
	}
	// contact_tags primary key; a tag typed twice is one row
	if _, err := tx.tx.ExecContext(ctx, `INSERT OR IGNORE INTO contact_tags(user_id, tag_lower, name_lower, contact_id)
		SELECT value->>0, value->>1, value->>2, value->>3 FROM json_each(?)`, jsonRows(tags)); err != nil {
		return translate(err, "contact")
	}
	return nil
}

// restoreContacts stores a backup's contacts as CreateContact does each,
// and indexes them together: indexed one at a time, restoring 30,000
// contacts spent 4.7 s in the two full-text indexes.
func (tx *Tx) restoreContacts(ctx context.Context, cs []*contacts.Contact) error {
	if err := tx.insertContacts(ctx, cs); err != nil {
		return err
	}
	return tx.indexContacts(ctx, cs)
}

// setTags replaces the contact's rows in contact_tags.
func (tx *Tx) setTags(ctx context.Context, c *contacts.Contact) error {
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM contact_tags WHERE contact_id = ?`, c.ID); err != nil {
		return translate(err, "contact")
	}
	nameLower := strings.ToLower(c.Name)
	for _, t := range c.Tags {
		if _, err := tx.tx.ExecContext(ctx, `INSERT OR IGNORE INTO contact_tags(user_id, tag_lower, name_lower, contact_id) VALUES(?, ?, ?, ?)`,
			c.UserID, strings.ToLower(t), nameLower, c.ID); err != nil {
			return translate(err, "contact")
		}
	}
	return nil
}

// Contact returns one of the user's contacts.
func (s *Contacts) Contact(ctx context.Context, userID, id string) (*contacts.Contact, error) {
	// contacts.id (unique), scoped by user_id
	row := s.DB.reader(ctx).QueryRowContext(ctx, `SELECT `+contactColumns+` FROM contacts WHERE id = ? AND user_id = ?`, id, userID)
	return scanContact(row)
}

// ContactByKey returns the user's contact that holds key.
func (s *Contacts) ContactByKey(ctx context.Context, userID, key string) (*contacts.Contact, error) {
	// contact_keys primary key, then contacts.id
	row := s.DB.reader(ctx).QueryRowContext(ctx, `SELECT `+prefixed("c.", contactColumns)+` FROM contact_keys k JOIN contacts c ON c.id = k.contact_id
		WHERE k.user_id = ? AND k.key = ?`, userID, key)
	return scanContact(row)
}

// ContactIDsByKeys implements contacts.Store (the contact_keys primary key).
func (s *Contacts) ContactIDsByKeys(ctx context.Context, userID string, keys []string) (map[string]string, error) {
	return contactKeys.holders(ctx, s.DB.reader(ctx), userID, keys)
}

// UpdateContact replaces the contact and moves its keys, in one transaction.
func (s *Contacts) UpdateContact(ctx context.Context, c *contacts.Contact) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		args := contactArgs(c)
		// contacts.id, scoped by user_id
		if err := tx.writeOwned(ctx, `UPDATE contacts SET (`+contactColumns+`, name_lower, search) = (`+placeholders(len(args))+`)
			WHERE id = ? AND user_id = ?`, "contact", append(args, c.ID, c.UserID)...); err != nil {
			return err
		}
		if err := tx.moveKeys(ctx, contactKeys, c.UserID, c.ID, contacts.DedupeKeys(c)); err != nil {
			return err
		}
		return tx.setTags(ctx, c)
	})
}

// TouchContact moves last_contacted_at forward to t (never back), and
// known_since back to it (never forward).
func (s *Contacts) TouchContact(ctx context.Context, userID, id string, t time.Time) (*contacts.Contact, error) {
	var c *contacts.Contact
	err := s.DB.Update(ctx, func(tx *Tx) error {
		at := formatTime(t)
		// contacts.id, scoped by user_id; the text times compare as times
		// (max and min of two: NULL, never contacted, is the smallest).
		if _, err := tx.tx.ExecContext(ctx, `UPDATE contacts SET last_contacted_at = max(coalesce(last_contacted_at, ''), ?1),
			known_since = min(known_since, ?1) WHERE id = ?2 AND user_id = ?3
			AND (last_contacted_at IS NULL OR last_contacted_at < ?1 OR known_since > ?1)`, at, id, userID); err != nil {
			return translate(err, "contact")
		}
		var err error
		c, err = scanContact(tx.tx.QueryRowContext(ctx, `SELECT `+contactColumns+` FROM contacts WHERE id = ? AND user_id = ?`, id, userID))
		return err
	})
	return c, err
}

// SetLastContacted sets last_contacted_at to t (NULL for nil).
func (s *Contacts) SetLastContacted(ctx context.Context, userID, id string, t *time.Time) (*contacts.Contact, error) {
	var c *contacts.Contact
	err := s.DB.Update(ctx, func(tx *Tx) error {
		var at any // NULL: never contacted
		if t != nil {
			at = formatTime(*t)
		}
		if err := tx.writeOwned(ctx, `UPDATE contacts SET last_contacted_at = ? WHERE id = ? AND user_id = ?`, "contact", at, id, userID); err != nil {
			return err
		}
		var err error
		c, err = scanContact(tx.tx.QueryRowContext(ctx, `SELECT `+contactColumns+` FROM contacts WHERE id = ? AND user_id = ?`, id, userID))
		return err
	})
	return c, err
}

// ContactsByID returns those of ids that are the user's contacts.
func (s *Contacts) ContactsByID(ctx context.Context, userID string, ids []string) (map[string]*contacts.Contact, error) {
	return queryByIDs(ctx, s.DB, "contact", "contacts", contactColumns, scanContact, userID, ids, func(c *contacts.Contact) string { return c.ID })
}

// Headcounts implements contacts.Store (contacts_user_company).
func (s *Contacts) Headcounts(ctx context.Context, userID string, companyIDs []string) (map[string]int, error) {
	out := map[string]int{}
	if len(companyIDs) == 0 {
		return out, nil
	}
	type row struct {
		id string
		n  int
	}
	rows, err := queryAll(ctx, s.DB, "contact", func(r scanner) (*row, error) {
		var x row
		return &x, translate(r.Scan(&x.id, &x.n), "contact")
	}, `SELECT company_id, count(*) FROM contacts INDEXED BY contacts_user_company
		WHERE company_id IN (SELECT value FROM json_each(?)) AND company_id != '' AND user_id = ? GROUP BY company_id`, jsonList(companyIDs), userID)
	for _, r := range rows {
		out[r.id] = r.n
	}
	return out, err
}

// ContactsAtCompany returns a page of the user's contacts at a company
// (contacts_user_company), in name order.
func (s *Contacts) ContactsAtCompany(ctx context.Context, userID, companyID string, cur *record.Cursor, limit int) (*record.Page[contacts.Contact], error) {
	return pageByName(ctx, s.DB,
		`SELECT `+contactColumns+` FROM contacts INDEXED BY contacts_user_company WHERE company_id = ? AND company_id != '' AND user_id = ?`,
		[]any{companyID, userID}, cur, record.PageSize(limit), "contact", scanContact, func(c *contacts.Contact) (string, string) { return c.Name, c.ID })
}

// SetCompanies sets the company_id of the user's contacts companyOf
// names in one statement.
func (s *Contacts) SetCompanies(ctx context.Context, userID string, companyOf map[string]string) error {
	if len(companyOf) == 0 {
		return nil
	}
	rows := make([][]string, 0, len(companyOf))
	for id, companyID := range companyOf {
		rows = append(rows, []string{id, companyID})
	}
	return s.DB.Update(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, setCompaniesQuery, jsonRows(rows), userID)
		return translate(err, "contact")
	})
}

// setCompaniesQuery sets the company_id of the user's (?2) contacts of a
// JSON list of [contact id, company id] (?1), found by id (contacts.id):
// on user_id the planner walked all the user's contacts and the list for
// each.
const setCompaniesQuery = `UPDATE contacts SET company_id = j.value->>1 FROM json_each(?1) AS j
	WHERE contacts.id = j.value->>0 AND +contacts.user_id = ?2`

// DetachCompany clears the company_id of the contacts at a company
// (contacts_user_company).
func (s *Contacts) DetachCompany(ctx context.Context, userID, companyID string) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `UPDATE contacts SET company_id = '' WHERE user_id = ? AND company_id = ? AND company_id != ''`, userID, companyID)
		return translate(err, "contact")
	})
}

// UnlinkedContacts returns contacts without a company_id (a one-time scan
// when companies first link contacts).
func (s *Contacts) UnlinkedContacts(ctx context.Context, userID, afterID string, limit int) ([]contacts.Contact, error) {
	return queryAll(ctx, s.DB, "contact", scanContact, unlinkedQuery, userID, afterID, limit)
}

// unlinkedQuery is a page of the user's contacts with no company_id, by
// id (contacts_user_unlinked).
const unlinkedQuery = `SELECT ` + contactColumns + ` FROM contacts WHERE user_id = ? AND id > ? AND company_id = '' ORDER BY id LIMIT ?`

// DeleteContact removes the contact with its keys and tags.
func (s *Contacts) DeleteContact(ctx context.Context, userID, id string) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		if err := tx.unindexContacts(ctx, userID, jsonList([]string{id})); err != nil {
			return err
		}
		return tx.writeOwned(ctx, `DELETE FROM contacts WHERE id = ? AND user_id = ?`, "contact", id, userID)
	})
}

// deleteContactsQuery deletes the user's (?1) contacts of a JSON list of
// ids (?2) by id (contacts.id): on user_id the planner walked all the
// user's contacts for each chunk of an undo.
const deleteContactsQuery = `DELETE FROM contacts WHERE +user_id = ?1 AND id IN (SELECT value FROM json_each(?2))`

// DeleteContacts removes those of ids that are the user's contacts in one
// statement, with their keys and tags.
func (s *Contacts) DeleteContacts(ctx context.Context, userID string, ids []string) (int, error) {
	var n int64
	err := s.DB.Update(ctx, func(tx *Tx) error {
		list := jsonList(ids)
		if err := tx.unindexContacts(ctx, userID, list); err != nil {
			return err
		}
		res, err := tx.tx.ExecContext(ctx, deleteContactsQuery, userID, list)
		if err != nil {
			return translate(err, "contact")
		}
		n, err = res.RowsAffected()
		return translate(err, "contact")
	})
	return int(n), err
}

// Contacts returns one page of the user's contacts in name order.
func (s *Contacts) Contacts(ctx context.Context, userID string, q contacts.ContactQuery) (*record.Page[contacts.Contact], error) {
	limit := record.PageSize(q.Limit)
	query, args, err := s.listQuery(ctx, userID, q, limit)
	if err != nil {
		return nil, err
	}
	rows, err := s.DB.reader(ctx).QueryContext(ctx, query, args...)
	if err != nil {
		return nil, translate(err, "contact")
	}
	defer rows.Close()
	page := &record.Page[contacts.Contact]{Items: []contacts.Contact{}}
	for rows.Next() {
		c, err := scanContact(rows)
		if err != nil {
			return nil, err
		}
		page.Items = append(page.Items, *c)
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err, "contact")
	}
	if len(page.Items) > limit {
		page.Items = page.Items[:limit]
		page.NextCursor = contacts.CursorOf(q.Sort, &page.Items[limit-1]).Encode()
	}
	return page, nil
}

// listQuery builds the SQL of one page of Contacts.
func (s *Contacts) listQuery(ctx context.Context, userID string, q contacts.ContactQuery, limit int) (string, []any, error) {
	if err := contacts.CheckCursor(q.Sort, q.Cursor); err != nil {
		return "", nil, err
	}
	byName := q.Sort != contacts.SortLast && q.Sort != contacts.SortSince
	after := q.Cursor != nil && byName
	var afterName, afterID string
	if after {
		afterName, afterID = *q.Cursor.S, q.Cursor.ID
	}
	text := input.Fold(strings.TrimSpace(q.Q))
	tag := strings.ToLower(strings.TrimSpace(q.Tag))
	var seqs []int64
	if text != "" && tag == "" {
		var err error
		if seqs, err = s.rareMatches(ctx, userID, text); err != nil {
			return "", nil, err
		}
	}
	var sb strings.Builder
	var args []any
	switch {
	case tag != "":
		// contact_tags primary key (user_id, tag_lower, name_lower, contact_id): in name order
		sb.WriteString(`SELECT ` + prefixed("c.", contactColumns) + ` FROM contact_tags t JOIN contacts c ON c.id = t.contact_id
			WHERE t.user_id = ? AND t.tag_lower = ?`)
		args = append(args, userID, tag)
		if after {
			sb.WriteString(` AND (t.name_lower, t.contact_id) > (?, ?)`)
			args = append(args, afterName, afterID)
		}
	case q.IDs != nil || seqs != nil:
		// A rare text: the rows the trigram index names, by primary key
		// (at most rareLimit, sorted here), not a walk of the user's
		// contacts. "+" keeps the planner off contacts_user_name.
		// The same for a given list of ids (contacts met at an event).
		sb.WriteString(`SELECT ` + contactColumns + ` FROM contacts c WHERE `)
		if seqs != nil {
			b, _ := json.Marshal(seqs)
			sb.WriteString(`c.seq IN (SELECT value FROM json_each(?)) AND `)
			args = append(args, string(b))
		}
		if q.IDs != nil {
			sb.WriteString(`c.id IN (SELECT value FROM json_each(?)) AND `)
			args = append(args, jsonList(q.IDs))
		}
		sb.WriteString(`+c.user_id = ?`)
		args = append(args, userID)
		if after {
			sb.WriteString(` AND (+c.name_lower, c.id) > (?, ?)`)
			args = append(args, afterName, afterID)
		}
	case q.Sort == contacts.SortLast:
		// contacts_user_last (user_id, last_contacted_at, id), read
		// backwards: NULL (never) sorts lowest, so it comes last.
		sb.WriteString(`SELECT ` + contactColumns + ` FROM contacts c WHERE c.user_id = ?`)
		args = append(args, userID)
	case q.Sort == contacts.SortSince:
		// contacts_user_known (user_id, known_since, id)
		sb.WriteString(`SELECT ` + contactColumns + ` FROM contacts c WHERE c.user_id = ?`)
		args = append(args, userID)
	default:
		// contacts_user_name (user_id, name_lower, id): in name order
		sb.WriteString(`SELECT ` + contactColumns + ` FROM contacts c WHERE c.user_id = ?`)
		args = append(args, userID)
		if after {
			sb.WriteString(` AND (c.name_lower, c.id) > (?, ?)`)
			args = append(args, afterName, afterID)
		}
	}
	if cur := q.Cursor; cur != nil && q.Sort == contacts.SortLast {
		if cur.T != nil {
			sb.WriteString(` AND (c.last_contacted_at < ? OR c.last_contacted_at = ? AND c.id < ? OR c.last_contacted_at IS NULL)`)
			args = append(args, formatTime(*cur.T), formatTime(*cur.T), cur.ID)
		} else {
			sb.WriteString(` AND c.last_contacted_at IS NULL AND c.id < ?`)
			args = append(args, cur.ID)
		}
	}
	if cur := q.Cursor; cur != nil && q.Sort == contacts.SortSince {
		sb.WriteString(` AND (c.known_since, c.id) > (?, ?)`)
		args = append(args, formatTime(*cur.T), cur.ID)
	}
	if text != "" {
		// Plain text: a bound value for instr, never a pattern.
		sb.WriteString(` AND instr(c.search, ?) > 0`)
		args = append(args, text)
	}
	switch {
	case q.Sort == contacts.SortLast:
		sb.WriteString(` ORDER BY c.last_contacted_at DESC, c.id DESC LIMIT ?`)
	case q.Sort == contacts.SortSince:
		sb.WriteString(` ORDER BY c.known_since, c.id LIMIT ?`)
	case tag != "":
		sb.WriteString(` ORDER BY t.name_lower, t.contact_id LIMIT ?`) // the primary key's order: no sort
	default:
		sb.WriteString(` ORDER BY c.name_lower, c.id LIMIT ?`)
	}
	args = append(args, limit+1)
	return sb.String(), args, nil
}

// rareLimit is how many of the user's contacts holding a search text make
// it common: past it, walking the user's contacts in name order finds a
// page sooner than reading every match.
const rareLimit = 2000

// rareMatches returns the seq of every one of the user's contacts whose
// search text holds all of text's grams (each one holding text is among
// them; the page query keeps those), if text has three characters or more
// and at most rareLimit rows hold them; else nil. The q= index holds each
// user's grams behind the user's key (migration 00033) and only rowids
// (00035), so this reads the user's postings only.
func (s *Contacts) rareMatches(ctx context.Context, userID, text string) ([]int64, error) {
	if utf8.RuneCountInString(text) < 3 {
		return nil, nil
	}
	rows, err := s.DB.reader(ctx).QueryContext(ctx, `SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ? LIMIT ?`,
		gramsQuery(userID, text), rareLimit+1)
	if err != nil {
		return nil, translate(err, "contact")
	}
	defer rows.Close()
	seqs := []int64{}
	for rows.Next() {
		var n int64
		if err := rows.Scan(&n); err != nil {
			return nil, translate(err, "contact")
		}
		seqs = append(seqs, n)
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err, "contact")
	}
	if len(seqs) > rareLimit {
		return nil, nil
	}
	return seqs, nil
}

// contactArgs are c's values for contactColumns, then name_lower and search.
func contactArgs(c *contacts.Contact) []any {
	var last any
	if c.LastContactedAt != nil {
		last = formatTime(*c.LastContactedAt)
	}
	return []any{c.ID, c.UserID, c.Name, jsonList(c.Emails), jsonList(c.Phones), c.Company, c.Title, c.LinkedInURL,
		jsonList(c.Tags), c.Notes, c.CadenceDays, last, formatTime(c.CreatedAt), formatTime(c.UpdatedAt), c.CompanyID,
		c.DAVName, c.CardUID, c.CardExtra, formatTime(knownSince(c)), strings.ToLower(c.Name), contacts.SearchText(c)}
}

// knownSince is c's known_since, or when it was made if it has none (a
// contact from a backup made before the field).
func knownSince(c *contacts.Contact) time.Time {
	if c.KnownSince.IsZero() {
		return c.CreatedAt
	}
	return c.KnownSince
}

type scanner interface{ Scan(dest ...any) error }

func scanContact(r scanner) (*contacts.Contact, error) {
	var c contacts.Contact
	var emails, phones, tags, created, updated, known string
	var last sql.NullString
	if err := r.Scan(&c.ID, &c.UserID, &c.Name, &emails, &phones, &c.Company, &c.Title, &c.LinkedInURL, &tags, &c.Notes,
		&c.CadenceDays, &last, &created, &updated, &c.CompanyID, &c.DAVName, &c.CardUID, &c.CardExtra, &known); err != nil {
		return nil, translate(err, "contact")
	}
	var err error
	for _, f := range []struct {
		s   string
		dst *[]string
	}{{emails, &c.Emails}, {phones, &c.Phones}, {tags, &c.Tags}} {
		if err = unmarshalStrings(f.s, f.dst); err != nil {
			return nil, translate(err, "contact")
		}
	}
	if c.CreatedAt, err = parseTime(created); err != nil {
		return nil, translate(err, "contact")
	}
	if c.UpdatedAt, err = parseTime(updated); err != nil {
		return nil, translate(err, "contact")
	}
	if c.KnownSince, err = parseTime(cmp.Or(known, created)); err != nil {
		return nil, translate(err, "contact")
	}
	if last.Valid {
		t, err := parseTime(last.String)
		if err != nil {
			return nil, translate(err, "contact")
		}
		c.LastContactedAt = &t
	}
	return &c, nil
}

func jsonList(ss []string) string {
	if ss == nil {
		ss = []string{}
	}
	b, _ := json.Marshal(ss)
	return string(b)
}

// jsonRows is rows as a JSON array of arrays, for json_each (value->>N).
func jsonRows(rows [][]string) string {
	if rows == nil {
		rows = [][]string{}
	}
	b, _ := json.Marshal(rows)
	return string(b)
}

func prefixed(p, cols string) string {
	parts := strings.Split(cols, ", ")
	for i := range parts {
		parts[i] = p + parts[i]
	}
	return strings.Join(parts, ", ")
}

// ContactArchive walks and restores the user's contacts with their keys.
func (s *Contacts) ContactArchive() record.Archive[contacts.Contact] {
	return archive[contacts.Contact]{db: s.DB, table: "contacts", columns: contactColumns, scan: scanContact, insertAll: (*Tx).restoreContacts}
}
