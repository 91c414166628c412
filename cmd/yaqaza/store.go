package main

import (
	"context"
	"flag"
	"os"

	"github.com/yaqaza/yaqaza/postgres"
	"github.com/yaqaza/yaqaza/sqlite"
	"github.com/yaqaza/yaqaza/sqlstore"
)

// storeFlags are the flags that choose the store, shared by every command.
type storeFlags struct {
	data     string
	postgres string
}

func (f *storeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.data, "data", "./data", "data folder of the embedded store")
	fs.StringVar(&f.postgres, "postgres", os.Getenv("YAQAZA_POSTGRES"), "PostgreSQL URL (scale-out); empty for the embedded store")
}

// open opens and migrates the chosen store.
func (f *storeFlags) open(ctx context.Context) (*sqlstore.DB, error) {
	if f.postgres != "" {
		return postgres.Open(ctx, f.postgres, sqlstore.Config{})
	}
	return sqlite.Open(ctx, f.data, sqlstore.Config{})
}

// where names the store for messages.
func (f *storeFlags) where() string {
	if f.postgres != "" {
		return "PostgreSQL"
	}
	return f.data
}
