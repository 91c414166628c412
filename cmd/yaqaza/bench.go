package main

import (
	"context"
	"io"
)

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{"bench: which benchmark? (intake, triage, dispatch, events, pages)"}
	}
	switch args[0] {
	case "intake":
		return runBenchIntake(ctx, args[1:], stdout, stderr)
	case "triage":
		return runBenchTriage(ctx, args[1:], stdout, stderr)
	case "dispatch":
		return runBenchDispatch(ctx, args[1:], stdout, stderr)
	case "events":
		return runBenchEvents(ctx, args[1:], stdout, stderr)
	case "pages":
		return runBenchPages(ctx, args[1:], stdout, stderr)
	}
	return usageError{"bench: unknown benchmark " + args[0]}
}
