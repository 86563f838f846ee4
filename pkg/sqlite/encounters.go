package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/record"
)

// pageByTime finishes a keyset-paged query on (col, id): it adds the
// condition "after the cursor", the order (oldest first, or newest first)
// and the limit, runs it on the read pool and reads one page. what names
// the records in errors.
func pageByTime[T any](ctx context.Context, db *DB, sb *strings.Builder, args []any, cur *record.Cursor, col string, newestFirst bool,
	limit int, what string, scan func(scanner) (*T, error), cursorOf func(*T) record.Cursor) (*record.Page[T], error) {
	op, dir := ">", ""
	if newestFirst {
		op, dir = "<", " DESC"
	}
	if cur != nil {
		if cur.T == nil {
			return nil, apperr.InvalidField("cursor", "is not a cursor of this list")
		}
		sb.WriteString(` AND (` + col + `, id) ` + op + ` (?, ?)`)
		args = append(args, formatTime(*cur.T), cur.ID)
	}
	sb.WriteString(` ORDER BY ` + col + dir + `, id` + dir + ` LIMIT ?`)
	rows, err := db.reader(ctx).QueryContext(ctx, sb.String(), append(args, limit+1)...)
	if err != nil {
		return nil, translate(err, what)
	}
	return readPage(rows, limit, scan, cursorOf)
}

// queryAll runs a query on the read pool and scans every row with scan.
func queryAll[T any](ctx context.Context, db *DB, what string, scan func(scanner) (*T, error), query string, args ...any) ([]T, error) {
	return queryOn(ctx, db.reader(ctx), what, scan, query, args...)
}

// querier is where a query runs: the read pool (DB.reader) or a write
// transaction, which reads its own writes.
type querier interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}

// queryOn runs a query on q and scans every row with scan.
func queryOn[T any](ctx context.Context, q querier, what string, scan func(scanner) (*T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, translate(err, what)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		x, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *x)
	}
	return out, translate(rows.Err(), what)
}

// queryByIDs reads those of ids that are the user's rows of table
// (its id is unique, scoped by user_id), by id. table and columns are
// constants, never input.
func queryByIDs[T any](ctx context.Context, db *DB, what, table, columns string, scan func(scanner) (*T, error),
	userID string, ids []string, id func(*T) string) (map[string]*T, error) {
	out := map[string]*T{}
	if len(ids) == 0 {
		return out, nil
	}
	items, err := queryAll(ctx, db, what, scan,
		`SELECT `+columns+` FROM `+table+` WHERE id IN (SELECT value FROM json_each(?)) AND +user_id = ?`, jsonList(ids), userID)
	for i := range items {
		out[id(&items[i])] = &items[i]
	}
	return out, err
}

// readPage reads up to limit+1 rows with scan and makes the page, its
// cursor from the last item's time.
func readPage[T any](rows *sql.Rows, limit int, scan func(scanner) (*T, error), cursorOf func(*T) record.Cursor) (*record.Page[T], error) {
	defer rows.Close()
	page := &record.Page[T]{Items: []T{}}
	for rows.Next() {
		x, err := scan(rows)
		if err != nil {
			return nil, err
		}
		page.Items = append(page.Items, *x)
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err, "list")
	}
	if len(page.Items) > limit {
		page.Items = page.Items[:limit]
		page.NextCursor = cursorOf(&page.Items[limit-1]).Encode()
	}
	return page, nil
}

// pageByName finishes a keyset-paged query in name order (name_lower,
// id), as pageByTime does by time: the condition "after the cursor" (one
// with a name: Invalid naming the cursor otherwise), the order and the
// limit; it runs on the read pool and reads one page, each item's cursor
// from its name and id.
func pageByName[T any](ctx context.Context, db *DB, query string, args []any, cur *record.Cursor, limit int, what string,
	scan func(scanner) (*T, error), nameOf func(*T) (name, id string)) (*record.Page[T], error) {
	if cur != nil {
		if cur.S == nil {
			return nil, apperr.InvalidField("cursor", "is not a cursor of this list")
		}
		query += ` AND (name_lower, id) > (?, ?)`
		args = append(args, *cur.S, cur.ID)
	}
	rows, err := db.reader(ctx).QueryContext(ctx, query+` ORDER BY name_lower, id LIMIT ?`, append(args, limit+1)...)
	if err != nil {
		return nil, translate(err, what)
	}
	return readPage(rows, limit, scan, func(x *T) record.Cursor { return nameCursor(nameOf(x)) })
}

