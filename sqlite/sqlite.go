// Package sqlite opens the embedded store: one SQLite file in the data
// folder, in WAL mode with a full sync on every commit, one writer connection
// and a pool of readers.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite"

	"github.com/yaqaza/yaqaza/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// FileName is the database file inside the data folder.
const FileName = "yaqaza.db"

// Open opens (creating and migrating if needed) the store in dir.
func Open(ctx context.Context, dir string, cfg sqlstore.Config) (*sqlstore.DB, error) {
	write, read, err := openHandles(ctx, dir)
	if err != nil {
		return nil, err
	}
	db, err := sqlstore.New(ctx, sqlstore.SQLite, write, read, cfg)
	if err != nil {
		write.Close()
		read.Close()
		return nil, err
	}
	return db, nil
}

func openHandles(ctx context.Context, dir string) (write, read *sql.DB, err error) {
	// The store holds incidents and keys to pseudonyms: its owner alone
	// reads it. SQLite gives its log files the database file's mode.
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("sqlite: cannot create data folder: %w", err)
	}
	path := filepath.Join(dir, FileName)
	if f, err := os.OpenFile(path, os.O_CREATE|os.O_RDONLY, 0o600); err == nil {
		f.Close()
	}
	// synchronous(FULL) in WAL mode syncs the log on every commit: an
	// acknowledged report survives a power cut, not only a crash. The
	// intake writer commits many reports at once, so there is one sync per
	// batch, not per report.
	common := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)"
	write, err = sql.Open("sqlite", dsn(path, common+"&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=temp_store(MEMORY)&_txlock=immediate"))
	if err != nil {
		return nil, nil, err
	}
	write.SetMaxOpenConns(1) // SQLite has one writer; queueing here beats SQLITE_BUSY.
	write.SetConnMaxIdleTime(0)
	write.SetConnMaxLifetime(0)
	if err := migrate(ctx, write); err != nil {
		write.Close()
		return nil, nil, err
	}
	read, err = sql.Open("sqlite", dsn(path, common+"&_pragma=query_only(1)"))
	if err != nil {
		write.Close()
		return nil, nil, err
	}
	n := max(4, 2*runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	return write, read, nil
}

func dsn(path, params string) string {
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + params
}

func migrate(ctx context.Context, db *sql.DB) error {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, fsys)
	if err != nil {
		return fmt.Errorf("sqlite: migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("sqlite: migrating: %w", err)
	}
	return nil
}
