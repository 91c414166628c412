package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/yaqaza/yaqaza/postgres"
	"github.com/yaqaza/yaqaza/seal"
	"github.com/yaqaza/yaqaza/sqlite"
	"github.com/yaqaza/yaqaza/sqlstore"
)

// storeFlags are the flags that choose the store, shared by every command.
type storeFlags struct {
	data     string
	postgres string
	keys     string
}

func (f *storeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.data, "data", "./data", "data folder of the embedded store")
	fs.StringVar(&f.postgres, "postgres", os.Getenv("YAQAZA_POSTGRES"), "PostgreSQL URL (scale-out); empty for the embedded store")
	fs.StringVar(&f.keys, "keys", os.Getenv("YAQAZA_KEYS"), "keyring that seals personal data (default DATA/keys; required with --postgres)")
}

// open opens and migrates the chosen store, with its keyring.
func (f *storeFlags) open(ctx context.Context) (*sqlstore.DB, error) {
	keys, err := f.keyring()
	if err != nil {
		return nil, err
	}
	if f.postgres != "" {
		return postgres.Open(ctx, f.postgres, sqlstore.Config{Keys: keys})
	}
	return sqlite.Open(ctx, f.data, sqlstore.Config{Keys: keys})
}

// keyringPath is where the keyring is: --keys, or the data folder's.
func (f *storeFlags) keyringPath() (string, error) {
	if f.keys != "" {
		return f.keys, nil
	}
	if f.postgres != "" {
		return "", errors.New("with --postgres every node needs the same keyring: give it with --keys FILE (or YAQAZA_KEYS); create one with: yaqaza keys init --keys FILE")
	}
	return filepath.Join(f.data, "keys"), nil
}

// keyring loads the keyring. The embedded store makes its own on first
// start, readable by its owner only; a keyring given by path must exist.
func (f *storeFlags) keyring() (*seal.Keyring, error) {
	path, err := f.keyringPath()
	if err != nil {
		return nil, err
	}
	k, err := seal.LoadKeyring(path)
	if errors.Is(err, fs.ErrNotExist) && f.keys == "" {
		return createKeyring(path)
	}
	if err != nil {
		return nil, fmt.Errorf("keyring %s: %w", path, err)
	}
	return k, nil
}

func createKeyring(path string) (*seal.Keyring, error) {
	k, err := seal.GenerateKeyring(time.Now().UTC().Format("2006-01"))
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	fd, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("creating the keyring %s: %w", path, err)
	}
	if _, err := fd.Write(k.Marshal()); err != nil {
		fd.Close()
		return nil, err
	}
	if err := fd.Sync(); err != nil {
		fd.Close()
		return nil, err
	}
	return k, fd.Close()
}

// where names the store for messages.
func (f *storeFlags) where() string {
	if f.postgres != "" {
		return "PostgreSQL"
	}
	return f.data
}
