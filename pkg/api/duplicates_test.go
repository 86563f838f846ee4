package api_test

import (
	"fmt"
	"sort"
	"testing"
)

// TestDuplicates lists pairs of likely duplicates with their reason: the
// same folded name and company, the same phone digits, near-identical
// names; one user's only.
func TestDuplicates(t *testing.T) {
	s := MustServe(t, openSignup)
	_, tok := s.MustSignup(t, "ada@example.com")
	_, eve := s.MustSignup(t, "eve@example.com")
	for _, c := range []map[string]any{
		{"name": "José Núñez", "emails": []string{"jose@work.example"}},
		{"name": "jose  nunez"},
		{"name": "Bob", "phones": []string{"+1 (555) 010-0000"}},
		{"name": "Robert", "phones": []string{"15550100000"}},
		{"name": "Short", "phones": []string{"112"}},
		{"name": "Other", "phones": []string{"112"}},
		{"name": "Grace Hopper", "company": "Navy"},
		{"name": "Grace M. Hopper"},
		{"name": "Jon Smithson"},
		{"name": "John Smithson"},
		{"name": "Ann Lee", "company": "Acme"},
		{"name": "Ann Lee", "company": "Globex"},
		{"name": "Ada"},
		{"name": "Al"},
	} {
		s.MustCreateContact(t, tok, c)
	}
	s.MustCreateContact(t, eve, map[string]any{"name": "Jose Nunez"})
	r := s.Do(t, "GET", "/v1/contacts/duplicates", tok, nil)
	MustStatus(t, r, 200)
	var got []string
	for _, it := range r.JSON(t)["items"].([]any) {
		p := it.(map[string]any)
		var names []string
		for _, c := range p["contacts"].([]any) {
			names = append(names, c.(map[string]any)["name"].(string))
		}
		sort.Strings(names)
		got = append(got, fmt.Sprintf("%s %v", p["reason"], names))
	}
	want := "[same_name_company [José Núñez jose  nunez] same_phone [Bob Robert] similar_name [Ann Lee Ann Lee] " +
		"similar_name [Grace Hopper Grace M. Hopper] similar_name [John Smithson Jon Smithson]]"
	if fmt.Sprint(got) != want {
		t.Fatalf("duplicates %v\nwant %s", got, want)
	}
	if n := len(s.Do(t, "GET", "/v1/contacts/duplicates", eve, nil).JSON(t)["items"].([]any)); n != 0 {
		t.Fatalf("Eve sees %d pairs", n)
	}
}
