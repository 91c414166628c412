package sqlstore

import (
	"context"
	"database/sql"
	"log/slog"
	"sync"
	"time"

	"github.com/yaqaza/yaqaza"
)

// committer is the group commit: one goroutine owns intake writes, takes
// every pending request it can without waiting, writes them in one
// transaction and answers them all after the single commit (one sync to disk
// for the whole batch). While one batch syncs, the next one gathers, so
// batches grow with load and durability does not cost throughput.
type committer struct {
	db       *DB
	maxBatch int
	queue    chan *commitReq

	mu      sync.RWMutex // guards stopped against sends after close
	stopped bool
	done    chan struct{}
}

// commitReq is one unit of work in a group commit. apply runs inside the
// shared transaction; it may run twice (once in the batch, once alone if the
// batch fails), so it must only set results, never accumulate them.
type commitReq struct {
	apply func(ctx context.Context, tx *sql.Tx) error
	err   error
	done  chan struct{}
}

func newCommitter(db *DB, maxBatch int) *committer {
	c := &committer{
		db:       db,
		maxBatch: maxBatch,
		queue:    make(chan *commitReq, maxBatch*4),
		done:     make(chan struct{}),
	}
	go c.run()
	return c
}

// submit queues reqs and waits until every one is committed or has failed.
// The wait ignores ctx on purpose: once queued, work is written even if the
// client goes away, and a retry with the same key gets the stored answer.
func (c *committer) submit(reqs ...*commitReq) error {
	c.mu.RLock()
	if c.stopped {
		c.mu.RUnlock()
		return yaqaza.Errorf(yaqaza.EUNAVAILABLE, "the store is shutting down; retry on another node or later")
	}
	for _, r := range reqs {
		r.done = make(chan struct{})
		c.queue <- r
	}
	c.mu.RUnlock()
	for _, r := range reqs {
		<-r.done
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
	if c.stopped {
		c.mu.Unlock()
		<-c.done
		return
	}
	c.stopped = true
	close(c.queue)
	c.mu.Unlock()
	<-c.done
}

func (c *committer) run() {
	defer close(c.done)
	batch := make([]*commitReq, 0, c.maxBatch)
	for first := range c.queue {
		batch = append(batch[:0], first)
	gather:
		for len(batch) < c.maxBatch {
			select {
			case r, ok := <-c.queue:
				if !ok {
					break gather
				}
				batch = append(batch, r)
			default:
				break gather
			}
		}
		c.commit(batch)
	}
}

func (c *committer) commit(batch []*commitReq) {
	ctx := context.Background()
	start := time.Now()
	err := c.db.withTx(ctx, func(tx *sql.Tx) error {
		for _, r := range batch {
			if err := r.apply(ctx, tx); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		if c.db.OnCommit != nil {
			c.db.OnCommit(len(batch), time.Since(start))
		}
		for _, r := range batch {
			close(r.done)
		}
		return
	}
	// One bad request must not sink its neighbours: write each alone, so
	// that only the request at fault gets the error.
	if len(batch) > 1 {
		slog.Warn("group commit failed, writing the batch one by one", "batch", len(batch), "err", err)
	}
	for _, r := range batch {
		r.err = c.db.withTx(ctx, func(tx *sql.Tx) error { return r.apply(ctx, tx) })
		if r.err != nil && yaqaza.ErrorCode(r.err) == yaqaza.EINTERNAL {
			slog.Error("intake write failed", "err", r.err)
			r.err = yaqaza.Errorf(yaqaza.EUNAVAILABLE, "the report could not be stored; it was not recorded, please retry")
		}
		if r.err == nil && c.db.OnCommit != nil {
			c.db.OnCommit(1, time.Since(start))
		}
		close(r.done)
	}
}
