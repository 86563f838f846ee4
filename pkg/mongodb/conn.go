package mongodb

// The connection to the MongoDB deployment named by MONGODB_URI (in tests,
// the FerretDB that mongotest starts); driver errors become apperr kinds in
// errors.go, at this one edge.

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Options says which store to open.
type Options struct {
	// URI of a MongoDB deployment; empty means the embedded store.
	URI string
	// DataDir holds the embedded store's SQLite files.
	DataDir string
	// DBName is the database to use.
	DBName string
	// EmbeddedAddr, when set, makes the embedded store listen on TCP there
	// too, so other server processes can share it.
	EmbeddedAddr string
	// Logger receives the embedded store's logs at warn level and above
	// (it reports every refused command at warn; see Open).
	Logger *slog.Logger
	// SelectTimeout bounds how long an operation waits for a reachable
	// server before failing as Unavailable (default 5s).
	SelectTimeout time.Duration
	// Embed, when URI is empty, starts a MongoDB-wire server in this
	// process and returns its URI and how to stop it (embedded.Start).
	Embed func(Options) (uri string, stop func(), err error)
}

// DB is an open connection to the database.
type DB struct {
	Client *mongo.Client
	DB     *mongo.Database
	// Kind is "embedded" or "mongodb", for logs.
	Kind string
	// Addr is where the embedded store listens for other processes, if it does.
	Addr string

	stopEmbedded func()
	// healthID names this process's document in the health collection.
	healthID string
}

// Open connects to the MongoDB deployment of o.URI, or, with no URI, to
// the MongoDB-wire server o.Embed starts (FerretDB in tests: see
// mongotest.Start, which the server binary does not link).
func Open(ctx context.Context, o Options) (*DB, error) {
	if o.SelectTimeout == 0 {
		o.SelectTimeout = 5 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	host, _ := os.Hostname()
	s := &DB{Kind: "mongodb", healthID: fmt.Sprintf("%s:%d:%s", host, os.Getpid(), record.NewID())}
	uri := o.URI
	if uri == "" {
		if o.Embed == nil {
			return nil, fmt.Errorf("no MongoDB to connect to: set MONGODB_URI")
		}
		var stop func()
		var err error
		if uri, stop, err = o.Embed(o); err != nil {
			return nil, err
		}
		s.Kind, s.Addr, s.stopEmbedded = "embedded", o.EmbeddedAddr, stop
	}
	co := options.Client().ApplyURI(uri).
		SetServerSelectionTimeout(o.SelectTimeout).
		SetConnectTimeout(o.SelectTimeout).
		SetAppName("rapport").
		SetRegistry(registry)
	client, err := mongo.Connect(co)
	if err != nil {
		s.Close(ctx)
		return nil, fmt.Errorf("connect to store: %w", err)
	}
	s.Client = client
	s.DB = client.Database(o.DBName)
	return s, nil
}

// Ping checks that the store answers; it returns Unavailable if not.
//
// A ping alone answers while the data cannot be read or written (a damaged
// file), so this writes one small document of this process's and reads it
// back: the store is ready when both work.
func (s *DB) Ping(ctx context.Context) error {
	if err := s.DB.RunCommand(ctx, map[string]int{"ping": 1}).Err(); err != nil {
		return translate(err, "store")
	}
	now := record.Time(time.Now())
	health := s.DB.Collection("health")
	// health._id: one document per process
	if _, err := health.ReplaceOne(ctx, bson.M{"_id": s.healthID}, bson.M{"_id": s.healthID, "at": now},
		options.Replace().SetUpsert(true)); err != nil {
		return translate(err, "store")
	}
	var got struct {
		At time.Time `bson:"at"`
	}
	if err := health.FindOne(ctx, bson.M{"_id": s.healthID}).Decode(&got); err != nil {
		return translate(err, "store")
	}
	if !got.At.Equal(now) {
		return apperr.E(apperr.Unavailable, "the store did not return what was just written to it")
	}
	return nil
}

// Close disconnects and, for the embedded store, stops it.
func (s *DB) Close(ctx context.Context) error {
	var err error
	if s.Client != nil {
		err = s.Client.Disconnect(ctx)
	}
	if s.stopEmbedded != nil {
		s.stopEmbedded()
		s.stopEmbedded = nil
	}
	return err
}
