package main

import (
	"context"
	"fmt"
	"io"
)

// runCheck handles "check orphans": open incidents without an owner or a
// next deadline, and reports linked to no incident. It prints each, then
// the count, which is zero on a healthy system; it fails when it is not.
func runCheck(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "orphans" {
		return usageError{"check: the check is orphans"}
	}
	fs := newFlags("check orphans")
	var sf storeFlags
	sf.register(fs)
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	db, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	o, err := db.FindOrphans(ctx)
	if err != nil {
		return err
	}
	for _, inc := range o.Incidents {
		fmt.Fprintf(stdout, "incident %d (%s, %s): owner %q, deadline %v\n", inc.ID, inc.Status, inc.Priority, inc.Owner, inc.Deadline)
	}
	for _, id := range o.Reports {
		fmt.Fprintf(stdout, "report %d is linked to no incident\n", id)
	}
	fmt.Fprintf(stdout, "orphans: %d\n", o.Count())
	if o.Count() > 0 {
		return fmt.Errorf("%d orphans", o.Count())
	}
	return nil
}
