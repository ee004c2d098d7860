package stats

import (
	"charm.land/bubbles/v2/key"

	"hotline/tui/keys"
)

// KeyMap is the keys of the two statistics screens, as the settings bind
// them (keys.Stats).
type KeyMap = keys.Stats

// DefaultKeyMap is the keys the screens start with.
func DefaultKeyMap() KeyMap { return keys.Default().Stats }

// typingKeys is the help of the dates' line.
type typingKeys struct{ KeyMap }

func (k typingKeys) ShortHelp() []key.Binding { return []key.Binding{k.Done, k.Cancel} }

func (k typingKeys) FullHelp() [][]key.Binding { return [][]key.Binding{{k.Done, k.Cancel}} }
