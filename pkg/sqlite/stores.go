package sqlite

import "github.com/rapport-crm/rapport/pkg/crm"

// Stores returns the stores of the CRM's workflows on db (it migrates when
// it opens, so there are no indexes to ensure).
func Stores(db *DB) crm.Stores {
	return crm.Stores{Contacts: &Contacts{DB: db}, Companies: &Companies{DB: db}, Opportunities: &Opportunities{DB: db}, Events: &Events{DB: db}, Attendees: &Attendees{DB: db}, Followups: &Followups{DB: db},
		Insights: &Insights{DB: db}, Search: &Search{DB: db}, Stamps: &Stamps{DB: db}, Backups: &Backups{DB: db}, Update: db.Work}
}
