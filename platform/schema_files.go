package platform

// schemaV3 holds attachments: the files the platform keeps, once per
// SHA-256 (the contents are in Files.Blobs), and each ticket's attachments
// as JSON, read whole with the ticket like its other records.
const schemaV3 = `
CREATE TABLE files (
	sha256     TEXT PRIMARY KEY,
	size       INTEGER NOT NULL,
	type       TEXT NOT NULL,
	duration   INTEGER NOT NULL DEFAULT 0, -- nanoseconds, audio only
	created_by TEXT NOT NULL,
	created_at TEXT NOT NULL
) STRICT;

ALTER TABLE tickets ADD COLUMN attachments TEXT; -- []complaint.Attachment as JSON, NULL when none
`
