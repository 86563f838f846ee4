package contacts

import (
	"context"
	"crypto/sha1"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/emersion/go-vcard"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapport-crm/rapport/pkg/store"
)

// ForEach calls fn for each of the user's contacts in name order, reading
// them through a cursor (not all at once).
func (s *Service) ForEach(ctx context.Context, userID string, fn func(*Contact) error) error {
	// contacts_user_name
	cur, err := s.contacts.Find(ctx, bson.M{"user_id": userID}, options.Find().
		SetSort(bson.D{{Key: "name_lower", Value: 1}, {Key: "_id", Value: 1}}).SetBatchSize(500))
	if err != nil {
		return store.Err(err, "contact")
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var c Contact
		if err := cur.Decode(&c); err != nil {
			return store.Err(err, "contact")
		}
		if err := fn(&c); err != nil {
			return err
		}
	}
	return store.Err(cur.Err(), "contact")
}

// VCardUID is a contact's stable vCard UID: a name-based UUID of its id.
func VCardUID(id string) string {
	h := sha1.Sum([]byte("rapport-contact:" + id))
	h[6] = h[6]&0x0f | 0x50 // version 5
	h[8] = h[8]&0x3f | 0x80 // RFC 4122 variant
	return fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// WriteVCard writes c as a vCard 4.0.
func WriteVCard(w io.Writer, c *Contact) error {
	card := vcard.Card{}
	card.SetValue(vcard.FieldVersion, "4.0")
	card.SetValue(vcard.FieldUID, VCardUID(c.ID))
	card.SetValue(vcard.FieldFormattedName, c.Name)
	given, family := c.Name, ""
	if i := strings.LastIndexByte(c.Name, ' '); i > 0 {
		given, family = c.Name[:i], c.Name[i+1:]
	}
	card.SetName(&vcard.Name{FamilyName: family, GivenName: given})
	for _, e := range c.Emails {
		card.AddValue(vcard.FieldEmail, e)
	}
	for _, p := range c.Phones {
		card.AddValue(vcard.FieldTelephone, p)
	}
	if c.Company != "" {
		card.SetValue(vcard.FieldOrganization, c.Company)
	}
	if c.Title != "" {
		card.SetValue(vcard.FieldTitle, c.Title)
	}
	if c.LinkedInURL != "" {
		card.SetValue(vcard.FieldURL, c.LinkedInURL)
	}
	if c.Notes != "" {
		card.SetValue(vcard.FieldNote, c.Notes)
	}
	if len(c.Tags) > 0 {
		card.SetCategories(c.Tags)
	}
	if c.CadenceDays > 0 {
		card.SetValue("X-RAPPORT-CADENCE-DAYS", strconv.Itoa(c.CadenceDays))
	}
	card.SetRevision(c.UpdatedAt)
	return vcard.NewEncoder(w).Encode(card)
}

// CSVHeader is the header of export.csv, which ReadCSV reads back.
var CSVHeader = []string{"name", "email", "company", "title", "phone", "tags", "notes", "linkedin_url", "cadence_days"}

// CSVRecord is c as a row of export.csv. Cells a spreadsheet would run as a
// formula get a leading quote (ReadCSV drops it again).
func CSVRecord(c *Contact) []string {
	cad := ""
	if c.CadenceDays > 0 {
		cad = strconv.Itoa(c.CadenceDays)
	}
	rec := []string{c.Name, strings.Join(c.Emails, "; "), c.Company, c.Title, strings.Join(c.Phones, "; "),
		strings.Join(c.Tags, "; "), c.Notes, c.LinkedInURL, cad}
	for i, v := range rec {
		if v != "" && strings.ContainsRune("=+-@", rune(v[0])) {
			rec[i] = "'" + v
		}
	}
	return rec
}

// WriteCSV writes the header and a row for each contact that fn yields.
func WriteCSV(w io.Writer, each func(func(*Contact) error) error) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	if err := each(func(c *Contact) error { return cw.Write(CSVRecord(c)) }); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}
