package print

import (
	"context"
	"fmt"
	"os"
	"time"
)

// Station is a terminal's printing: the CUPS server it prints through and
// the folder where a PDF is saved to be opened where no CUPS answers.
type Station struct {
	CUPS *Client
	Dir  string        // made (0700) on first use: the sheets hold citizens' details
	Poll time.Duration // how often a job's state is asked for; 0: every 500 ms
}

// Printers lists the server's print queues.
func (s Station) Printers(ctx context.Context) ([]Printer, error) {
	return s.CUPS.Printers(ctx)
}

// Print sends the job to printer ("" for the server's default) and follows
// it to its end, telling seen of each new state.
func (s Station) Print(ctx context.Context, printer string, job Job, seen func(JobStatus)) (JobStatus, error) {
	id, err := s.CUPS.Print(ctx, printer, job)
	if err != nil {
		return JobStatus{}, err
	}
	poll := s.Poll
	if poll <= 0 {
		poll = 500 * time.Millisecond
	}
	return s.CUPS.Wait(ctx, id, poll, seen)
}

// Show saves the PDF in the station's folder and opens it in the system's
// viewer (see Show).
func (s Station) Show(pdf []byte, name string) (string, error) {
	if s.Dir != "" {
		if err := os.MkdirAll(s.Dir, 0o700); err != nil {
			return "", err
		}
	}
	return Show(pdf, s.Dir, name)
}

// JobName is what a job of these tickets' sheets, and its PDF, are called:
// "记录单-2549", "记录单-2549等3张", or for a batch chosen by a rule on a
// day "记录单-今日办结-20261204-3张". The screen and `hotline print` name
// them alike, so a saved file is found by the same name.
func JobName(numbers []string, batch string, day time.Time) string {
	n := len(numbers)
	first := ""
	if n > 0 {
		first = Clean(numbers[0])
	}
	switch {
	case batch != "":
		return fmt.Sprintf("记录单-%s-%s-%d张", batch, day.Format("20060102"), n)
	case n == 1:
		return "记录单-" + first
	}
	return fmt.Sprintf("记录单-%s等%d张", first, n)
}
