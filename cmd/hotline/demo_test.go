package main

import "testing"

// BenchmarkDemoStart is the wait before the demo's first screen: the
// platform made, seeded with the default 60 tickets, and started.
func BenchmarkDemoStart(b *testing.B) {
	for b.Loop() {
		p, err := startDemoPlatform(b.TempDir(), demoOptions{Tickets: 60, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		p.close()
	}
}
