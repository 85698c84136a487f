// Package atomicfile writes files that are either complete or absent: a
// reader, or the next run after a crash or a power cut, never sees half
// of one.
//
// Create opens a temporary file in the folder of the final path (so the
// rename stays on one file system), named ".NAME.tmp-RANDOM"; Commit
// flushes it, syncs it to disk, renames it over the final path and syncs
// the folder, so that the new name survives a power cut too. Abort (safe
// to defer after Commit) removes the temporary file. WriteFile does all
// of it for data already in memory. A process killed mid-write leaves at
// most a temporary file behind, which CleanTemps removes; nothing ever
// reads one.
//
// The pattern is the one of renameio and of SQLite's rollback journal
// discussions: write aside, fsync, rename, fsync the directory (see
// rename(2) and fsync(2) on Linux).
package atomicfile
