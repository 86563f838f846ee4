package sqlite

import (
	"context"
	"strings"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/companies"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Companies is the companies.Store of the embedded store.
type Companies struct{ DB *DB }

var _ companies.Store = (*Companies)(nil)

const companyColumns = `id, user_id, name, domain, url, tags, notes, created_at, updated_at`

func companyArgs(c *companies.Company) []any {
	return []any{c.ID, c.UserID, c.Name, c.Domain, c.URL, jsonList(c.Tags), c.Notes, formatTime(c.CreatedAt), formatTime(c.UpdatedAt), strings.ToLower(c.Name)}
}

func scanCompany(r scanner) (*companies.Company, error) {
	var c companies.Company
	var tags, created, updated string
	if err := r.Scan(&c.ID, &c.UserID, &c.Name, &c.Domain, &c.URL, &tags, &c.Notes, &created, &updated); err != nil {
		return nil, translate(err, "company")
	}
	err := unmarshalStrings(tags, &c.Tags)
	if err == nil {
		c.CreatedAt, err = parseTime(created)
	}
	if err == nil {
		c.UpdatedAt, err = parseTime(updated)
	}
	if err != nil {
		return nil, translate(err, "company")
	}
	return &c, nil
}

// CreateCompany stores c and claims its keys, in one transaction.
func (s *Companies) CreateCompany(ctx context.Context, c *companies.Company) error {
	return s.DB.Update(ctx, func(tx *Tx) error { return tx.createCompany(ctx, c) })
}

func (tx *Tx) createCompany(ctx context.Context, c *companies.Company) error {
	args := companyArgs(c)
	if _, err := tx.tx.ExecContext(ctx, `INSERT INTO companies(`+companyColumns+`, name_lower) VALUES(`+placeholders(len(args))+`)`, args...); err != nil {
		return translate(err, "company")
	}
	return tx.claim(ctx, companyKeys, c.UserID, c.ID, companies.Keys(c))
}

var companyKeys = keyTable{table: "company_keys", owner: "company_id", what: "company", many: "companies", taken: func(k string) string {
	if strings.HasPrefix(k, "domain:") {
		return "this domain"
	}
	return "this name"
}}

// Company returns one of the user's companies (companies.id).
func (s *Companies) Company(ctx context.Context, userID, id string) (*companies.Company, error) {
	return scanCompany(s.DB.reader(ctx).QueryRowContext(ctx, `SELECT `+companyColumns+` FROM companies WHERE id = ? AND user_id = ?`, id, userID))
}

// CompanyByKey returns the user's company holding key (company_keys primary key).
func (s *Companies) CompanyByKey(ctx context.Context, userID, key string) (*companies.Company, error) {
	return scanCompany(s.DB.reader(ctx).QueryRowContext(ctx, `SELECT `+prefixed("c.", companyColumns)+` FROM company_keys k
		JOIN companies c ON c.id = k.company_id WHERE k.user_id = ? AND k.key = ?`, userID, key))
}

// CompanyIDsByKeys implements companies.Store (the company_keys primary key).
func (s *Companies) CompanyIDsByKeys(ctx context.Context, userID string, keys []string) (map[string]string, error) {
	return companyKeys.holders(ctx, s.DB.reader(ctx), userID, keys)
}

// UpdateCompany replaces the company and moves its keys, in one transaction.
func (s *Companies) UpdateCompany(ctx context.Context, c *companies.Company) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		args := companyArgs(c)
		if err := tx.writeOwned(ctx, `UPDATE companies SET (`+companyColumns+`, name_lower) = (`+placeholders(len(args))+`)
			WHERE id = ? AND user_id = ?`, "company", append(args, c.ID, c.UserID)...); err != nil {
			return err
		}
		return tx.moveKeys(ctx, companyKeys, c.UserID, c.ID, companies.Keys(c))
	})
}

// DeleteCompany removes the company and its keys.
func (s *Companies) DeleteCompany(ctx context.Context, userID, id string) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		if err := tx.writeOwned(ctx, `DELETE FROM companies WHERE id = ? AND user_id = ?`, "company", id, userID); err != nil {
			return err
		}
		_, err := tx.tx.ExecContext(ctx, `DELETE FROM company_keys WHERE company_id = ?`, id)
		return translate(err, "company")
	})
}

// Companies returns one page of the user's companies in name order
// (companies_user_name); q is matched as plain text with instr, never as
// a pattern.
func (s *Companies) Companies(ctx context.Context, userID string, q companies.Query) (*record.Page[companies.Company], error) {
	limit := record.PageSize(q.Limit)
	query := `SELECT ` + companyColumns + ` FROM companies WHERE user_id = ?`
	args := []any{userID}
	if text := strings.ToLower(strings.TrimSpace(q.Q)); text != "" {
		query += ` AND (instr(name_lower, ?) > 0 OR instr(domain, ?) > 0)`
		args = append(args, text, text)
	}
	if q.Cursor != nil {
		if q.Cursor.S == nil {
			return nil, apperr.InvalidField("cursor", "is not a cursor of this list")
		}
		query += ` AND (name_lower, id) > (?, ?)`
		args = append(args, *q.Cursor.S, q.Cursor.ID)
	}
	query += ` ORDER BY name_lower, id LIMIT ?`
	rows, err := s.DB.reader(ctx).QueryContext(ctx, query, append(args, limit+1)...)
	if err != nil {
		return nil, translate(err, "company")
	}
	return readPage(rows, limit, scanCompany, func(c *companies.Company) record.Cursor { return nameCursor(c.Name, c.ID) })
}

// CompaniesByID returns those of ids that are the user's companies.
func (s *Companies) CompaniesByID(ctx context.Context, userID string, ids []string) (map[string]*companies.Company, error) {
	return queryByIDs(ctx, s.DB, "company", "companies", companyColumns, scanCompany, userID, ids, func(c *companies.Company) string { return c.ID })
}

// CompanyArchive walks and restores the user's companies with their keys.
func (s *Companies) CompanyArchive() record.Archive[companies.Company] {
	return archive[companies.Company]{db: s.DB, table: "companies", columns: companyColumns, scan: scanCompany, insert: (*Tx).createCompany}
}