// nameCursor is where a page in name order (name_lower, id) ends.
func nameCursor(name, id string) record.Cursor {
	nameLower := strings.ToLower(name) // the name_lower column
	return record.Cursor{S: &nameLower, ID: id}
}

const encounterColumns = `id, user_id, event_id, contact_id, moment, met_at, notes, topics, created_at`

func scanEncounter(r scanner) (*contacts.Encounter, error) {
	var e contacts.Encounter
	var met, created, topics string
	if err := r.Scan(&e.ID, &e.UserID, &e.EventID, &e.ContactID, &e.Moment, &met, &e.Notes, &topics, &created); err != nil {
		return nil, translate(err, "encounter")
	}
	err := unmarshalStrings(topics, &e.Topics)
	if err == nil {
		e.MetAt, err = parseTime(met)
	}
	if err == nil {
		e.CreatedAt, err = parseTime(created)
	}
	if err != nil {
		return nil, translate(err, "encounter")
	}
	return &e, nil
}

// CreateEncounter stores e.
func (s *Contacts) CreateEncounter(ctx context.Context, e *contacts.Encounter) error {
	return s.DB.Update(ctx, func(tx *Tx) error { return tx.CreateEncounter(ctx, e) })
}

// CreateEncounter stores e within tx.
func (tx *Tx) CreateEncounter(ctx context.Context, e *contacts.Encounter) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO encounters(`+encounterColumns+`) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.UserID, e.EventID, e.ContactID, e.Moment, formatTime(e.MetAt), e.Notes, jsonList(e.Topics), formatTime(e.CreatedAt))
	if err != nil {
		return translate(err, "encounter")
	}
	return tx.indexEncounters(ctx, []*contacts.Encounter{e})
}

// Encounters returns one page of the user's encounters at an event or with
// a contact, by met_at.
func (s *Contacts) Encounters(ctx context.Context, userID string, q contacts.EncounterQuery) (*record.Page[contacts.Encounter], error) {
	limit := record.PageSize(q.Limit)
	var sb strings.Builder
	sb.WriteString(`SELECT ` + encounterColumns + ` FROM encounters WHERE user_id = ?`)
	args := []any{userID}
	if q.EventID != "" {
		sb.WriteString(` AND event_id = ?`) // encounters_user_event
		args = append(args, q.EventID)
	} else {
		sb.WriteString(` AND contact_id = ?`) // encounters_user_contact
		args = append(args, q.ContactID)
	}
	return pageByTime(ctx, s.DB, &sb, args, q.Cursor, "met_at", q.NewestFirst, limit, "encounter", scanEncounter,
		func(e *contacts.Encounter) record.Cursor { return record.Cursor{T: &e.MetAt, ID: e.ID} })
}

// ContactIDsAtEvent returns the ids of the contacts met at an event, each
// once, in the order first met (encounters_user_event).
func (s *Contacts) ContactIDsAtEvent(ctx context.Context, userID, eventID string) ([]string, error) {
	rows, err := s.DB.reader(ctx).QueryContext(ctx, `SELECT contact_id FROM encounters WHERE user_id = ? AND event_id = ?
		GROUP BY contact_id ORDER BY min(met_at), contact_id`, userID, eventID)
	if err != nil {
		return nil, translate(err, "encounter")
	}
	defer rows.Close()
	ids := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, translate(err, "encounter")
		}
		ids = append(ids, id)
	}
	return ids, translate(rows.Err(), "encounter")
}

// PeopleMetAt implements contacts.EncounterStore: the events' encounters
// (encounters_user_event_contact), each contact once an event, joined to the
// contacts by their primary key and scoped by user_id. A contact with no
// known_since (restored from a backup made before it) has known it since
// it was made, as knownSince reads it.
func (s *Contacts) PeopleMetAt(ctx context.Context, userID string, eventIDs []string) (map[string][]contacts.KnownPerson, error) {
	type row struct {
		event  string
		person contacts.KnownPerson
	}
	out := map[string][]contacts.KnownPerson{}
	if len(eventIDs) == 0 {
		return out, nil
	}
	rows, err := queryAll(ctx, s.DB, "encounter", func(r scanner) (*row, error) {
		var x row
		var at string
		if err := r.Scan(&x.event, &x.person.ContactID, &at); err != nil {
			return nil, translate(err, "encounter")
		}
		var err error
		x.person.KnownSince, err = parseTime(at)
		return &x, translate(err, "contact")
	}, peopleMetAtQuery, userID, jsonList(eventIDs), userID)
	for _, r := range rows {
		out[r.event] = append(out[r.event], r.person)
	}
	return out, err
}

