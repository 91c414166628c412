package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/yaqaza/yaqaza"
)

// committer is the group commit: one goroutine owns intake writes, takes
// every pending report it can, writes them in one transaction and answers
// them all once the commit is on disk (one sync for the whole batch). While
// one batch syncs the next one gathers, so batches grow with load and
// durability does not cost throughput.
type committer struct {
	db       *DB
	maxBatch int
	queue    chan *intakeItem
	// Under load the writer waits up to gatherWait for a batch to reach
	// gatherTarget reports: much of a commit's cost is the same for one
	// report as for fifty (the pages at the end of every table and index,
	// the statements, the sync), so a fuller batch costs each report less.
	gatherWait   time.Duration
	gatherTarget int
	lastBatch    int // the size of the previous batch (the writer's own)

	mu      sync.RWMutex // guards stopped against sends after close
	stopped bool
	done    chan struct{}
}

// errRetryBatch means another writer (another node) stored one of the
// batch's keys between the batch's lookup and its insert; the batch is
// rolled back and written again, when the lookup finds it.
var errRetryBatch = errors.New("sqlstore: a key of the batch was written concurrently")

func newCommitter(db *DB, maxBatch int) *committer {
	c := &committer{
		db:           db,
		maxBatch:     maxBatch,
		queue:        make(chan *intakeItem, maxBatch*4),
		gatherWait:   time.Millisecond,
		gatherTarget: min(24, maxBatch),
		done:         make(chan struct{}),
	}
	go c.run()
	return c
}

// submit queues items and waits until every one is committed or has failed.
// The wait ignores the caller's context on purpose: once queued, a report is
// written even if the client goes away, and its retry gets the stored answer.
func (c *committer) submit(items ...*intakeItem) error {
	c.mu.RLock()
	if c.stopped {
		c.mu.RUnlock()
		return yaqaza.Errorf(yaqaza.EUNAVAILABLE, "the store is shutting down; retry on another node or later")
	}
	for _, it := range items {
		it.done = make(chan struct{})
		c.queue <- it
	}
	c.mu.RUnlock()
	for _, it := range items {
		<-it.done
	}
	return nil
}

func (c *committer) closed() bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.stopped
}

// close refuses new work, writes what is queued and stops.
func (c *committer) close() {
	c.mu.Lock()
	if !c.stopped {
		c.stopped = true
		close(c.queue)
	}
	c.mu.Unlock()
	<-c.done
}

func (c *committer) run() {
	defer close(c.done)
	batch := make([]*intakeItem, 0, c.maxBatch)
	for first := range c.queue {
		batch = c.gather(append(batch[:0], first))
		c.lastBatch = len(batch)
		c.commit(batch)
	}
}

// gather adds to batch what is queued. A lone report is written at once;
// when reports come together (this batch or the last held more than one),
// the writer waits up to gatherWait for the batch to fill to gatherTarget.
func (c *committer) gather(batch []*intakeItem) []*intakeItem {
	for len(batch) < c.maxBatch {
		select {
		case it, ok := <-c.queue:
			if !ok {
				return batch
			}
			batch = append(batch, it)
			continue
		default:
		}
		break
	}
	if len(batch) >= c.gatherTarget || (len(batch) == 1 && c.lastBatch <= 1) {
		return batch
	}
	timer := time.NewTimer(c.gatherWait)
	defer timer.Stop()
	for len(batch) < c.gatherTarget {
		select {
		case it, ok := <-c.queue:
			if !ok {
				return batch
			}
			batch = append(batch, it)
		case <-timer.C:
			return batch
		}
	}
	return batch
}

// write writes items in one transaction; if it fails, what the clusterer
// decided for them is undone.
func (c *committer) write(ctx context.Context, items []*intakeItem) error {
	var cb yaqaza.ClusterBatch
	err := c.db.withTx(ctx, func(tx *sql.Tx) error {
		var err error
		cb, err = c.db.writeIntake(ctx, tx, items)
		return err
	})
	if err != nil && cb != nil {
		// Nothing of the batch was written: the clusterer forgets it.
		if rerr := c.db.reclusterIncidents(ctx, cb.Abort()...); rerr != nil {
			slog.Error("restoring the clusters of a failed batch", "err", rerr)
		}
	}
	return err
}

func (c *committer) commit(batch []*intakeItem) {
	ctx := context.Background()
	start := time.Now()
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		err = c.write(ctx, batch)
		if !errors.Is(err, errRetryBatch) {
			break
		}
	}
	if err == nil {
		if c.db.OnCommit != nil {
			c.db.OnCommit(len(batch), time.Since(start))
		}
		for _, it := range batch {
			close(it.done)
		}
		return
	}
	// One bad report must not sink its neighbours: write each alone, so
	// that only the report at fault gets the error.
	if len(batch) > 1 {
		slog.Warn("group commit failed, writing the batch one by one", "batch", len(batch), "err", err)
	}
	for _, it := range batch {
		werr := c.write(ctx, []*intakeItem{it})
		if werr != nil {
			slog.Error("intake write failed", "err", werr)
			it.receipt = nil
			it.err = yaqaza.Errorf(yaqaza.EUNAVAILABLE, "the report could not be stored; it was not recorded, please retry")
		} else if c.db.OnCommit != nil {
			c.db.OnCommit(1, time.Since(start))
		}
		close(it.done)
	}
}
