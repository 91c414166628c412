package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/yaqaza/yaqaza/seal"
)

// runKeys handles "keys init|rotate|reseal": the keyring that seals
// personal data at rest.
//
// Rotation is three steps, so that no node ever meets a value it cannot
// open: "keys rotate" adds a new current key to the file; every node is
// restarted with the new file (new values are sealed under the new key,
// old ones still open under the old); "keys reseal" then seals every old
// value under the new key. The old key can be removed from the file after.
func runKeys(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return usageError{"keys: init, rotate or reseal?"}
	}
	sub := args[0]
	fset := newFlags("keys " + sub)
	var sf storeFlags
	sf.register(fset)
	if err := parseFlags(fset, args[1:]); err != nil {
		return err
	}
	path, err := sf.keyringPath()
	if err != nil {
		return err
	}
	switch sub {
	case "init":
		if _, err := os.Stat(path); err == nil {
			return fmt.Errorf("%s exists: a keyring is made once (rotate it with: yaqaza keys rotate)", path)
		}
		if _, err := createKeyring(path); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "keyring written to %s (mode 600): keep a copy in the prefecture's safe; give the same file to every node\n", path)
	case "rotate":
		k, err := seal.LoadKeyring(path)
		if err != nil {
			return fmt.Errorf("keyring %s: %w", path, err)
		}
		id := time.Now().UTC().Format("2006-01-02T1504")
		if err := k.Rotate(id); err != nil {
			return err
		}
		if err := writeKeyring(path, k); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "key %s added and made current in %s.\nNext: restart every node with this file, then run: yaqaza keys reseal\n", id, path)
	case "reseal":
		db, err := sf.open(ctx)
		if err != nil {
			return err
		}
		defer db.Close()
		n, err := db.Reseal(cli(ctx))
		if err != nil {
			return fmt.Errorf("after %d values: %w", n, err)
		}
		fmt.Fprintf(stdout, "%d values sealed under the current key\n", n)
	default:
		return usageError{"keys: unknown subcommand " + sub}
	}
	return nil
}

// writeKeyring replaces the keyring file in one step: a crash leaves the
// old file or the new one, never half of one.
func writeKeyring(path string, k *seal.Keyring) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".keys-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(k.Marshal()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
