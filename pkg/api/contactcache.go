package api

import (
	"context"
	"sort"
	"strings"
	"sync"

	"golang.org/x/sync/singleflight"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/store"
)

// contactCache keeps each user's contacts, sorted by name, under the
// user's contacts stamp (a nonce the store changes after every contact
// write, in any process). On the embedded store a list query decodes every
// contact document, so without it a page of 50 out of 5,000 contacts costs
// hundreds of milliseconds; with it, one small read. It holds at most
// contactCacheMax contacts in all and drops whole users to stay under.
type contactCache struct {
	mu    sync.Mutex
	users map[string]*contactList
	total int
	loads singleflight.Group
}

type contactList struct {
	nonce string
	items []contacts.Contact
}

const contactCacheMax = 250_000

// list returns the user's contacts, sorted by (name_lower, _id), as of nonce.
func (cc *contactCache) list(ctx context.Context, svc *contacts.Service, userID, nonce string) ([]contacts.Contact, error) {
	cc.mu.Lock()
	if l := cc.users[userID]; l != nil && l.nonce == nonce && nonce != "" {
		cc.mu.Unlock()
		return l.items, nil
	}
	cc.mu.Unlock()
	v, err, _ := cc.loads.Do(userID+"|"+nonce, func() (any, error) {
		var items []contacts.Contact
		err := svc.ForEach(ctx, userID, func(c *contacts.Contact) error {
			x := *c
			contacts.SetQueryFields(&x) // the cache filters on them; stores need not return them
			items = append(items, x)
			return nil
		})
		if err != nil {
			return nil, err
		}
		sort.Slice(items, func(i, j int) bool {
			if items[i].NameLower != items[j].NameLower {
				return items[i].NameLower < items[j].NameLower
			}
			return items[i].ID < items[j].ID
		})
		cc.put(userID, nonce, items)
		return items, nil
	})
	if err != nil {
		return nil, err
	}
	return v.([]contacts.Contact), nil
}

func (cc *contactCache) put(userID, nonce string, items []contacts.Contact) {
	if nonce == "" || len(items) > contactCacheMax {
		return // unstamped or too large to keep: read from the store each time
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.users == nil {
		cc.users = map[string]*contactList{}
	}
	if old := cc.users[userID]; old != nil {
		cc.total -= len(old.items)
	}
	for id, l := range cc.users {
		if cc.total+len(items) <= contactCacheMax {
			break
		}
		cc.total -= len(l.items)
		delete(cc.users, id)
	}
	cc.users[userID] = &contactList{nonce: nonce, items: items}
	cc.total += len(items)
}

// page filters a sorted list as contacts.Service.List does and cuts a page.
func pageOf(all []contacts.Contact, f contacts.Filter) *store.Page[contacts.Contact] {
	q := strings.ToLower(strings.TrimSpace(f.Q))
	tag := strings.ToLower(strings.TrimSpace(f.Tag))
	limit := f.Limit
	if limit <= 0 {
		limit = store.DefaultLimit
	}
	start := 0
	if c := f.Cursor; c != nil && c.S != nil {
		start = sort.Search(len(all), func(i int) bool {
			return all[i].NameLower > *c.S || all[i].NameLower == *c.S && all[i].ID > c.ID
		})
	}
	page := &store.Page[contacts.Contact]{Items: []contacts.Contact{}}
	for i := start; i < len(all); i++ {
		c := &all[i]
		if q != "" && !strings.Contains(c.Search, q) {
			continue
		}
		if tag != "" && !contains(c.TagsLower, tag) {
			continue
		}
		if len(page.Items) == limit {
			last := page.Items[limit-1]
			name := last.NameLower
			page.NextCursor = store.Cursor{S: &name, ID: last.ID}.Encode()
			break
		}
		page.Items = append(page.Items, *c)
	}
	return page
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
