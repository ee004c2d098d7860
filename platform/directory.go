package platform

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"

	"hotline/api"
	"hotline/complaint"
)

// directory returns u's unit tree: everything for the center's people; else
// the center, u's first-level unit (the parent, for people of a sub-unit)
// and its sub-units. The center is in it so that a unit's history can name
// the center's people who acted on its tickets. Each unit comes with its people, parents before sub-units,
// siblings by code.
func (db *DB) directory(ctx context.Context, u complaint.User) (api.Directory, error) {
	var out api.Directory
	err := db.read(ctx, func(tx *sql.Tx) error {
		all, err := listUnits(ctx, tx)
		if err != nil {
			return err
		}
		byCode := map[string]complaint.Unit{}
		for _, un := range all {
			byCode[un.Code] = un
		}
		own, ok := byCode[u.Unit]
		if !ok {
			return fmt.Errorf("directory of %s: %w unit %q", u.Login, ErrUnknown, u.Unit)
		}
		everything := u.Has(complaint.RoleCenter) || own.Kind == complaint.KindCenter
		root := own.Code
		if own.Kind == complaint.KindSubunit {
			root = own.Parent
		}
		in := func(un complaint.Unit) bool {
			return everything || un.Code == root || un.Parent == root || un.Kind == complaint.KindCenter
		}

		children := map[string][]complaint.Unit{}
		var roots []complaint.Unit
		for _, un := range all { // by code
			if !in(un) {
				continue
			}
			if p, ok := byCode[un.Parent]; ok && in(p) {
				children[un.Parent] = append(children[un.Parent], un)
			} else {
				roots = append(roots, un)
			}
		}
		index := map[string]int{}
		var walk func(complaint.Unit)
		walk = func(un complaint.Unit) {
			index[un.Code] = len(out.Units)
			out.Units = append(out.Units, api.DirectoryUnit{Unit: un, Users: []complaint.User{}})
			for _, c := range children[un.Code] {
				walk(c)
			}
		}
		for _, r := range roots {
			walk(r)
		}

		rows, err := tx.QueryContext(ctx, `SELECT `+userCols+` FROM users ORDER BY login`)
		if err != nil {
			return fmt.Errorf("directory: users: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			p, err := scanUser(rows)
			if err != nil {
				return fmt.Errorf("directory: users: %w", err)
			}
			if i, ok := index[p.Unit]; ok {
				out.Units[i].Users = append(out.Units[i].Users, p)
			}
		}
		return rows.Err()
	})
	if err != nil {
		return api.Directory{}, err
	}
	return out, nil
}

func (s *Server) units(w http.ResponseWriter, r *http.Request, c *caller) error {
	d, err := s.db.directory(r.Context(), c.user)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}
