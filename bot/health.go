package bot

// HealthReporter is implemented by platforms that can tell whether they
// are connected; /healthz asks each configured platform that has it.
type HealthReporter interface {
	// Healthy returns nil when connected, else why not.
	Healthy() error
}
