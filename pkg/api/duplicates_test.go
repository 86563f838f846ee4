package api_test

import (
	"fmt"
	"testing"
)

// TestDuplicates: contacts that may be one person, by folded name or by
// phone digits; one user's contacts only.
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
		{"name": "Ada"},
	} {
		s.MustCreateContact(t, tok, c)
	}
	s.MustCreateContact(t, eve, map[string]any{"name": "Jose Nunez"})
	r := s.Do(t, "GET", "/v1/contacts/duplicates", tok, nil)
	MustStatus(t, r, 200)
	var got []string
	for _, it := range r.JSON(t)["items"].([]any) {
		g := it.(map[string]any)
		var names []string
		for _, c := range g["contacts"].([]any) {
			names = append(names, c.(map[string]any)["name"].(string))
		}
		got = append(got, fmt.Sprintf("%s %s %v", g["reason"], g["key"], names))
	}
	if want := "[name jose nunez [jose  nunez José Núñez] phone 15550100000 [Bob Robert]]"; fmt.Sprint(got) != want {
		t.Fatalf("duplicates %v\nwant %s", got, want)
	}
	if n := len(s.Do(t, "GET", "/v1/contacts/duplicates", eve, nil).JSON(t)["items"].([]any)); n != 0 {
		t.Fatalf("Eve sees %d groups", n)
	}
}