// peopleMetAtQuery is PeopleMetAt's: a range of
// encounters_user_event_contact for each event (in contact order, so each
// once without a sort), then each contact met by its id in
// contacts_known_of, which holds what is read without the row (named: the
// planner takes the unique index on id, and the row) (TestPeopleMetAtQueryPlan).
const peopleMetAtQuery = `SELECT m.event_id, m.contact_id, coalesce(nullif(c.known_since, ''), c.created_at)
	FROM (SELECT DISTINCT event_id, contact_id FROM encounters WHERE user_id = ? AND event_id IN (SELECT value FROM json_each(?))) AS m
	JOIN contacts AS c INDEXED BY contacts_known_of ON c.id = m.contact_id AND +c.user_id = ?`

// DeleteEncounter removes one of the user's encounters and returns it.
func (s *Contacts) DeleteEncounter(ctx context.Context, userID, id string) (*contacts.Encounter, error) {
	var e *contacts.Encounter
	err := s.DB.Update(ctx, func(tx *Tx) error {
		var err error
		e, err = scanEncounter(tx.tx.QueryRowContext(ctx, `DELETE FROM encounters WHERE id = ? AND user_id = ? RETURNING `+encounterColumns, id, userID))
		return err
	})
	return e, err
}

// DeleteEncountersOf removes the user's encounters at an event or with a
// contact and returns their ids.
func (s *Contacts) DeleteEncountersOf(ctx context.Context, userID string, of contacts.EncountersOf, refIDs []string) ([]string, error) {
	col := "event_id" // encounters_user_event
	if of == contacts.ByContact {
		col = "contact_id" // encounters_user_contact
	}
	var ids []string
	err := s.DB.Update(ctx, func(tx *Tx) error {
		var err error
		ids, err = tx.deleteReturningIDs(ctx, `DELETE FROM encounters WHERE user_id = ? AND `+col+` IN (SELECT value FROM json_each(?)) RETURNING id`,
			"encounter", userID, jsonList(refIDs))
		return err
	})
	return ids, err
}

// writeOwned runs a write (UPDATE or DELETE) of one of the user's rows;
// NotFound ("no such <what>") if it touched none.
func (tx *Tx) writeOwned(ctx context.Context, query, what string, args ...any) error {
	res, err := tx.tx.ExecContext(ctx, query, args...)
	if err != nil {
		return translate(err, what)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.E(apperr.NotFound, "no such %s", what)
	}
	return nil
}

// deleteReturningIDs runs a DELETE … RETURNING id and collects the ids.
func (tx *Tx) deleteReturningIDs(ctx context.Context, query, what string, args ...any) ([]string, error) {
	rows, err := tx.tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, translate(err, what)
	}
	defer rows.Close()
	ids := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, translate(err, what)
		}
		ids = append(ids, id)
	}
	return ids, translate(rows.Err(), what)
}

const interactionColumns = `id, user_id, contact_id, kind, at, notes, created_at, event_id`

func scanInteraction(r scanner) (*contacts.Interaction, error) {
	var it contacts.Interaction
	var at, created string
	if err := r.Scan(&it.ID, &it.UserID, &it.ContactID, &it.Kind, &at, &it.Notes, &created, &it.EventID); err != nil {
		return nil, translate(err, "interaction")
	}
	var err error
	if it.At, err = parseTime(at); err == nil {
		it.CreatedAt, err = parseTime(created)
	}
	return &it, translate(err, "interaction")
}

// CreateInteraction stores it.
func (s *Contacts) CreateInteraction(ctx context.Context, it *contacts.Interaction) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `INSERT INTO interactions(`+interactionColumns+`) VALUES(?, ?, ?, ?, ?, ?, ?, ?)`,
			it.ID, it.UserID, it.ContactID, it.Kind, formatTime(it.At), it.Notes, formatTime(it.CreatedAt), it.EventID)
		return translate(err, "interaction")
	})
}

// Interactions returns one page of a contact's interactions, newest first
// (interactions_user_contact, read backwards).
func (s *Contacts) Interactions(ctx context.Context, userID, contactID string, limit int, cursor *record.Cursor) (*record.Page[contacts.Interaction], error) {
	limit = record.PageSize(limit)
	var sb strings.Builder
	sb.WriteString(`SELECT ` + interactionColumns + ` FROM interactions WHERE user_id = ? AND contact_id = ?`)
	return pageByTime(ctx, s.DB, &sb, []any{userID, contactID}, cursor, "at", true, limit, "interaction", scanInteraction,
		func(it *contacts.Interaction) record.Cursor { return record.Cursor{T: &it.At, ID: it.ID} })
}

