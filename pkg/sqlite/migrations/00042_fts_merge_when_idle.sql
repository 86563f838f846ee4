-- The full-text indexes no longer merge their segments inside the write
-- that adds one (FTS5's automerge, 4 by default): the committer merges
-- them once writes pause (pkg/sqlite/upkeep.go), so an import's chunks do
-- not each wait for merges the next chunk redoes. FTS5's crisis merge (16
-- segments on a level) still bounds what a long burst of writes leaves.

-- +goose Up
INSERT INTO contacts_fts(contacts_fts, rank) VALUES ('automerge', 0);
INSERT INTO search(search, rank) VALUES ('automerge', 0);

-- +goose Down
INSERT INTO contacts_fts(contacts_fts, rank) VALUES ('automerge', 4);
INSERT INTO search(search, rank) VALUES ('automerge', 4);
