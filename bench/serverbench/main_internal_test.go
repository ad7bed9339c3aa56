package main

import (
	"encoding/json"
	"github.com/iamd/iamd/bench/serverbench/queryclient"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/iamd/iamd/bench/serverbench/measure"
)

func TestParseCredentials(t *testing.T) {
	t.Parallel()
	file := "[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = d\n\n" +
		"# written by iamd\n[iamd]\naws_access_key_id = AKIAIAMD\naws_secret_access_key=s3cr/et+key\n"
	cases := []struct {
		name, file, profile, wantID, wantSecret string
		wantErr                                 bool
	}{
		{"the named profile, not the first", file, "iamd", "AKIAIAMD", "s3cr/et+key", false},
		{"the default profile", file, "default", "AKIADEFAULT", "d", false},
		{"missing profile", file, "other", "", "", true},
		{"profile without a secret", "[iamd]\naws_access_key_id = A\n", "iamd", "", "", true},
		{"empty file", "", "iamd", "", "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseCredentials([]byte(c.file), c.profile)
			if (err != nil) != c.wantErr {
				t.Fatalf("parseCredentials(%q) error = %v, want error %v", c.profile, err, c.wantErr)
			}
			if got.AccessKeyID != c.wantID || got.SecretAccessKey != c.wantSecret {
				t.Fatalf("parseCredentials(%q) = %q/%q, want %q/%q", c.profile, got.AccessKeyID, got.SecretAccessKey, c.wantID, c.wantSecret)
			}
		})
	}
}

func TestParseInts(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		in      string
		hi      int
		want    []int
		wantErr bool
	}{
		{"list", "1,8", 1024, []int{1, 8}, false},
		{"spaces and underscores", " 100, 10_000 ,100000", 1 << 20, []int{100, 10000, 100000}, false},
		{"empty is none", "", 1024, nil, false},
		{"not a number", "1,x", 1024, nil, true},
		{"zero", "0,8", 1024, nil, true},
		{"not increasing", "8,1", 1024, nil, true},
		{"above the bound", "2000", 1024, nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseInts("-x", c.in, 1, c.hi)
			if (err != nil) != c.wantErr || len(got) != len(c.want) {
				t.Fatalf("parseInts(%q) = %v, %v; want %v, error %v", c.in, got, err, c.want, c.wantErr)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Fatalf("parseInts(%q) = %v, want %v", c.in, got, c.want)
				}
			}
		})
	}
}

func TestParseFlagsRejects(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, arg string }{
		{"unknown workload", "-workloads=GetUser,DeleteUser"},
		{"no clients", "-clients="},
		{"zero rounds", "-rounds=0"},
		{"negative duration", "-duration=-1s"},
		{"stray argument", "extra"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if _, err := parseFlags([]string{c.arg}, io.Discard); err == nil {
				t.Fatalf("parseFlags(%q) accepted it", c.arg)
			}
		})
	}
}