// DeleteInteraction removes one of the user's interactions and returns it
// (interactions.id, scoped by user_id).
func (s *Contacts) DeleteInteraction(ctx context.Context, userID, id string) (*contacts.Interaction, error) {
	var it *contacts.Interaction
	err := s.DB.Update(ctx, func(tx *Tx) error {
		var err error
		it, err = scanInteraction(tx.tx.QueryRowContext(ctx, `DELETE FROM interactions WHERE id = ? AND user_id = ? RETURNING `+interactionColumns, id, userID))
		return err
	})
	return it, err
}

// DeleteInteractionsOf removes all of a contact's interactions.
func (s *Contacts) DeleteInteractionsOf(ctx context.Context, userID string, contactIDs []string) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		// interactions_user_contact
		_, err := tx.tx.ExecContext(ctx, `DELETE FROM interactions WHERE user_id = ? AND contact_id IN (SELECT value FROM json_each(?))`,
			userID, jsonList(contactIDs))
		return translate(err, "interaction")
	})
}

const introColumns = `id, user_id, contact_a, contact_b, event_id, context, double_opt_in, status, outcome, created_at, updated_at`

func scanIntro(r scanner) (*contacts.Intro, error) {
	var it contacts.Intro
	var a, b, created, updated string
	if err := r.Scan(&it.ID, &it.UserID, &a, &b, &it.EventID, &it.Context, &it.DoubleOptIn, &it.Status, &it.Outcome, &created, &updated); err != nil {
		return nil, translate(err, "intro")
	}
	it.ContactIDs = []string{a, b}
	var err error
	if it.CreatedAt, err = parseTime(created); err == nil {
		it.UpdatedAt, err = parseTime(updated)
	}
	return &it, translate(err, "intro")
}

