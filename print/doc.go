// Package print makes the A4 record sheet (市民投诉电话记录单) of tickets and
// prints it. It owns the sheet's layout, its two renderings, the font, the
// line breaker and the talk with CUPS; it knows nothing of the store, the
// screens or the settings file, whose values its callers pass in.
//
// One model, two renderings:
//
//	s := print.NewSheet(ticket, print.Names{Unit: unitName, Person: personName})
//	lines := print.Preview(s, width) // for the terminal: every line exactly width cells
//	font, err := print.FindFont(settings.Font)
//	out, err := print.PDF(font, s)   // out.PDF, out.Pages, out.Missing
//
// PDF takes several sheets for a batch: one document, each sheet starting
// on a new page, sent as one job. A row too long for its page goes on at
// the top of the next, its label marked （续）; every page is numbered
// within its sheet. Text is vector text in the font's embedded subset, and
// can be searched and copied. A character the font lacks is drawn from a
// fallback font when one has it (Font.WithFallback); characters none has
// are printed as □ and listed in Output.Missing for the caller to show;
// they are never left out silently.
//
// Wrap is the line breaker both renderings use: Unicode line breaking (UAX
// #14), so that no line starts with closing punctuation such as ，。、）》”
// and none ends with opening punctuation, with widths from the font's
// glyph advances for the PDF and from terminal cells for the preview. Clean
// removes escape sequences and control characters from ticket text before
// either lays it out.
//
// FindFont looks for a font once and keeps it: the file from the settings,
// else a system font with TrueType outlines and the characters a sheet
// needs (WenQuanYi Micro Hei first on Debian, UOS and Kylin; SimSun on
// Windows). The first font of a .ttc collection is taken out and used as a
// font of its own. The setting may list fallback fonts after the main one,
// separated by commas. With no font the error wraps ErrNoFont and says what
// to install.
//
// Printing goes to CUPS over IPP:
//
//	c := print.NewClient(settings.CUPS) // "" = $CUPS_SERVER, the local socket, localhost:631
//	printers, err := c.Printers(ctx)    // the default one marked
//	id, err := c.Print(ctx, "", print.Job{Name: number, PDF: out.PDF, Copies: 1})
//	st, err := c.Wait(ctx, id, time.Second, func(st print.JobStatus) { /* st.State.Label() */ })
//
// Where no CUPS answers the client's errors wrap ErrUnreachable; Show then
// saves the PDF and opens it in the system's viewer (xdg-open, open, or
// rundll32 on Windows) to print from there.
package print
