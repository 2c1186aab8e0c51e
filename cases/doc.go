// Package cases is vigil's domain: case records of prisoners of conscience,
// their partial dates, the YAML case-file format and its validation,
// countries, and the fuzzy matcher behind /case lookups.
//
// It owns no I/O beyond reading case files and imports nothing of vigil's:
// the store, the bot and the scheduler build on it, never the reverse.
package cases