// CreateIntro stores it.
func (s *Contacts) CreateIntro(ctx context.Context, it *contacts.Intro) error {
	if len(it.ContactIDs) != 2 {
		return apperr.InvalidField("contact_ids", "must name exactly two contacts")
	}
	return s.DB.Update(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `INSERT INTO intros(`+introColumns+`) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			it.ID, it.UserID, it.ContactIDs[0], it.ContactIDs[1], it.EventID, it.Context, it.DoubleOptIn, it.Status, it.Outcome,
			formatTime(it.CreatedAt), formatTime(it.UpdatedAt))
		return translate(err, "intro")
	})
}

// Intro returns one of the user's intros.
func (s *Contacts) Intro(ctx context.Context, userID, id string) (*contacts.Intro, error) {
	return scanIntro(s.DB.reader(ctx).QueryRowContext(ctx, `SELECT `+introColumns+` FROM intros WHERE id = ? AND user_id = ?`, id, userID))
}

// MoveIntro compares-and-sets the intro's status.
func (s *Contacts) MoveIntro(ctx context.Context, userID, id, from, to, outcome string, at time.Time) (*contacts.Intro, error) {
	var out *contacts.Intro
	err := s.DB.Update(ctx, func(tx *Tx) error {
		cur, err := scanIntro(tx.tx.QueryRowContext(ctx, `SELECT `+introColumns+` FROM intros WHERE id = ? AND user_id = ?`, id, userID))
		if err != nil {
			return err
		}
		if cur.Status != from {
			return apperr.E(apperr.Conflict, "the intro changed meanwhile; read it again")
		}
		if _, err := tx.tx.ExecContext(ctx, `UPDATE intros SET status = ?, outcome = ?, updated_at = ? WHERE id = ? AND user_id = ?`,
			to, outcome, formatTime(at), id, userID); err != nil {
			return translate(err, "intro")
		}
		cur.Status, cur.Outcome, cur.UpdatedAt = to, outcome, record.Time(at)
		out = cur
		return nil
	})
	return out, err
}

// Intros returns one page of the user's intros, oldest first.
func (s *Contacts) Intros(ctx context.Context, userID string, q contacts.IntroQuery) (*record.Page[contacts.Intro], error) {
	limit := record.PageSize(q.Limit)
	var sb strings.Builder
	sb.WriteString(`SELECT ` + introColumns + ` FROM intros WHERE user_id = ?`) // intros_user_created
	args := []any{userID}
	if q.ContactID != "" {
		sb.WriteString(` AND (contact_a = ? OR contact_b = ?)`) // intros_user_a, intros_user_b
		args = append(args, q.ContactID, q.ContactID)
	}
	if q.Status != "" {
		sb.WriteString(` AND status = ?`)
		args = append(args, q.Status)
	}
	if q.EventID != "" {
		sb.WriteString(` AND event_id = ?`) // intros_user_event
		args = append(args, q.EventID)
	}
	return pageByTime(ctx, s.DB, &sb, args, q.Cursor, "created_at", q.NewestFirst, limit, "intro", scanIntro,
		func(it *contacts.Intro) record.Cursor { return record.Cursor{T: &it.CreatedAt, ID: it.ID} })
}

// LatestEncounters implements contacts.Store: for each contact, the row
// whose met_at is its greatest (encounters_user_contact, one descent per
// contact); a tie is broken by id here.
func (s *Contacts) LatestEncounters(ctx context.Context, userID string, contactIDs []string) (map[string]contacts.Encounter, error) {
	out := map[string]contacts.Encounter{}
	if len(contactIDs) == 0 {
		return out, nil
	}
	rows, err := queryAll(ctx, s.DB, "encounter", scanEncounter, `SELECT `+prefixed("e.", encounterColumns)+` FROM encounters e
		WHERE e.user_id = ? AND e.contact_id IN (SELECT value FROM json_each(?))
		AND e.met_at = (SELECT max(x.met_at) FROM encounters x WHERE x.user_id = e.user_id AND x.contact_id = e.contact_id)`,
		userID, jsonList(contactIDs))
	for _, e := range rows {
		if old, ok := out[e.ContactID]; !ok || e.ID > old.ID {
			out[e.ContactID] = e
		}
	}
	return out, err
}

// EventsMetAt implements contacts.Store: one probe of
// encounters_user_event per event, however many were met there.
func (s *Contacts) EventsMetAt(ctx context.Context, userID string, eventIDs []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(eventIDs) == 0 {
		return out, nil
	}
	ids, err := queryAll(ctx, s.DB, "encounter", scanID, `SELECT value FROM json_each(?1)
		WHERE EXISTS (SELECT 1 FROM encounters WHERE user_id = ?2 AND event_id = value)`, jsonList(eventIDs), userID)
	for _, id := range ids {
		out[id] = true
	}
	return out, err
}

// EncountersWith implements contacts.Store (encounters_user_contact, one
// descent per contact).
func (s *Contacts) EncountersWith(ctx context.Context, userID string, contactIDs []string) ([]contacts.Encounter, error) {
	if len(contactIDs) == 0 {
		return []contacts.Encounter{}, nil
	}
	return queryAll(ctx, s.DB, "encounter", scanEncounter, `SELECT `+encounterColumns+` FROM encounters
		WHERE user_id = ? AND contact_id IN (SELECT value FROM json_each(?)) ORDER BY contact_id, met_at, id`,
		userID, jsonList(contactIDs))
}

// IntrosWith implements contacts.Store (intros_user_a, intros_user_b).
func (s *Contacts) IntrosWith(ctx context.Context, userID string, contactIDs []string) ([]contacts.Intro, error) {
	if len(contactIDs) == 0 {
		return []contacts.Intro{}, nil
	}
	ids := jsonList(contactIDs)
	return queryAll(ctx, s.DB, "intro", scanIntro, `SELECT `+introColumns+` FROM intros
		WHERE user_id = ? AND (contact_a IN (SELECT value FROM json_each(?)) OR contact_b IN (SELECT value FROM json_each(?)))
		ORDER BY created_at, id`, userID, ids, ids)
}

// DeleteIntrosOf removes the user's intros that involve a contact.
func (s *Contacts) DeleteIntrosOf(ctx context.Context, userID string, contactIDs []string) ([]string, error) {
	var ids []string
	err := s.DB.Update(ctx, func(tx *Tx) error {
		var err error
		// intros_user_a, intros_user_b
		ids, err = tx.deleteReturningIDs(ctx, `DELETE FROM intros WHERE id IN (
			SELECT id FROM intros WHERE user_id = ?1 AND contact_a IN (SELECT value FROM json_each(?2))
			UNION SELECT id FROM intros WHERE user_id = ?1 AND contact_b IN (SELECT value FROM json_each(?2))) RETURNING id`,
			"intro", userID, jsonList(contactIDs))
		return err
	})
	return ids, err
}

// DetachIntrosFromEvent clears the event of the user's intros made at it
// (intros_user_event).
func (s *Contacts) DetachIntrosFromEvent(ctx context.Context, userID, eventID string, at time.Time) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `UPDATE intros SET event_id = '', updated_at = ? WHERE user_id = ? AND event_id = ?`,
			formatTime(at), userID, eventID)
		return translate(err, "intro")
	})
}

// InteractionsOfKinds implements contacts.Store (the giving ledger): a
// read of the user's interactions since a time (interactions_user_at).
func (s *Contacts) InteractionsOfKinds(ctx context.Context, userID string, kinds []string, since time.Time, limit int) ([]contacts.Interaction, error) {
	items, err := queryAll(ctx, s.DB, "interaction", scanInteraction, `SELECT `+interactionColumns+` FROM interactions
		WHERE user_id = ? AND at >= ? AND kind IN (SELECT value FROM json_each(?)) ORDER BY at, id LIMIT ?`,
		userID, formatTime(since), jsonList(kinds), limit)
	if items == nil {
		items = []contacts.Interaction{}
	}
	return items, err
}

// DeleteEventGiving implements contacts.Store.
func (s *Contacts) DeleteEventGiving(ctx context.Context, userID, eventID string) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `DELETE FROM interactions WHERE user_id = ? AND contact_id = '' AND event_id = ?`, userID, eventID)
		return translate(err, "interaction")
	})
}

// EncounterArchive walks and restores the user's encounters.
func (s *Contacts) EncounterArchive() record.Archive[contacts.Encounter] {
	return archive[contacts.Encounter]{db: s.DB, table: "encounters", columns: encounterColumns, scan: scanEncounter, insertAll: (*Tx).restoreEncounters}
}

// restoreEncounters inserts a batch of encounters in one statement (their
// triggers still run for each row).
func (tx *Tx) restoreEncounters(ctx context.Context, es []*contacts.Encounter) error {
	type row struct {
		ID, UserID, EventID, ContactID, Moment, MetAt, Notes, Topics, CreatedAt string
	}
	rows := make([]row, len(es))
	for i, e := range es {
		rows[i] = row{e.ID, e.UserID, e.EventID, e.ContactID, e.Moment, formatTime(e.MetAt), e.Notes, jsonList(e.Topics), formatTime(e.CreatedAt)}
	}
	list, err := json.Marshal(rows)
	if err != nil {
		return err
	}
	_, err = tx.tx.ExecContext(ctx, `INSERT INTO encounters(`+encounterColumns+`)
		SELECT value->>'ID', value->>'UserID', value->>'EventID', value->>'ContactID', value->>'Moment', value->>'MetAt',
			value->>'Notes', value->>'Topics', value->>'CreatedAt' FROM json_each(?)`, string(list))
	if err != nil {
		return translate(err, "encounter")
	}
	return tx.indexEncounters(ctx, es)
}

// InteractionArchive walks and restores the user's interactions.
func (s *Contacts) InteractionArchive() record.Archive[contacts.Interaction] {
	return archive[contacts.Interaction]{db: s.DB, table: "interactions", columns: interactionColumns, scan: scanInteraction,
		insert: func(tx *Tx, ctx context.Context, r *contacts.Interaction) error {
			_, err := tx.tx.ExecContext(ctx, `INSERT INTO interactions(`+interactionColumns+`) VALUES(?, ?, ?, ?, ?, ?, ?, ?)`,
				r.ID, r.UserID, r.ContactID, r.Kind, formatTime(r.At), r.Notes, formatTime(r.CreatedAt), r.EventID)
			return translate(err, "interaction")
		}}
}

// IntroArchive walks and restores the user's intros.
func (s *Contacts) IntroArchive() record.Archive[contacts.Intro] {
	return archive[contacts.Intro]{db: s.DB, table: "intros", columns: introColumns, scan: scanIntro,
		insert: func(tx *Tx, ctx context.Context, r *contacts.Intro) error {
			if len(r.ContactIDs) != 2 {
				return apperr.E(apperr.Invalid, "an intro without two contacts")
			}
			_, err := tx.tx.ExecContext(ctx, `INSERT INTO intros(`+introColumns+`) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				r.ID, r.UserID, r.ContactIDs[0], r.ContactIDs[1], r.EventID, r.Context, r.DoubleOptIn, r.Status, r.Outcome,
				formatTime(r.CreatedAt), formatTime(r.UpdatedAt))
			return translate(err, "intro")
		}}
}
