package api

import (
	"context"
	"net/http"

	"hotline/complaint"
)

// PathUnits answers the caller's unit tree (GET): see Directory.
const PathUnits = "/api/v1/units"

// Directory is the caller's unit tree: for people of a unit or one of its
// sub-units, that unit and all its sub-units; for the center, every unit.
// Parents come before their sub-units. Assign forms take their sub-units and
// handlers from it, and the directory screen its names and phones.
type Directory struct {
	Units []DirectoryUnit `json:"units"`
}

// DirectoryUnit is one unit with its people, by login.
type DirectoryUnit struct {
	complaint.Unit
	Users []complaint.User `json:"users"`
}

// Units fetches the caller's unit tree.
func (c *Client) Units(ctx context.Context) (Directory, error) {
	var d Directory
	err := c.call(ctx, http.MethodGet, PathUnits, nil, &d)
	return d, err
}
