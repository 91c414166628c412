// Package yaqaza holds the domain of the Yaqaza operations platform: reports
// that arrive on every channel, the incidents they become, the timeline of every
// change, and the jurisdiction they happen in. It defines the services the rest
// of the program implements (stores) and uses (HTTP API, CLI).
//
// The package has no dependency on storage, transport or third-party code:
// everything here is plain data, validation and the rules of the lifecycle.
package yaqaza
