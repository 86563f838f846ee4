package events

import (
	"encoding/json"
	"strconv"

	"github.com/rapport-crm/rapport/pkg/input"
)

// Why you go (PRODUCT.md §11): what you mean to do at an event, whom you
// want to meet there, and the series it belongs to.

// Intentions are why you go to an event: whom to meet, what to learn,
// what to give — short texts.
type Intentions struct {
	Meet  []string `json:"meet"`
	Learn []string `json:"learn"`
	Give  []string `json:"give"`
}

// MarshalJSON writes absent lists as [] (records stored before intentions
// existed have none).
func (in Intentions) MarshalJSON() ([]byte, error) {
	type plain Intentions
	return json.Marshal(plain{Meet: orEmpty(in.Meet), Learn: orEmpty(in.Learn), Give: orEmpty(in.Give)})
}

// Empty reports whether nothing is intended.
func (in Intentions) Empty() bool { return len(in.Meet)+len(in.Learn)+len(in.Give) == 0 }

// Target is someone to meet at an event: one of the user's contacts, one
// of their companies (anyone from there), or a name not yet a contact.
type Target struct {
	ContactID string `json:"contact_id,omitempty"`
	CompanyID string `json:"company_id,omitempty"`
	Name      string `json:"name,omitempty"`
}

// Targets are an event's targets; absent is written as [].
type Targets []Target

// MarshalJSON writes absent targets as [].
func (t Targets) MarshalJSON() ([]byte, error) {
	if t == nil {
		return []byte("[]"), nil
	}
	return json.Marshal([]Target(t))
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// checkWhy checks the intentions, targets and series of in into e.
func checkWhy(c *input.Checker, in Input, e *Event) {
	list := func(field string, items []string) []string {
		if len(items) > input.MaxListLen {
			c.Add(field, "has %d entries; at most %d", len(items), input.MaxListLen)
			return []string{}
		}
		out := make([]string, 0, len(items))
		for i, s := range items {
			if v := c.Text(field+"["+strconv.Itoa(i)+"]", s, input.MaxShort); v != "" {
				out = append(out, v)
			}
		}
		return out
	}
	e.Intentions = Intentions{Meet: list("intentions.meet", in.Intentions.Meet), Learn: list("intentions.learn", in.Intentions.Learn),
		Give: list("intentions.give", in.Intentions.Give)}
	if len(in.Targets) > input.MaxListLen {
		c.Add("targets", "has %d entries; at most %d", len(in.Targets), input.MaxListLen)
	}
	e.Targets = Targets{}
	for i, t := range in.Targets {
		if i >= input.MaxListLen {
			break
		}
		f := "targets[" + strconv.Itoa(i) + "]"
		n := 0
		for _, v := range []string{t.ContactID, t.CompanyID, t.Name} {
			if v != "" {
				n++
			}
		}
		if n != 1 {
			c.Add(f, "give one of contact_id, company_id or name")
			continue
		}
		e.Targets = append(e.Targets, Target{ContactID: t.ContactID, CompanyID: t.CompanyID, Name: c.Text(f+".name", t.Name, input.MaxName)})
	}
	e.Series = c.Text("series", in.Series, input.MaxShort)
}

// MetPerson is someone met at an event, as target matching sees them:
// Company is the name of their company.
type MetPerson struct {
	ContactID, CompanyID, Name, Company string
}

// MatchTargets splits an event's targets into those met there and those
// missed: a contact target is met when that contact was; a company target
// when anyone from that company was; a name when someone of that name, or
// someone from a company of that name, was (case and accents aside: a
// name target is whom or which company the user wanted to meet, written
// before either was in the CRM).
func MatchTargets(targets []Target, met []MetPerson) (hit, missed []Target) {
	contacts, companies, names := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, m := range met {
		contacts[m.ContactID] = true
		if m.CompanyID != "" {
			companies[m.CompanyID] = true
		}
		names[FoldName(m.Name)] = true
		if m.Company != "" {
			names[FoldName(m.Company)] = true
		}
	}
	hit, missed = []Target{}, []Target{}
	for _, t := range targets {
		ok := (t.ContactID != "" && contacts[t.ContactID]) || (t.CompanyID != "" && companies[t.CompanyID]) ||
			(t.Name != "" && names[FoldName(t.Name)])
		if ok {
			hit = append(hit, t)
		} else {
			missed = append(missed, t)
		}
	}
	return hit, missed
}
