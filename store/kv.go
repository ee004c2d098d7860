package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Keys of the key-value state that more than one package reads.
const (
	KeySession  = "session"   // the logged-in user and unit, as JSON
	KeyLastSync = "sync.last" // when the last feed round succeeded, RFC 3339 UTC
)

// Get returns the value stored under key, or "" when there is none.
func (s *Store) Get(ctx context.Context, key string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM kv WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: get %s: %w", key, err)
	}
	return v, nil
}

// Set stores value under key, replacing any earlier value.
func (s *Store) Set(ctx context.Context, key, value string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO kv (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	if err != nil {
		return fmt.Errorf("store: set %s: %w", key, err)
	}
	return nil
}

// SaveDraft keeps the text being typed into one field of one ticket's form,
// so that a crash or a closed terminal loses nothing.
func (s *Store) SaveDraft(ctx context.Context, ticket, field, text string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO drafts (ticket, field, text, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (ticket, field) DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at`,
		ticket, field, text, dbTime(s.now()))
	if err != nil {
		return fmt.Errorf("store: save draft %s/%s: %w", ticket, field, err)
	}
	return nil
}

// Draft returns the saved text of a field, or "" when there is none.
func (s *Store) Draft(ctx context.Context, ticket, field string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT text FROM drafts WHERE ticket = ? AND field = ?`, ticket, field).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: draft %s/%s: %w", ticket, field, err)
	}
	return v, nil
}

// DeleteDraft forgets a field's draft, once its text is in the outbox.
func (s *Store) DeleteDraft(ctx context.Context, ticket, field string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM drafts WHERE ticket = ? AND field = ?`, ticket, field); err != nil {
		return fmt.Errorf("store: delete draft %s/%s: %w", ticket, field, err)
	}
	return nil
}
