package crm

import (
	"context"
	"sort"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/calendar"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/store"
)

// Feed kinds, as in the feed URLs.
const (
	FeedEvents    = "events"
	FeedFollowups = "followups"
	FeedAll       = "all"
)

// cancelledKept is how long a cancelled event stays in feeds, so that
// subscribed calendars see it cancelled rather than silently gone.
const cancelledKept = 30 * 24 * time.Hour

var feedNames = map[string]string{FeedEvents: "Rapport: events", FeedFollowups: "Rapport: follow-ups", FeedAll: "Rapport"}

// Feed builds the user's calendar of the given kind and returns it with its
// last change, the latest updated_at of anything in or just removed from it.
func (s *Service) Feed(ctx context.Context, u *accounts.User, kind, baseURL string) (calendar.Calendar, time.Time, error) {
	cal := calendar.Calendar{Name: feedNames[kind], Refresh: time.Hour}
	last := u.CreatedAt
	stamp, err := s.feedStamp(ctx, u.ID)
	if err != nil {
		return cal, last, err
	}
	if stamp.After(last) {
		last = stamp
	}
	now := s.Now()
	if kind == FeedEvents || kind == FeedAll {
		evs, err := s.Events.All(ctx, u.ID)
		if err != nil {
			return cal, last, err
		}
		for i := range evs {
			e := &evs[i]
			if e.UpdatedAt.After(last) {
				last = e.UpdatedAt
			}
			if e.Status == "cancelled" && now.Sub(e.UpdatedAt) > cancelledKept {
				continue
			}
			cal.Events = append(cal.Events, followup.EventEntry(e, baseURL))
		}
	}
	if kind == FeedFollowups || kind == FeedAll {
		fs, err := s.Followups.AllOf(ctx, u.ID)
		if err != nil {
			return cal, last, err
		}
		var pending []followup.FollowUp
		ids := make([]string, 0, len(fs))
		for _, f := range fs {
			if f.UpdatedAt.After(last) {
				last = f.UpdatedAt
			}
			if f.Status == followup.Pending {
				pending = append(pending, f)
				ids = append(ids, f.ContactID)
			}
		}
		cs, err := s.Contacts.GetMany(ctx, u.ID, ids)
		if err != nil {
			return cal, last, err
		}
		sort.Slice(pending, func(i, j int) bool {
			if !pending[i].DueAt.Equal(pending[j].DueAt) {
				return pending[i].DueAt.Before(pending[j].DueAt)
			}
			return pending[i].ID < pending[j].ID
		})
		for i := range pending {
			if c := cs[pending[i].ContactID]; c != nil {
				if c.UpdatedAt.After(last) {
					last = c.UpdatedAt // the contact's name is in the entry
				}
				cal.Events = append(cal.Events, followup.FollowUpEntry(&pending[i], c.Name, baseURL))
			}
		}
	}
	return cal, last, nil
}

type feedStampDoc struct {
	UserID string    `bson:"_id"`
	At     time.Time `bson:"at"`
}

// touchFeed records that something left the user's feeds by deletion, so
// their Last-Modified moves forward although no remaining item changed.
func (s *Service) touchFeed(ctx context.Context, userID string) error {
	// feed_stamps._id
	_, err := s.stamps.UpdateOne(ctx, bson.M{"_id": userID}, bson.M{"$max": bson.M{"at": store.Time(s.Now())}},
		options.UpdateOne().SetUpsert(true))
	return store.Err(err, "feed stamp")
}

func (s *Service) feedStamp(ctx context.Context, userID string) (time.Time, error) {
	var d feedStampDoc
	// feed_stamps._id
	err := s.stamps.FindOne(ctx, bson.M{"_id": userID}).Decode(&d)
	if err != nil {
		if err = store.Err(err, "feed stamp"); err != nil && !isNotFound(err) {
			return time.Time{}, err
		}
	}
	return d.At, nil
}
