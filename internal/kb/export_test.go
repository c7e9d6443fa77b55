package kb

// IndexGen and SetIndexGen let a test play another node's write: one this
// process's cache is not told of.
func IndexGen() uint64 { return indexGen.Load() }

func SetIndexGen(g uint64) { indexGen.Store(g) }
