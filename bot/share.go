package bot

import "sync/atomic"

// Share is the part of a platform's rate ceiling that one process may
// use: the ceilings are per bot token, so when n vigil serve processes
// share a token (replicas on one PostgreSQL database), each paces at 1/n
// of them. A nil or unset Share is the whole ceiling. Safe for
// concurrent use: serve updates it as replicas come and go, the
// platforms' pacers read it for every send.
type Share struct{ n atomic.Int64 }

// Set records that n processes share the ceilings now (less than 1
// counts as 1).
func (s *Share) Set(n int) { s.n.Store(int64(max(n, 1))) }

// Of returns how many processes share the ceilings, at least 1.
func (s *Share) Of() int {
	if s == nil {
		return 1
	}
	return int(max(s.n.Load(), 1))
}
