package codec

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/emersion/go-vcard"
	"github.com/rapport-crm/rapport/pkg/contacts"
)

// A CSV that Google Contacts or Outlook exports holds more of a card than
// Rapport's fields: phones' and emails' labels, addresses, a birthday, a
// nickname, websites, a department. ReadCSV reads those into the row's
// CardExtra, as a vCard import keeps them: the row is written as the card
// it stands for (rowCard) and CardExtra takes from it what is not a field.

// cardColumn is a header column that goes into the card: the property,
// which one of several (Google's number, or the Outlook column's kind),
// and what of it the column holds.
type cardColumn struct {
	prop, slot, part string
	types            []string // Outlook's phone and address columns say which they are
}

// outlookColumns are the named columns that go into the card: Outlook's,
// and Google's own Birthday, Nickname and Organization Department.
var outlookColumns = map[string]cardColumn{
	"mobile phone":            {vcard.FieldTelephone, "mobile", "value", []string{"CELL"}},
	"business phone":          {vcard.FieldTelephone, "business", "value", []string{"WORK"}},
	"business phone 2":        {vcard.FieldTelephone, "business2", "value", []string{"WORK"}},
	"company main phone":      {vcard.FieldTelephone, "main", "value", []string{"WORK"}},
	"home phone":              {vcard.FieldTelephone, "home", "value", []string{"HOME"}},
	"home phone 2":            {vcard.FieldTelephone, "home2", "value", []string{"HOME"}},
	"car phone":               {vcard.FieldTelephone, "car", "value", []string{"CAR"}},
	"business street":         {vcard.FieldAddress, "business", "street", []string{"WORK"}},
	"business city":           {vcard.FieldAddress, "business", "city", []string{"WORK"}},
	"business state":          {vcard.FieldAddress, "business", "region", []string{"WORK"}},
	"business postal code":    {vcard.FieldAddress, "business", "postal code", []string{"WORK"}},
	"business country/region": {vcard.FieldAddress, "business", "country", []string{"WORK"}},
	"home street":             {vcard.FieldAddress, "home", "street", []string{"HOME"}},
	"home city":               {vcard.FieldAddress, "home", "city", []string{"HOME"}},
	"home state":              {vcard.FieldAddress, "home", "region", []string{"HOME"}},
	"home postal code":        {vcard.FieldAddress, "home", "postal code", []string{"HOME"}},
	"home country/region":     {vcard.FieldAddress, "home", "country", []string{"HOME"}},
	"department":              {vcard.FieldOrganization, "1", "department", nil},
	"organization department": {vcard.FieldOrganization, "1", "department", nil},
	"birthday":                {vcard.FieldBirthday, "1", "value", nil},
	"nickname":                {vcard.FieldNickname, "1", "value", nil},
	"web page":                {vcard.FieldURL, "web", "value", nil},
	"personal web page":       {vcard.FieldURL, "personal", "value", nil},
}

// googleProps are the properties of Google's numbered columns ("Phone 1 -
// Label", "Address 2 - City").
var googleProps = map[string]string{"phone": vcard.FieldTelephone, "e-mail": vcard.FieldEmail, "address": vcard.FieldAddress,
	"website": vcard.FieldURL, "organization": vcard.FieldOrganization}

// cardColumnOf is the card property a header cell (lower-cased) names, if
// any.
func cardColumnOf(h string) (cardColumn, bool) {
	if c, ok := outlookColumns[h]; ok {
		return c, true
	}
	what, rest, ok := strings.Cut(h, " ")
	n, part, ok2 := strings.Cut(rest, " - ")
	if prop := googleProps[what]; ok && ok2 && prop != "" && n != "" && strings.Trim(n, "0123456789") == "" {
		return cardColumn{prop: prop, slot: n, part: part}, true
	}
	return cardColumn{}, false
}

// cardPlan is, by column, what of the card each column holds.
type cardPlan map[int]cardColumn

// cardPlanOf is the plan of a header row (nil when no column goes into a
// card).
func cardPlanOf(header []string) cardPlan {
	plan := cardPlan{}
	for i, h := range header {
		if c, ok := cardColumnOf(HeaderName(h)); ok {
			plan[i] = c
		}
	}
	if len(plan) == 0 {
		return nil
	}
	return plan
}

