package tui

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"hotline/tui/components/progress"
)

// SyncProgressMsg tells how far a sync of several pages has got: the first
// of an empty cache, or one far behind. The store already holds the Done
// tickets, so the lists fill in as these come. The sync ends with a
// SyncedMsg, or a LinkMsg when it fails.
type SyncProgressMsg struct {
	Done  int
	Total int  // 0: the platform did not say
	First bool // the cache was empty when the sync began
	Start time.Time
	At    time.Time // of this report, by the link's clock
}

// syncState is the long sync the status bar shows, and the reload of the
// lists it asks for: one at a time, however fast the pages come.
type syncState struct {
	bar     progress.Model
	loading bool // a reload for the sync is under way
	stale   bool // pages came meanwhile: reload once more when it is done
}

// progressLoadedMsg is the lists read for a sync's progress.
type progressLoadedMsg struct{ msg tea.Msg }

// syncProgress takes a report of the sync, or the lists it had read.
func (m *Model) syncProgress(msg tea.Msg) tea.Cmd {
	s := &m.sync
	switch msg := msg.(type) {
	case SyncProgressMsg:
		s.bar.Label, s.bar.Noun = "正在同步", "工单"
		if msg.First {
			s.bar.Label = "首次同步"
		}
		s.bar.Report(msg.Start, msg.At, msg.Done, msg.Total)
		if s.loading {
			s.stale = true
			return nil
		}
		return tea.Batch(m.reloadForSync(), m.loadDue())
	case progressLoadedMsg:
		s.loading = false
		cmd := m.list.Update(msg.msg)
		if s.stale {
			s.stale = false
			cmd = tea.Batch(cmd, m.reloadForSync(), m.loadDue())
		}
		return cmd
	}
	return nil
}

func (m *Model) reloadForSync() tea.Cmd {
	m.sync.loading = true
	load := m.list.Load()
	return func() tea.Msg { return progressLoadedMsg{load()} }
}

// endSync stops showing the sync's progress: it ended, or failed.
func (s *syncState) endSync() { s.bar.Hide() }

// line is the sync's progress for the status bar; nil when there is none.
func (s *syncState) line() *progress.Line {
	if !s.bar.Shown() {
		return nil
	}
	l := s.bar.Line()
	return &l
}
