package iam

import (
	"context"
	"strings"

	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
)

// checkTags applies the tag rules the model cannot express (the model
// checks key/value length and characters, and at most 50 tags per request):
// keys in one request must differ without regard to case, and the aws:
// prefix is reserved for AWS.
func checkTags(in []iamapi.Tag) ([]store.Tag, error) {
	seen := make(map[string]bool, len(in))
	out := make([]store.Tag, 0, len(in))
	for _, t := range in {
		k := strings.ToLower(t.Key)
		if seen[k] {
			return nil, wireError("InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[k] = true
		if strings.HasPrefix(k, "aws:") {
			return nil, wireError("InvalidInput", "User-defined tag keys can't start with 'aws:'. This prefix is reserved for AWS use.")
		}
		out = append(out, store.Tag{Key: t.Key, Value: t.Value})
	}
	return out, nil
}

// tagResource adds tags to a resource within AWS's quota of 50 per
// resource, counting the tags that replace existing ones only once.
func tagResource(tx store.Tx, ref store.ResourceRef, tags []store.Tag, what string) error {
	return tagWithin(tx, ref, tags, func() error {
		return wireError("LimitExceeded", "Cannot exceed quota for TagsPer%s: %d", what, maxTagsPerResource)
	})
}

// tagWithin adds tags unless the resource would then carry more than
// maxTagsPerResource, answering limit() if so; a tag that replaces an
// existing key (compared as the resource kind compares keys) counts once.
func tagWithin(tx store.Tx, ref store.ResourceRef, tags []store.Tag, limit func() error) error {
	existing, err := allTags(tx, ref)
	if err != nil {
		return err
	}
	have := make(map[string]bool, len(existing))
	for _, t := range existing {
		have[foldTagKey(ref.Kind, t.Key)] = true
	}
	n := len(existing)
	for _, t := range tags {
		if k := foldTagKey(ref.Kind, t.Key); !have[k] {
			have[k] = true
			n++
		}
	}
	if n > maxTagsPerResource {
		return limit()
	}
	return tx.TagResource(ref, tags)
}

func foldTagKey(k store.Kind, key string) string {
	if k.FoldsTagKeys() {
		return strings.ToLower(key)
	}
	return key
}

// allTags reads every tag of a resource (at most 50, so one page).
func allTags(tx store.Tx, ref store.ResourceRef) ([]store.Tag, error) {
	p, err := tx.ListTags(ref, store.ListOptions{MaxItems: 1000})
	return p.Items, err
}

// apiTags renders stored tags in the model's form; nil for none, so that
// an entity without tags has no Tags element, as AWS answers.
func apiTags(tags []store.Tag) []iamapi.Tag {
	if len(tags) == 0 {
		return nil
	}
	out := make([]iamapi.Tag, len(tags))
	for i, t := range tags {
		out[i] = iamapi.Tag{Key: t.Key, Value: t.Value}
	}
	return out
}

// resolveTagged finds a taggable resource inside a transaction, answering
// the store's ErrNotFound (mapped by storeError to the family's
// NoSuchEntity) when it does not exist.
type resolveTagged func(tx store.Tx) (store.ResourceRef, error)

// untagResource is every family's Untag* operation: the resource must
// exist; keys it does not have are ignored, as AWS ignores them.
func (s *Service) untagResource(ctx context.Context, resolve resolveTagged, keys []string) (*service.Empty, error) {
	err := s.store.Update(ctx, func(tx store.Tx) error {
		ref, err := resolve(tx)
		if err != nil {
			return err
		}
		return tx.UntagResource(ref, keys)
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &service.Empty{}, nil
}

// tagPage is one page of a resource's tags in the model's form.
type tagPage struct {
	Tags        []iamapi.Tag
	IsTruncated *bool
	Marker      *string
}

// listResourceTags is every family's List*Tags operation: one page of the
// resource's tags, an empty list (not a missing element) when it has none.
func (s *Service) listResourceTags(ctx context.Context, resolve resolveTagged, marker *string, maxItems *int32) (tagPage, error) {
	var p store.Page[store.Tag]
	err := s.store.View(ctx, func(tx store.Tx) error {
		ref, err := resolve(tx)
		if err != nil {
			return err
		}
		p, err = tx.ListTags(ref, page(marker, maxItems))
		return err
	})
	if err != nil {
		return tagPage{}, storeError(err)
	}
	out := tagPage{Tags: apiTags(p.Items)}
	if out.Tags == nil {
		out.Tags = []iamapi.Tag{}
	}
	out.IsTruncated, out.Marker = truncation(p)
	return out, nil
}
