package store

// DefaultMaxItems is the page size used when ListOptions.MaxItems is zero
// or negative; it is AWS's default for MaxItems.
const DefaultMaxItems = 100

// ListOptions selects one page of a list. Marker is empty for the first
// page and otherwise the Marker of the previous Page, which the store
// issued; anything else is ErrInvalidArgument. MaxItems is the most items
// the page holds (DefaultMaxItems when zero or negative); the services
// enforce AWS's range (1 to 1000) before they get here.
type ListOptions struct {
	Marker   string
	MaxItems int
}

// Limit returns the page size the options ask for.
func (o ListOptions) Limit() int {
	if o.MaxItems <= 0 {
		return DefaultMaxItems
	}
	return o.MaxItems
}

// PathListOptions selects one page of a list of entities with paths
// (users, groups, roles, policies, instance profiles, server
// certificates). PathPrefix keeps only entities whose path starts with it;
// empty or "/" keeps all.
//
// Without a PathPrefix (or with "/") the list is ordered by name, without
// regard to case. With a PathPrefix it is ordered by path and then name,
// because that is the order of the index that finds the matching paths
// without reading the others. AWS documents no order for either.
type PathListOptions struct {
	PathPrefix string
	Marker     string
	MaxItems   int
}

// ListOptions returns the pagination part of o.
func (o PathListOptions) ListOptions() ListOptions {
	return ListOptions{Marker: o.Marker, MaxItems: o.MaxItems}
}

// Page is one page of a list. Marker is empty on the last page and
// otherwise the value to pass as ListOptions.Marker for the next one
// (AWS's IsTruncated is Marker != "").
type Page[T any] struct {
	Items  []T
	Marker string
}

// Truncated reports whether more items follow this page.
func (p Page[T]) Truncated() bool { return p.Marker != "" }
