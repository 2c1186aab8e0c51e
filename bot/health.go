package bot

// HealthReporter is implemented by platforms that can tell whether they
// are connected; /healthz asks each configured platform that has it.
type HealthReporter interface {
	// Healthy returns nil when connected, else why not: one line for
	// each part that is not connected (a Discord gateway shard), which
	// /healthz lists each on its own line.
	Healthy() error
}
