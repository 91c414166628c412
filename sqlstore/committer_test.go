package sqlstore

import (
	"testing"
	"time"
)

// TestGather: a lone report goes at once; under load the batch waits for
// the target, and no longer than the wait; a closed queue ends the wait.
func TestGather(t *testing.T) {
	items := func(n int) []*intakeItem {
		out := make([]*intakeItem, n)
		for i := range out {
			out[i] = &intakeItem{}
		}
		return out
	}
	forever := time.Hour // a wait that would be a hang
	c := &committer{queue: make(chan *intakeItem, 16), maxBatch: 100, gatherTarget: 4, gatherWait: forever}
	gather := func(batch []*intakeItem) []*intakeItem {
		t.Helper()
		got := make(chan []*intakeItem, 1)
		go func() { got <- c.gather(batch) }()
		select {
		case b := <-got:
			return b
		case <-time.After(time.Minute):
			t.Fatalf("gather still waiting after a minute (batch of %d, last %d)", len(batch), c.lastBatch)
			return nil
		}
	}

	if got := gather(items(1)); len(got) != 1 {
		t.Errorf("a lone report: batch of %d, want 1", len(got))
	}

	c.lastBatch = 5
	for _, it := range items(2) {
		c.queue <- it
	}
	go func() { c.queue <- &intakeItem{} }()
	if got := gather(items(1)); len(got) != 4 {
		t.Errorf("under load: batch of %d, want the target 4", len(got))
	}

	for _, it := range items(6) {
		c.queue <- it
	}
	if got := gather(items(1)); len(got) != 7 {
		t.Errorf("with more queued than the target: batch of %d, want all 7", len(got))
	}

	c.gatherWait = time.Millisecond
	if got := gather(items(2)); len(got) != 2 {
		t.Errorf("after the wait: batch of %d, want the 2 it had", len(got))
	}

	c.gatherWait = forever
	close(c.queue)
	if got := gather(items(2)); len(got) != 2 {
		t.Errorf("on a closed queue: batch of %d, want 2", len(got))
	}
}
