package main

import (
	"context"
	"fmt"
	"time"

	"github.com/iamd/iamd/bench/serverbench/measure"
)

// scaleName names the i-th user of the ListUsers scaling run.
func scaleName(i int) string { return fmt.Sprintf("scale-%07d", i) }

// ScalePoint is ListUsers (MaxItems=100) on one server holding Users users.
type ScalePoint struct {
	Server string `json:"server"`
	Users  int    `json:"users"` // users the server holds, counted by the walk

	// PreloadTime is how long creating this step's users took, and
	// PreloadRate the CreateUser calls per second it reached.
	PreloadTime time.Duration `json:"preload_ns"`
	PreloadRate float64       `json:"preload_per_second"`

	// FirstPage is the time of the first page, repeated with one client.
	FirstPage       measure.Latency `json:"first_page"`
	ServerCPUPerReq time.Duration   `json:"first_page_server_cpu_ns"`
	// Walk is every page of one complete listing through Marker, so that
	// pages deep in the listing are timed too.
	Walk         measure.Latency `json:"walk_pages"`
	MaxPageItems int             `json:"max_page_items"` // > 100 when MaxItems is ignored
}

// scaleRun preloads one fresh server step by step to each size and times
// ListUsers at each. base is the number of users the server holds before
// (iamd's admin user). Every walk checks that it saw every user exactly
// once.
func scaleRun(ctx context.Context, srv *server, cl *client, sizes []int, pageTime time.Duration, workers int, logf func(string, ...any)) ([]ScalePoint, error) {
	base, _, err := walk(ctx, cl)
	if err != nil {
		return nil, err
	}
	var points []ScalePoint
	have := 0
	for _, n := range sizes {
		p := ScalePoint{Server: srv.name}
		if n > have {
			logf("%s: preloading users %d..%d", srv.name, have, n)
			if p.PreloadTime, err = preload(ctx, cl, have, n, workers, scaleName); err != nil {
				return points, err
			}
			p.PreloadRate = float64(n-have) / p.PreloadTime.Seconds()
			have = n
		}
		// An unmeasured warm-up first, so that the smallest size is not
		// timed on a cold server and flatter than the truth.
		if _, err := runRound(ctx, srv, cl, roundSpec{workload: workloads[1], clients: 1, duration: pageTime / 3, maxReqs: 200}); err != nil {
			return points, err
		}
		r, err := runRound(ctx, srv, cl, roundSpec{
			workload: workloads[1], clients: 1, duration: pageTime, maxReqs: 2000,
		})
		if err != nil {
			return points, err
		}
		if r.Errors > 0 {
			return points, fmt.Errorf("%s ListUsers at %d users: %d errors: %v", srv.name, n, r.Errors, r.ErrorSamples)
		}
		p.FirstPage, p.ServerCPUPerReq = r.Latency, r.ServerCPUPerReq
		count, pages, err := walk(ctx, cl)
		if err != nil {
			return points, err
		}
		if want := base + have; count != want {
			return points, fmt.Errorf("%s: listing all users found %d, want %d", srv.name, count, want)
		}
		p.Users = count
		var lat []time.Duration
		for _, pg := range pages {
			lat = append(lat, pg.took)
			p.MaxPageItems = max(p.MaxPageItems, pg.items)
		}
		p.Walk = measure.Summarize(lat)
		logf("%s: %d users: first page p50 %v, walk of %d pages p50 %v max %v", srv.name, count,
			p.FirstPage.P50, len(pages), p.Walk.P50, p.Walk.Max)
		points = append(points, p)
	}
	return points, nil
}

type pageStat struct {
	took  time.Duration
	items int
}

// walk lists every user with MaxItems=100, following Marker, and returns
// how many distinct users it saw (a duplicate is an error) and each page's
// time.
func walk(ctx context.Context, cl *client) (int, []pageStat, error) {
	seen := map[string]bool{}
	var pages []pageStat
	marker := ""
	for {
		t0 := time.Now()
		p, err := cl.listUsers(ctx, 100, marker)
		if err != nil {
			return 0, nil, err
		}
		pages = append(pages, pageStat{took: time.Since(t0), items: len(p.Users)})
		for _, u := range p.Users {
			if seen[u] {
				return 0, nil, fmt.Errorf("listing returned user %s twice", u)
			}
			seen[u] = true
		}
		if !p.IsTruncated {
			return len(seen), pages, nil
		}
		if len(pages) > 10_000_000/100 {
			return 0, nil, fmt.Errorf("listing did not end after %d pages", len(pages))
		}
		marker = p.Marker
	}
}
