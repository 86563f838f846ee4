package mongodb

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapport-crm/rapport/pkg/record"
)

// allOf joins filters, skipping nil ones.
func allOf(filters ...bson.M) bson.M {
	var parts bson.A
	for _, f := range filters {
		if f != nil {
			parts = append(parts, f)
		}
	}
	switch len(parts) {
	case 0:
		return bson.M{}
	case 1:
		return parts[0].(bson.M)
	}
	return bson.M{"$and": parts}
}

// pageQuery says how to read one page: the filter, the field the list is
// sorted by (then _id), the direction, the size and where the last page ended.
type pageQuery struct {
	Filter     bson.M
	SortField  string
	Descending bool
	Limit      int
	Cursor     *record.Cursor
}

// findPage reads one page of coll. keyOf returns the cursor of an item
// (its sort value and id). what names the items in errors.
func findPage[T any](ctx context.Context, coll *mongo.Collection, q pageQuery, keyOf func(*T) record.Cursor, what string) (*record.Page[T], error) {
	limit := record.PageSize(q.Limit)
	dir, op := 1, "$gt"
	if q.Descending {
		dir, op = -1, "$lt"
	}
	var after bson.M
	if c := q.Cursor; c != nil {
		var v any
		switch {
		case c.T != nil:
			v = *c.T
		case c.S != nil:
			v = *c.S
		}
		after = bson.M{"$or": bson.A{
			bson.M{q.SortField: bson.M{op: v}},
			bson.M{q.SortField: v, "_id": bson.M{op: c.ID}},
		}}
	}
	cur, err := coll.Find(ctx, allOf(q.Filter, after), options.Find().
		SetSort(bson.D{{Key: q.SortField, Value: dir}, {Key: "_id", Value: dir}}).SetLimit(int64(limit+1)))
	if err != nil {
		return nil, translate(err, what)
	}
	items := []T{}
	if err := cur.All(ctx, &items); err != nil {
		return nil, translate(err, what)
	}
	page := &record.Page[T]{Items: items}
	if len(items) > limit {
		page.Items = items[:limit]
		page.NextCursor = keyOf(&page.Items[limit-1]).Encode()
	}
	return page, nil
}
