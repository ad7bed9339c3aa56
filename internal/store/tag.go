package store

// Tag is one key/value tag.
type Tag struct {
	Key   string
	Value string
}

// ResourceRef names a taggable resource: its account, kind and unique id
// (the AIDA.../AROA.../ANPA... id for users, roles, policies, instance
// profiles and server certificates; the ARN for MFA devices and identity
// providers). Tags refer to ids rather than names so that they survive
// renames.
type ResourceRef struct {
	Account string
	Kind    Kind
	ID      string
}

// Tags keeps the ordered tag lists of taggable resources in one table
// keyed by (account, kind, id).
type Tags interface {
	// TagResource adds tags, or replaces the value of tags whose key is
	// already present (compared without regard to case where
	// Kind.FoldsTagKeys; the replacing tag's key spelling wins). New tags
	// go after the existing ones; replaced tags keep their position.
	// ErrNotFound if the resource does not exist. The service checks AWS's
	// quota of 50 tags, with CountTags, inside the same Update.
	TagResource(ref ResourceRef, tags []Tag) error
	// UntagResource removes the tags with the keys; absent keys are
	// ignored, as AWS ignores them.
	UntagResource(ref ResourceRef, keys []string) error
	// ListTags lists the resource's tags in order.
	ListTags(ref ResourceRef, opts ListOptions) (Page[Tag], error)
	// CountTags returns the number of tags on the resource.
	CountTags(ref ResourceRef) (int, error)
}