func TestParseAPIError(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body, wantCode, wantMsg string
	}{
		{"AWS ErrorResponse", `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>bad sig</Message></Error><RequestId>x</RequestId></ErrorResponse>`, "SignatureDoesNotMatch", "bad sig"},
		{"moto Response/Errors", `<Response><Errors><Error><Code>EntityAlreadyExists</Code><Message>User x already exists</Message></Error></Errors></Response>`, "EntityAlreadyExists", "User x already exists"},
		{"not XML", `Internal Server Error`, "(no error code)", `"Internal Server Error"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := queryclient.ParseAPIError(500, []byte(c.body))
			if e.Code != c.wantCode || e.Message != c.wantMsg || e.Status != 500 {
				t.Fatalf("ParseAPIError = %+v, want code %q message %q", e, c.wantCode, c.wantMsg)
			}
		})
	}
}

// round is a Round with the fields compare and evaluate read.
func round(srv, wl string, clients int, rps float64, cpu time.Duration, errs int) Round {
	return Round{Server: srv, Workload: wl, Clients: clients, RPS: rps, ServerCPUPerReq: cpu, Errors: errs}
}

func TestCompareAndEvaluate(t *testing.T) {
	t.Parallel()
	us := time.Microsecond
	rounds := []Round{
		// GetUser 8 clients: iamd 3000/3300/3600 req/s at 150us, moto 200 at 4400us.
		round("iamd", "GetUser", 8, 3000, 150*us, 0), round("moto", "GetUser", 8, 200, 4400*us, 0),
		round("iamd", "GetUser", 8, 3300, 150*us, 0), round("moto", "GetUser", 8, 200, 4400*us, 0),
		round("iamd", "GetUser", 8, 3600, 150*us, 0), round("moto", "GetUser", 8, 240, 4400*us, 0),
		// CreateUser: 4x, a miss.
		round("iamd", "CreateUser", 8, 800, 500*us, 0), round("moto", "CreateUser", 8, 200, 5000*us, 0),
	}
	comps := compare(rounds)
	if len(comps) != 2 {
		t.Fatalf("compare gave %d comparisons, want 2: %+v", len(comps), comps)
	}
	get := comps[0]
	if get.Workload != "GetUser" || get.Clients != 8 || get.RPS.Median != 3300.0/200 || get.RPS.Min != 3600.0/240 || get.RPS.Max != 3300.0/200 {
		t.Fatalf("GetUser comparison = %+v", get)
	}
	if math.Abs(get.CPU.Median-150.0/4400) > 1e-12 {
		t.Fatalf("GetUser CPU ratio = %v, want %v", get.CPU.Median, 150.0/4400)
	}

	scale := []ScalePoint{
		{Server: "iamd", Users: 101, FirstPage: measure.Latency{P50: time.Millisecond}},
		{Server: "iamd", Users: 100001, FirstPage: measure.Latency{P50: 1500 * time.Microsecond}},
	}
	targets := evaluate(comps, aggregate(rounds), scale)
	want := map[string]bool{
		"GetUser 8 clients: requests/s vs moto":                          true,
		"GetUser 8 clients: server CPU/request vs moto":                  true,
		"CreateUser 8 client(s), durable SQLite: requests/s vs moto":     false,
		"errors in all rounds (non-200s included)":                       true,
		"ListUsers page time flat, 101 -> 100001 users (first page p50)": true,
	}
	if len(targets) != len(want) {
		t.Fatalf("evaluate gave %d targets, want %d: %+v", len(targets), len(want), targets)
	}
	for _, tg := range targets {
		pass, ok := want[tg.Name]
		if !ok || !tg.Measured || tg.Pass != pass {
			t.Errorf("target %q: measured %v pass %v, want pass %v (known %v); got %s", tg.Name, tg.Measured, tg.Pass, pass, ok, tg.Got)
		}
	}

	// A peer that answered nothing makes an infinite ratio: no pass, and the
	// JSON summary still encodes (as null).
	dead := []Round{round("iamd", "CreateUser", 8, 800, 500*us, 0), round("moto", "CreateUser", 8, 0, 0, 50)}
	deadComps := compare(dead)
	for _, tg := range evaluate(deadComps, aggregate(dead), nil) {
		if strings.HasPrefix(tg.Name, "CreateUser") && tg.Pass {
			t.Errorf("CreateUser against a moto that answered nothing passed: %+v", tg)
		}
	}
	b, err := json.Marshal(deadComps)
	if err != nil || !strings.Contains(string(b), `"median":null`) {
		t.Errorf("json of an infinite ratio = %s, %v; want null", b, err)
	}

	// One error anywhere fails the errors target; missing inputs are never a pass.
	rounds = append(rounds, round("moto", "GetUser", 1, 100, 4400*us, 1))
	for _, tg := range evaluate(compare(rounds[:2]), aggregate(rounds), nil) {
		switch {
		case strings.HasPrefix(tg.Name, "errors"):
			if tg.Pass || tg.Got != "1" {
				t.Errorf("errors target with one error = %+v", tg)
			}
		case strings.HasPrefix(tg.Name, "ListUsers"), strings.HasPrefix(tg.Name, "CreateUser"):
			if tg.Measured || tg.Pass {
				t.Errorf("unmeasured target %q reported as measured/passed", tg.Name)
			}
		}
	}
}
