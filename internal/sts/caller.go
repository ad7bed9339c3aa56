package sts

import (
	"fmt"

	"github.com/iamd/iamd/internal/authz"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
)

// timeLayout is how aws:CurrentTime is written, as package authz writes it
// for every other request.
const timeLayout = authz.TimeLayout

// listAll reads every page of a list.
func listAll[T any](page func(store.ListOptions) (store.Page[T], error)) ([]T, error) {
	var out []T
	o := store.ListOptions{}
	for {
		p, err := page(o)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Items...)
		if p.Marker == "" {
			return out, nil
		}
		o.Marker = p.Marker
	}
}

// describe names a caller for error messages and logs.
func describe(p service.Principal) string {
	if p.ARN != "" {
		return p.ARN
	}
	return fmt.Sprintf("anonymous caller of account %s", p.AccountID)
}
