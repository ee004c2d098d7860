package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"hotline/cmd/internal/cli"
	"hotline/complaint"
	"hotline/platform"
)

func cmdServe(args []string) error {
	fs, dir := newFlags("serve")
	plain := fs.String("plain", "", "also serve the API over plain TCP at IP:PORT, for site gateways (overrides the setting plain)")
	if err := cli.Flags(fs, args); err != nil {
		return err
	}
	s, err := loadSettings(*dir)
	if err != nil {
		return err
	}
	if *plain != "" {
		if err := checkPlain(*plain); err != nil {
			return usageError("--plain " + err.Error())
		}
		s.Plain = *plain
	}
	key, err := loadKey(*dir)
	if err != nil {
		return err
	}
	logPath := s.Log
	if logPath == "" {
		logPath = filepath.Join(*dir, "hotlined.log")
	}
	lf, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer lf.Close()
	log := slog.New(slog.NewTextHandler(lf, nil))
	db, err := openDB(*dir)
	if err != nil {
		return err
	}
	defer db.Close()
	cal, err := s.calendar(*dir)
	if err != nil {
		return err
	}
	for _, w := range cal.Warnings(time.Now()) {
		fmt.Fprintln(os.Stderr, "hotlined: calendar:", w)
		log.Warn("calendar", "warning", w)
	}
	files, err := platform.DiskFiles(*dir, s.maxFileSize)
	if err != nil {
		return err
	}
	senders, limits, err := loadChannels(*dir)
	if err != nil {
		return err
	}
	units, err := db.Units(context.Background())
	if err != nil {
		return err
	}
	for _, w := range channelUnits(senders, units, filepath.Join(*dir, channelsFile)) {
		fmt.Fprintln(os.Stderr, "hotlined: warning:", w)
		log.Warn("channels", "warning", w)
	}
	svc, err := platform.StartService(db, platform.ServiceConfig{
		Key: key, Network: s.network, ListenPort: s.ListenPort, MTU: s.MTU, APIPort: s.APIPort,
		Logger: log, Server: platform.Options{RequireTerminal: true, Files: files}, Plain: s.Plain,
		Senders: senders, Limits: limits,
	})
	if err != nil {
		return err
	}
	defer svc.Close()
	also := ""
	if a := svc.PlainAddr(); a != nil {
		also = fmt.Sprintf(" and on plain TCP at %s (site gateways: routed, not NATed)", a)
		log.Info("serving plain TCP", "address", a.String())
	}
	fmt.Printf("hotlined: serving http://%s:%d inside the tunnel%s; UDP port %d; public key %s; log %s\n",
		platform.Address(s.network), s.APIPort, also, svc.Device.ListenPort(), key.Public(), logPath)
	log.Info("serving", "address", platform.Address(s.network), "udp", svc.Device.ListenPort())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	fmt.Println("hotlined: stopping")
	return nil
}

func cmdImport(args []string) error {
	fs, dir := newFlags("import")
	var opts platform.ImportOptions
	fs.StringVar(&opts.Unit, "unit", "", "dispatch the tickets to this unit (code)")
	fs.StringVar(&opts.Encoding, "encoding", "auto", "CSV encoding: auto, utf-8 or gb18030")
	fs.BoolVar(&opts.SkipBad, "skip-bad", false, "import the good rows of a file that has bad ones")
	fs.BoolVar(&opts.Open, "open", false, "bring every row in as a new dispatch (待签收), ignoring the file's replies")
	files, err := cli.Parse(fs, args)
	if err != nil {
		return err
	}
	if opts.Unit == "" {
		return usageError("import needs --unit")
	}
	if len(files) == 0 {
		return usageError("import needs at least one file")
	}
	db, err := openDB(*dir)
	if err != nil {
		return err
	}
	defer db.Close()
	units, err := db.Units(context.Background())
	if err != nil {
		return err
	}
	i := slices.IndexFunc(units, func(u complaint.Unit) bool { return u.Code == opts.Unit })
	switch {
	case i < 0:
		return fmt.Errorf("unknown unit %q: see hotlined unit list", opts.Unit)
	case units[i].Kind != complaint.KindUnit:
		return fmt.Errorf("unit %q is a %s: the center dispatches tickets to first-level units (kind unit); see hotlined unit list", opts.Unit, units[i].Kind)
	}
	failed := 0
	for _, path := range files {
		sum, err := importFile(db, path, opts)
		for i, p := range sum.Problems {
			if i == 20 {
				fmt.Fprintf(os.Stderr, "  … and %d more\n", len(sum.Problems)-20)
				break
			}
			fmt.Fprintln(os.Stderr, "  "+p.Error())
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			failed++
			continue
		}
		format := strings.ToUpper(sum.Encoding)
		if format == "" {
			format = "XLSX"
		}
		fmt.Printf("%s (%s): %d rows, %d added, %d already on the platform (left as they are), %d bad rows skipped\n",
			path, format, sum.Rows, sum.Added, sum.Existing, sum.Bad)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d files not imported", failed, len(files))
	}
	return nil
}

// importFile imports one file, showing its progress on stderr; the line is
// gone before the command writes the outcome.
func importFile(db *platform.DB, path string, opts platform.ImportOptions) (platform.ImportSummary, error) {
	prog := cli.NewProgress(filepath.Base(path))
	defer prog.Close()
	opts.Progress, opts.Saving = prog.Step("rows read"), prog.Step("tickets saved")
	return db.Import(context.Background(), path, opts)
}
