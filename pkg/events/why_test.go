package events

import (
	"fmt"
	"testing"
)

func TestMatchTargets(t *testing.T) {
	met := []MetPerson{{ContactID: "c1", Name: "Jane Doe"}, {ContactID: "c2", CompanyID: "acme", Name: "Bob", Company: "Acme"},
		{ContactID: "c3", Name: "José  Núñez", Company: "Globex Café"}}
	hit, missed := MatchTargets([]Target{
		{ContactID: "c1"}, {ContactID: "c9"}, {CompanyID: "acme"}, {CompanyID: "initech"}, {Name: "jose nunez"}, {Name: "Rob Pike"},
		{Name: "globex cafe"}, {Name: "Initech"},
	}, met)
	// A name target is a person's or a company's: Globex Café's was met.
	if fmt.Sprint(hit) != "[{c1  } { acme } {  jose nunez} {  globex cafe}]" || fmt.Sprint(missed) != "[{c9  } { initech } {  Rob Pike} {  Initech}]" {
		t.Fatalf("hit %v missed %v", hit, missed)
	}
	if hit, missed := MatchTargets(nil, met); hit == nil || missed == nil || len(hit)+len(missed) != 0 {
		t.Fatal("no targets: empty lists")
	}
}