// isoDate is a birthday a card can hold: 1906-12-09, or --12-09 without
// a year (Outlook writes its locale's dates, and 0/0/00 for none).
var isoDate = regexp.MustCompile(`^(\d{4}|-)-\d{2}-\d{2}$`)

// adrParts are an ADR's seven parts by the name Google's columns give them.
var adrParts = map[string]int{"po box": 0, "extended address": 1, "street": 2, "city": 3, "region": 4, "postal code": 5, "country": 6}

// rowCard is the card a row stands for, as far as plan reads it, with
// in's name: what CardExtra then keeps of it.
func rowCard(rec []string, plan cardPlan, in contacts.Input) vcard.Card {
	type slot struct {
		values []string
		label  string
		types  []string
		adr    [7]string
		dept   string
	}
	slots := map[string]*slot{} // prop + " " + slot
	var order []string
	for i, c := range plan {
		if i >= len(rec) {
			continue
		}
		v := strings.TrimSpace(unformula(rec[i]))
		if v == "" {
			continue
		}
		key := c.prop + " " + c.slot
		s := slots[key]
		if s == nil {
			s = &slot{types: c.types}
			slots[key] = s
			order = append(order, key)
		}
		switch c.part {
		case "value":
			s.values = []string{v} // a birthday, a nickname, a website: one value
			if c.prop == vcard.FieldTelephone || c.prop == vcard.FieldEmail {
				s.values = splitList(v) // Google's " ::: " lists
			}
		case "label", "type":
			s.label = v
		case "department":
			s.dept = v
		default:
			if j, ok := adrParts[c.part]; ok {
				s.adr[j] = v
			}
		}
	}
	card := vcard.Card{}
	card.SetValue(vcard.FieldVersion, extraVersion)
	card.SetValue(vcard.FieldFormattedName, in.Name)
	group := 0
	slices.Sort(order) // the same card for the same row
	for _, key := range order {
		s := slots[key]
		prop, _, _ := strings.Cut(key, " ")
		types, custom := s.types, ""
		if s.label != "" {
			types, custom = labelTypes(s.label)
		}
		field := func(value string) *vcard.Field {
			f := &vcard.Field{Value: value, Params: vcard.Params{}}
			if len(types) > 0 {
				f.Params[vcard.ParamType] = types
			}
			if custom != "" {
				group++
				f.Group = "item" + strconv.Itoa(group)
				card.Add("X-ABLABEL", &vcard.Field{Value: custom, Group: f.Group})
			}
			return f
		}
		switch prop {
		case vcard.FieldAddress:
			if s.adr != [7]string{} {
				card.Add(prop, field(vcard.JoinValue(s.adr[:], ';')))
			}
		case vcard.FieldOrganization:
			if s.dept != "" && in.Company != "" {
				card.Add(prop, &vcard.Field{Value: vcard.JoinValue([]string{in.Company, s.dept}, ';')})
			}
		case vcard.FieldBirthday:
			if len(s.values) == 1 && isoDate.MatchString(s.values[0]) {
				card.Add(prop, &vcard.Field{Value: s.values[0]})
			}
		default:
			for _, v := range s.values {
				card.Add(prop, field(v))
			}
		}
	}
	return card
}

// labelTypes is Google's label of a phone, an email, an address or a
// website as TYPE parameters ("Mobile" is CELL; "* Work", the primary
// one, WORK and pref), or, for a label of the user's own, that label (an
// app's label, item1.X-ABLabel, as iOS writes one).
func labelTypes(label string) (types []string, custom string) {
	label = strings.TrimSpace(label)
	if l, ok := strings.CutPrefix(label, "* "); ok {
		label, types = strings.TrimSpace(l), []string{"pref"}
	}
	known := map[string][]string{"mobile": {"CELL"}, "work": {"WORK"}, "home": {"HOME"}, "main": {"MAIN"}, "other": {"OTHER"},
		"home fax": {"HOME", "FAX"}, "work fax": {"WORK", "FAX"}, "pager": {"PAGER"}, "profile": nil, "blog": nil, "homepage": nil}
	t, ok := known[strings.ToLower(label)]
	if !ok {
		return types, label
	}
	return append(t, types...), ""
}
